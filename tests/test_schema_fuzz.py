"""Every API operation, fuzzed against the OpenAPI schema it publishes.

schemathesis loads ``/api/schema/`` from the WSGI app and calls each operation
through it, in process, with a real user's bearer token: schema-valid and
schema-violating requests, and the boundary cases of every parameter. No
answer may be a server error, and each one's status code, content type,
headers and body must be the ones the schema documents; an operation that
needs a token must refuse the same request without one.

Each operation runs as its own test, against a fresh database (transactional,
so the app and its after-commit work see the rows): a user with a profile,
periods, enough energy logs for a trained model and some prediction history,
and a stranger whose ids must answer 404. A share of the generated requests is
steered to her ids and to credentials that work, so the success answers are
checked too. The run is bounded (``MAX_EXAMPLES`` per operation) and
deterministic: a fixed seed and derandomized generation, no example database.

Run it alone with ``pytest -m fuzz``.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import PASSWORD, UserFactory
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.tests.factories import DailyMoodFactory
from notifications.tests.factories import NotificationFactory
from predictions import training
from predictions.tests.factories import PredictionRecordFactory
from signs.tests.factories import SignFactory

MAX_EXAMPLES = 25
SEED = 2026

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",  # schema-valid and schema-violating requests
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # Her real token is sent with every request, never a generated one.
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        # What the schema promises, and nothing it cannot: business rules (a
        # known time zone, her current password, no overlapping periods) reject
        # schema-valid input, and DRF accepts some schema-violating input
        # (``"notes": 0`` becomes "0", an empty filter is no filter), so
        # positive_data_acceptance and negative_data_rejection stay off.
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "ignored_auth": {"enabled": True},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

# Filled by the ``fuzz_user`` fixture for the operation under test.
FUZZ: dict = {}

NEW_PASSWORD = "a-brand-new-passphrase-2026"


def _period_body():
    # Dates well before her logged periods, one per draw: mostly accepted.
    return st.integers(0, 40).map(
        lambda n: {
            "start_date": (FUZZ["today"] - timedelta(days=200 + 20 * n)).isoformat(),
            "end_date": (FUZZ["today"] - timedelta(days=196 + 20 * n)).isoformat(),
        }
    )


def _sign_body():
    # A sign on one of her recent days: a new entry or a partial update of one.
    return st.tuples(
        st.integers(0, 40), st.sampled_from(["negative", "positive"]), st.integers(3400, 4000)
    ).map(
        lambda drawn: {
            "date": (FUZZ["today"] - timedelta(days=drawn[0])).isoformat(),
            "lh_test": drawn[1],
            "bbt_celsius": drawn[2] / 100,
        }
    )


def _refresh_body():
    return st.builds(lambda: {"refresh": str(RefreshToken.for_user(FUZZ["user"]))})


# Bodies that pass every business rule, drawn next to the generated ones.
VALID_BODIES = {
    "POST /api/v1/auth/register": lambda: st.integers(0, 10**6).map(
        lambda n: {
            "email": f"new{n}@example.com",
            "password": NEW_PASSWORD,
            "name": "New",
            "timezone": "Europe/Paris",
        }
    ),
    "POST /api/v1/auth/login": lambda: st.just({"email": FUZZ["user"].email, "password": PASSWORD}),
    "POST /api/v1/auth/refresh": _refresh_body,
    "POST /api/v1/auth/logout": _refresh_body,
    "POST /api/v1/auth/password": lambda: st.just(
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    ),
    # Deletes her: the examples after it must answer 401, as documented.
    "DELETE /api/v1/auth/me": lambda: st.just({"password": PASSWORD}),
    "POST /api/v1/periods/": _period_body,
    "PUT /api/v1/periods/{id}/": _period_body,
    "POST /api/v1/signs/": _sign_body,
    "PUT /api/v1/signs/{id}/": _sign_body,
    "PATCH /api/v1/notifications/preferences": lambda: st.just(
        {"log_reminder_time": "20:30", "period_due_days_before": 3, "weekly_summary": True}
    ),
}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Her ids and the stranger's, next to the generated ones (mostly unknown)."""
    path = context.operation.path
    resource = next(
        (name for name in ("periods", "moods", "signs", "notifications") if f"/{name}/" in path),
        None,
    )
    if resource is None or not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    known = st.deferred(lambda: st.sampled_from(FUZZ["ids"][resource]))
    return st.one_of(st.just(path_parameters), known.map(lambda pk: {**path_parameters, "id": pk}))


@schema.hook
def flatmap_body(context, body):
    valid = VALID_BODIES.get(context.operation.label)
    if valid is None:
        return st.just(body)
    return st.one_of(st.just(body), st.deferred(valid))


@pytest.fixture
def fuzz_user(transactional_db, monkeypatch):
    # Register, login, refresh and the password checks allow 10 tries a minute
    # per client; every request here comes from one client, so lift that
    # limit (429 is documented, but it would hide everything else).
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {**SimpleRateThrottle.THROTTLE_RATES, "auth": None},
    )
    user = UserFactory(email="fuzz@example.com", name="Fuzz")
    stranger = UserFactory(email="stranger@example.com", name="Stranger")
    today = user.local_today()
    ProfileFactory(user=user)
    periods = [
        PeriodFactory(
            user=user,
            start_date=today - timedelta(days=days),
            end_date=today - timedelta(days=days - 4),
        )
        for days in (86, 58, 30)
    ]
    moods = [
        DailyMoodFactory(user=user, date=today - timedelta(days=days), energy_level=days % 3)
        for days in range(1, 21)
    ]
    signs = [
        SignFactory(user=user, date=today - timedelta(days=days), lh_test="negative")
        for days in range(1, 6)
    ]
    for days in (3, 2):
        PredictionRecordFactory(user=user, date=today - timedelta(days=days))
    assert training.energy_model_retrain(user=user).status == "trained"
    notifications = [NotificationFactory(user=user) for _ in range(3)]
    theirs = (
        PeriodFactory(user=stranger, start_date=today - timedelta(days=20)),
        DailyMoodFactory(user=stranger, date=today - timedelta(days=2)),
        SignFactory(user=stranger, date=today - timedelta(days=2)),
        NotificationFactory(user=stranger),
    )
    FUZZ.update(
        user=user,
        today=today,
        ids={
            "periods": [period.pk for period in periods] + [theirs[0].pk],
            "moods": [mood.pk for mood in moods[:5]] + [theirs[1].pk],
            "signs": [sign.pk for sign in signs] + [theirs[2].pk],
            "notifications": [n.pk for n in notifications] + [theirs[3].pk],
        },
    )
    yield user
    FUZZ.clear()


@pytest.mark.fuzz
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_answer_conforms_to_the_schema(case, fuzz_user):
    case.call_and_validate(headers={"Authorization": f"Bearer {AccessToken.for_user(fuzz_user)}"})


# What the fuzzing found, pinned down (these run without the fuzz marker).


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/periods/0.5/", "/api/v1/moods/1/x", "/api/v1/nothing"])
def test_an_api_url_that_matches_no_route_answers_json(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_schema_documents_the_error_answers_and_the_delete_body():
    paths = schema.raw_schema["paths"]
    delete_me = paths["/api/v1/auth/me"]["delete"]
    assert delete_me["requestBody"]["required"] is True
    assert set(delete_me["responses"]) == {"204", "400", "401", "429"}
    assert set(paths["/api/v1/periods/{id}/"]["get"]["responses"]) == {"200", "401", "404", "429"}
    assert "404" in paths["/api/v1/predictions/history/"]["get"]["responses"]
    throttled = paths["/api/v1/moods/"]["post"]["responses"]["429"]
    assert "Retry-After" in throttled["headers"]
    assert "429" not in paths["/api/v1/health"]["get"]["responses"]
