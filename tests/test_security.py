"""What PlanHer promises about security, each shown over real HTTP.

Requests go through DRF's APIClient or Django's client into the real database;
SECURITY.md lists each promise with the test that shows it. JWT basics (alg
none, tampering, expiry, rotation, logout, token types) are in
``accounts/tests/test_auth.py``; this module adds what it does not cover.
"""

import json
import logging
import os
import pickle
import secrets
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import jwt
import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms.models import model_to_dict
from django.utils.crypto import salted_hmac
from django.utils.timezone import now
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import PASSWORD, UserFactory
from core import throttling
from cycles.models import Period, Profile
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions import lifecycle, services
from predictions.models import EnergyModel, PredictionRecord
from predictions.tests.factories import (
    FROZEN_NOW,
    EnergyModelFactory,
    PredictionRecordFactory,
    store_history,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
STRONG = "a-much-better-passphrase-42"


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(client, email, password=PASSWORD):
    return client.post(f"{API}/auth/login", {"email": email, "password": password})


# --- Tokens -----------------------------------------------------------------------------


def forged_access_token(user, *, key, algorithm="HS256") -> str:
    """A well-formed access token for ``user``, signed with ``key``."""
    issued = now()
    claims = {
        "token_type": "access",
        "exp": int((issued + timedelta(minutes=15)).timestamp()),
        "iat": int(issued.timestamp()),
        "jti": secrets.token_hex(16),
        "user_id": str(user.pk),
    }
    return jwt.encode(claims, key, algorithm=algorithm)


def test_an_access_token_signed_with_another_key_is_a_401(user):
    assert bearer(forged_access_token(user, key="x" * 64)).get(f"{API}/auth/me").status_code == 401


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_an_access_token_signed_with_our_key_under_another_algorithm_is_a_401(user):
    token = forged_access_token(user, key=django_settings.SECRET_KEY, algorithm="HS512")
    assert bearer(token).get(f"{API}/auth/me").status_code == 401
    # The control: the same claims under HS256 open the account.
    control = forged_access_token(user, key=django_settings.SECRET_KEY)
    assert bearer(control).get(f"{API}/auth/me").status_code == 200


def test_the_access_token_of_a_deactivated_user_is_a_401(user):
    client = bearer(AccessToken.for_user(user))
    assert client.get(f"{API}/periods/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(f"{API}/periods/").status_code == 401


def test_the_refresh_token_of_a_deactivated_user_is_a_401(anon_client, user):
    refresh = str(RefreshToken.for_user(user))
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert anon_client.post(f"{API}/auth/refresh", {"refresh": refresh}).status_code == 401


def test_a_token_of_a_deleted_account_never_opens_the_next_account(anon_client, user):
    """Ids are never reused (SQLite AUTOINCREMENT, PostgreSQL sequences), so a
    token naming a deleted account cannot land in a newer one."""
    gone = UserFactory(email="gone@example.com")
    access, refresh = AccessToken.for_user(gone), str(RefreshToken.for_user(gone))
    gone_id = gone.pk
    gone.delete()
    newcomer = UserFactory(email="newcomer@example.com")
    assert newcomer.pk != gone_id
    assert bearer(access).get(f"{API}/auth/me").status_code == 401
    assert anon_client.post(f"{API}/auth/refresh", {"refresh": refresh}).status_code == 401


def test_login_answers_alike_for_an_unknown_email_and_a_wrong_password(anon_client, user):
    unknown = login(anon_client, "nobody@example.com")
    wrong = login(anon_client, user.email, "not-her-password")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert wrong.status_code == 401


def test_a_refresh_token_rotated_away_cannot_log_out_either(anon_client, user):
    first = login(anon_client, user.email).data
    second = anon_client.post(f"{API}/auth/refresh", {"refresh": first["refresh"]}).data
    client = bearer(second["access"])
    assert client.post(f"{API}/auth/logout", {"refresh": first["refresh"]}).status_code == 400
    assert client.post(f"{API}/auth/logout", {"refresh": second["refresh"]}).status_code == 205
    for token in (first["refresh"], second["refresh"]):
        assert anon_client.post(f"{API}/auth/refresh", {"refresh": token}).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_refresh_token_replayed_at_the_same_moment_rotates_only_once(user):
    """A stolen refresh token used at the same instant as hers must not fork her
    session in two: one rotation wins, the others are refused."""
    refresh = str(RefreshToken.for_user(user))
    replays = 4
    barrier = threading.Barrier(replays)
    statuses = [None] * replays

    def replay(index):
        try:
            barrier.wait()
            statuses[index] = (
                APIClient()
                .post(
                    f"{API}/auth/refresh", {"refresh": refresh}, REMOTE_ADDR=f"192.0.2.{index + 1}"
                )
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=replay, args=(n,)) for n in range(replays)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [401] * (replays - 1)


# --- Isolation: another user's ids and data -----------------------------------------------

# Each person's data, with markers that must never show in the other's answers.
PEOPLE = {
    "alice": {
        "notes": "alice-private-notes",
        "period_starts": [date(2026, 8, 31), date(2026, 9, 28), date(2026, 10, 26)],
        "mood_dates": [date(2026, 10, 1) + timedelta(days=n) for n in range(3)],
        "record_date": date(2026, 10, 4),
        "height_cm": 165,
        "model_version": 3,
    },
    "mallory": {
        "notes": "mallory-secret-notes",
        "period_starts": [date(2023, 3, 1), date(2023, 3, 31)],
        "mood_dates": [date(2023, 3, 10) + timedelta(days=n) for n in range(4)],
        "record_date": date(2023, 3, 20),
        "height_cm": 190,
        "model_version": 7,
    },
}


def give_data(person, spec):
    ProfileFactory(user=person, height_cm=spec["height_cm"], weight_kg="70.00")
    for start in spec["period_starts"]:
        PeriodFactory(user=person, start_date=start, end_date=start + timedelta(days=3))
    for day in spec["mood_dates"]:
        DailyMoodFactory(user=person, date=day, energy_level=2, notes=spec["notes"])
    PredictionRecordFactory(user=person, date=spec["record_date"])
    EnergyModelFactory(user=person, version=spec["model_version"], n_samples=40)


def markers(person, spec) -> list[str]:
    return [
        person.email,
        spec["notes"],
        *[start.isoformat() for start in spec["period_starts"]],
        *[day.isoformat() for day in spec["mood_dates"]],
        spec["record_date"].isoformat(),
    ]


@pytest.fixture
def two_people(user, other_user):
    """Alice (``user``, ``api``) and Mallory (``other_user``, ``other_api``), both with data."""
    give_data(user, PEOPLE["alice"])
    give_data(other_user, PEOPLE["mallory"])
    return {"alice": user, "mallory": other_user}


def snapshot(person) -> dict:
    """Every row she owns, as plain values: nothing may change under a stranger's hand."""
    person.refresh_from_db()
    return {
        "account": model_to_dict(person),
        "profile": model_to_dict(Profile.objects.get(user=person)),
        "periods": [model_to_dict(p) for p in Period.objects.filter(user=person).order_by("pk")],
        "moods": [model_to_dict(m) for m in DailyMood.objects.filter(user=person).order_by("pk")],
        "records": list(PredictionRecord.objects.filter(user=person).values()),
        "model": list(EnergyModel.objects.filter(user=person).values()),
    }


OBJECT_ROUTES = {
    "periods": (Period, {"start_date": "2026-06-01", "end_date": "2026-06-03"}),
    "moods": (DailyMood, {"date": "2026-06-01", "energy_level": 0, "notes": "overwritten"}),
}


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("route", list(OBJECT_ROUTES))
def test_another_users_object_is_a_404_like_a_missing_one_and_nothing_changes(
    two_people, api, route, method
):
    model, body = OBJECT_ROUTES[route]
    mallory = two_people["mallory"]
    theirs = model.objects.filter(user=mallory).first().pk
    missing = model.objects.order_by("-pk").first().pk + 1000
    before = snapshot(mallory)

    answer = getattr(api, method)(f"{API}/{route}/{theirs}/", body)
    control = getattr(api, method)(f"{API}/{route}/{missing}/", body)

    assert answer.status_code == 404
    assert (answer.status_code, answer.json()) == (control.status_code, control.json())
    assert snapshot(mallory) == before


COLLECTIONS = [
    "/periods/",
    "/periods/stats",
    "/moods/",
    "/profiles/me",
    "/predictions/current",
    "/predictions/forecast?days=90",
    "/predictions/history",
    "/predictions/model",
    "/auth/me",
    "/auth/me/export",
]
# The routes whose answers quote her own rows (the others only compute from them).
QUOTE_HER_ROWS = {"/periods/", "/moods/", "/predictions/history", "/auth/me", "/auth/me/export"}


@pytest.mark.parametrize("route", COLLECTIONS)
@pytest.mark.parametrize(("viewer", "stranger"), [("alice", "mallory"), ("mallory", "alice")])
def test_every_collection_shows_only_her_own_data(two_people, client_for, route, viewer, stranger):
    response = client_for(two_people[viewer]).get(f"{API}{route}")
    assert response.status_code == 200, response.content
    text = response.content.decode()
    for marker in markers(two_people[stranger], PEOPLE[stranger]):
        assert marker not in text, f"{route} shows {marker!r} of another user"
    if route in QUOTE_HER_ROWS:  # the control: her own rows do show
        assert any(marker in text for marker in markers(two_people[viewer], PEOPLE[viewer]))


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_lists_count_and_describe_only_her_rows(two_people, client_for, viewer):
    person, spec = two_people[viewer], PEOPLE[viewer]
    client = client_for(person)
    periods = client.get(f"{API}/periods/").json()
    assert {p["id"] for p in periods["results"]} == set(
        Period.objects.filter(user=person).values_list("pk", flat=True)
    )
    moods = client.get(f"{API}/moods/").json()
    assert {m["id"] for m in moods["results"]} == set(
        DailyMood.objects.filter(user=person).values_list("pk", flat=True)
    )
    assert client.get(f"{API}/periods/stats").json()["period_count"] == len(spec["period_starts"])
    assert client.get(f"{API}/profiles/me").json()["height_cm"] == spec["height_cm"]
    assert client.get(f"{API}/predictions/history").json()["count"] == 1
    export = client.get(f"{API}/auth/me/export").json()
    assert export["account"]["id"] == person.pk
    assert len(export["periods"]) == len(spec["period_starts"])
    assert len(export["moods"]) == len(spec["mood_dates"])
    assert export["energy_model"]["version"] == spec["model_version"]


@pytest.mark.parametrize(
    "query", ["user={other}", "user_id={other}", "owner={other}", "pk={other}"]
)
@pytest.mark.parametrize("route", ["/periods/", "/moods/", "/predictions/history"])
def test_an_owner_in_the_query_string_never_widens_a_list(two_people, api, route, query):
    mallory = two_people["mallory"]
    plain = api.get(f"{API}{route}").json()
    widened = api.get(f"{API}{route}?{query.format(other=mallory.pk)}").json()
    assert widened == plain


# --- Mass assignment ---------------------------------------------------------------------


@pytest.fixture
def forged(other_user):
    """Owner, id, privilege and derived fields a client must never set."""
    return {
        "user": other_user.pk,
        "user_id": other_user.pk,
        "owner": other_user.pk,
        "id": 987654,
        "pk": 987654,
        "is_staff": True,
        "is_superuser": True,
        "is_active": False,
        "email": "forged@example.com",
        "data_version": 999,
        "date_joined": "2000-01-01T00:00:00Z",
        "password": "forged-password-123",
        "groups": [1],
        "user_permissions": [1],
        "bmi": 99.9,
        "updated_at": "2000-01-01T00:00:00Z",
        "created_at": "2000-01-01T00:00:00Z",
        "length_days": 99,
        "cycle_length_days": 99,
        "day_of_cycle": 99,
        "phase": "luteal",
    }


def assert_account_untouched(person):
    person.refresh_from_db()
    assert person.email in {"alice@example.com", "mallory@example.com"}
    assert (person.is_staff, person.is_superuser, person.is_active) == (False, False, True)
    assert person.data_version != 999
    assert person.date_joined.year != 2000
    assert person.check_password(PASSWORD)
    assert not person.groups.exists() and not person.user_permissions.exists()


def write_own_row(api, method, collection, mine, body):
    """POST ``body`` to her collection (201), or PUT/PATCH it onto her row ``mine``
    (200, the same row)."""
    if method == "post":
        response = api.post(collection, body)
        assert response.status_code == 201, response.data
    else:
        response = getattr(api, method)(f"{collection}{mine.pk}/", body)
        assert response.status_code == 200, response.data
        assert response.data["id"] == mine.pk
    return response


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_periods_ignore_owner_id_and_derived_fields(api, user, other_user, forged, method):
    mine = PeriodFactory(user=user, start_date=date(2026, 5, 1), end_date=date(2026, 5, 3))
    body = {**forged, "start_date": "2026-06-01", "end_date": "2026-06-03", "cycle_length": 99}
    response = write_own_row(api, method, f"{API}/periods/", mine, body)
    period = Period.objects.get(pk=response.data["id"])
    assert period.user == user
    assert period.pk != 987654
    assert (response.data["length_days"], response.data["cycle_length"]) == (3, None)
    assert not Period.objects.filter(user=other_user).exists()
    assert_account_untouched(user)
    assert_account_untouched(other_user)


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_moods_ignore_owner_id_and_derived_fields(api, user, other_user, forged, method):
    mine = DailyMoodFactory(user=user, date=date(2026, 5, 1))
    theirs = DailyMoodFactory(user=other_user, date=date(2026, 6, 1), notes="theirs")
    theirs.refresh_from_db()
    before = model_to_dict(theirs)
    body = {**forged, "id": theirs.pk, "pk": theirs.pk, "date": "2026-06-01", "energy_level": 2}
    response = write_own_row(api, method, f"{API}/moods/", mine, body)
    mood = DailyMood.objects.get(pk=response.data["id"])
    assert mood.user == user
    assert mood.pk != theirs.pk
    assert (response.data["day_of_cycle"], response.data["phase"]) == (None, None)
    theirs.refresh_from_db()
    assert model_to_dict(theirs) == before
    assert_account_untouched(user)
    assert_account_untouched(other_user)


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_the_profile_ignores_owner_id_and_derived_fields(api, user, other_user, forged, method):
    ProfileFactory(user=user, height_cm=160, weight_kg="50.00")
    theirs = ProfileFactory(user=other_user, height_cm=190, weight_kg="90.00")
    theirs.refresh_from_db()
    before = model_to_dict(theirs)
    body = {**forged, "height_cm": 170, "weight_kg": 65, "cycle_length": 28}
    response = getattr(api, method)(f"{API}/profiles/me", body)
    assert response.status_code == 200, response.data
    mine = Profile.objects.get(user=user)
    assert mine.height_cm == 170
    assert mine.pk != 987654
    assert response.data["bmi"] == 22.5
    assert mine.updated_at.year != 2000
    theirs.refresh_from_db()
    assert model_to_dict(theirs) == before
    assert Profile.objects.count() == 2
    assert_account_untouched(user)
    assert_account_untouched(other_user)


def test_a_new_profile_belongs_to_her_whatever_the_body_says(api, user, other_user, forged):
    response = api.post(f"{API}/profiles/me", {**forged, "height_cm": 170})
    assert response.status_code == 201, response.data
    assert Profile.objects.get().user == user
    assert not Profile.objects.filter(user=other_user).exists()


def test_her_account_ignores_every_field_but_name_and_timezone(api, user, forged):
    joined, pk = user.date_joined, user.pk
    response = api.patch(f"{API}/auth/me", {**forged, "name": "Alice B", "timezone": "Asia/Tokyo"})
    assert response.status_code == 200, response.data
    user.refresh_from_db()
    assert (user.pk, user.name, user.timezone) == (pk, "Alice B", "Asia/Tokyo")
    assert user.date_joined == joined
    assert_account_untouched(user)
    assert login(APIClient(), "alice@example.com").status_code == 200


@pytest.mark.django_db
def test_registration_ignores_privilege_and_id_fields(anon_client, forged):
    body = {**forged, "email": "eve@example.com", "password": STRONG, "name": "Eve"}
    response = anon_client.post(f"{API}/auth/register", body)
    assert response.status_code == 201, response.data
    eve = User.objects.get(email="eve@example.com")
    assert (eve.is_staff, eve.is_superuser, eve.is_active) == (False, False, True)
    assert (eve.data_version, eve.pk != 987654) == (0, True)
    assert eve.date_joined > now() - timedelta(minutes=5)
    assert eve.check_password(STRONG)
    assert not eve.groups.exists() and not eve.user_permissions.exists()


# --- Throttling ----------------------------------------------------------------------------

AUTH_RATE = 10  # THROTTLE_AUTH_RATE=10/min, from pytest.ini


# Each credential endpoint (login: accounts/tests/test_auth.py), and a wrong attempt at it.
WRONG_ATTEMPTS = {
    "register": ("post", "/auth/register", {"email": "bad", "password": "x"}),
    "refresh": ("post", "/auth/refresh", {"refresh": "garbage"}),
    "password": ("post", "/auth/password", {"old_password": "wrong", "new_password": STRONG}),
    "delete account": ("delete", "/auth/me", {"password": "wrong"}),
}


@pytest.mark.parametrize("endpoint", list(WRONG_ATTEMPTS))
def test_every_credential_endpoint_is_throttled_per_client_ip(api, user, endpoint):
    method, path, body = WRONG_ATTEMPTS[endpoint]

    def attempt(**extra):
        return getattr(api, method)(f"{API}{path}", body, **extra)

    statuses = [attempt().status_code for _ in range(AUTH_RATE)]
    assert all(status in (400, 401) for status in statuses), statuses
    throttled = attempt()
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # Another client address has a budget of its own.
    assert attempt(REMOTE_ADDR="198.51.100.9").status_code in (400, 401)
    # Her other routes are not held back by it.
    assert api.get(f"{API}/auth/me").status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.fixture
def user_rate(monkeypatch):
    """A per-user rate of 3 requests a minute. DRF copies the rates into the
    throttle class when it is defined, so the class attribute is what to patch."""
    rates = {**throttling.UserRateThrottle.THROTTLE_RATES, "user": "3/min"}
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", rates)
    return 3


def test_the_user_rate_limits_her_across_every_route(api, user_rate):
    routes = ["/periods/", "/moods/", "/predictions/model"]
    statuses = [api.get(f"{API}{routes[n % 3]}").status_code for n in range(user_rate)]
    assert statuses == [200] * user_rate
    for route in [*routes, "/auth/me"]:
        throttled = api.get(f"{API}{route}")
        assert throttled.status_code == 429, route
        assert int(throttled["Retry-After"]) > 0
    write = api.post(f"{API}/moods/", {"date": "2026-01-01", "energy_level": 1})
    assert write.status_code == 429
    assert not DailyMood.objects.exists()


def test_the_user_rate_follows_her_not_her_address(api, other_api, user_rate):
    for n in range(user_rate):
        assert api.get(f"{API}/periods/", REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 200
    assert api.get(f"{API}/periods/", REMOTE_ADDR="203.0.113.77").status_code == 429
    # Another person behind the very same address is not held back.
    assert other_api.get(f"{API}/periods/").status_code == 200


def test_health_is_never_throttled(anon_client, user_rate, db):
    assert {anon_client.get(f"{API}/health").status_code for _ in range(10)} == {200}


def test_a_rate_of_off_disables_a_throttle(monkeypatch):
    from planher.settings import env_rate

    monkeypatch.setenv("THROTTLE_USER_RATE", "off")
    assert env_rate("THROTTLE_USER_RATE", "600/min") is None
    monkeypatch.setenv("THROTTLE_USER_RATE", "5/sec")
    assert env_rate("THROTTLE_USER_RATE", "600/min") == "5/sec"


def test_without_a_rate_nobody_is_throttled(api, monkeypatch):
    rates = {**throttling.UserRateThrottle.THROTTLE_RATES, "user": None}
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", rates)
    assert {api.get(f"{API}/periods/").status_code for _ in range(30)} == {200}


# --- Input size ------------------------------------------------------------------------


def test_a_body_over_the_upload_limit_is_a_400_in_drfs_shape(api, user):
    body = json.dumps({"date": "2026-01-01", "energy_level": 1, "notes": "x" * (2 * 1024 * 1024)})
    response = api.post(f"{API}/moods/", body, content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert not DailyMood.objects.exists()


# --- CORS ----------------------------------------------------------------------------------

FRONTEND = "https://app.planher.example"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND]


def preflight(client, path, origin):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_the_configured_frontend_may_call_the_api_cross_origin(cors, api, anon_client):
    allowed = preflight(anon_client, f"{API}/moods/", FRONTEND)
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == FRONTEND
    assert "authorization" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed  # bearer tokens, never cookies
    answer = api.get(f"{API}/periods/", HTTP_ORIGIN=FRONTEND)
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == FRONTEND


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://app.planher.example", "https://app.planher.example.evil.io"],
)
def test_any_other_origin_gets_no_cors_headers(cors, api, anon_client, origin):
    assert "Access-Control-Allow-Origin" not in preflight(anon_client, f"{API}/moods/", origin)
    assert "Access-Control-Allow-Origin" not in api.get(f"{API}/periods/", HTTP_ORIGIN=origin)


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/static/admin/css/base.css"])
def test_nothing_outside_the_api_answers_cross_origin(cors, client, path, db):
    assert "Access-Control-Allow-Origin" not in preflight(client, path, FRONTEND)
    assert "Access-Control-Allow-Origin" not in client.get(path, HTTP_ORIGIN=FRONTEND)


def test_without_configured_origins_no_origin_is_allowed(settings, anon_client, db):
    settings.CORS_ALLOWED_ORIGINS = []
    response = preflight(anon_client, f"{API}/auth/login", FRONTEND)
    assert "Access-Control-Allow-Origin" not in response


# --- Production settings (a subprocess with DEBUG off, as deployed) -------------------------


def production_environment(tmp_path, **extra) -> dict:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_"))
        and not key.startswith(("CORS_", "ALLOWED_HOSTS", "REDIS_URL", "CELERY_"))
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "planher.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "planher.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "CORS_ALLOWED_ORIGINS": "https://app.planher.example.com",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": collected_static(tmp_path / "static"),
        **extra,
    }


def collected_static(folder) -> str:
    """A STATIC_ROOT as `collectstatic` leaves it, as far as `check --deploy` looks:
    with its manifest (planher.E001). These probes load no static file."""
    folder.mkdir(exist_ok=True)
    (folder / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    return str(folder)


def run_python(env, code):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Imports the production settings, runs `manage.py check --deploy --fail-level WARNING`,
# then asks the full middleware stack a few questions.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

try:
    call_command("check", deploy=True, fail_level="WARNING")
    check = "passed"
except SystemCheckError as error:
    check = str(error)

site = Client(HTTP_HOST="planher.example.com")
out = {name: getattr(settings, name, None) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
    "SECURE_PROXY_SSL_HEADER", "CORS_ALLOW_ALL_ORIGINS", "CORS_ALLOW_CREDENTIALS"]}
out["check_deploy"] = check
out["renderers"] = settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
def seen(response):
    return {"status": response.status_code, "location": response.headers.get("Location"),
            "hsts": response.headers.get("Strict-Transport-Security"),
            "body": response.content.decode(errors="replace")[:2000]}
out["secure"] = seen(site.get("/api/v1/periods/", secure=True))
out["plain"] = seen(site.get("/api/v1/periods/"))
out["proxied"] = seen(site.get("/api/v1/periods/", headers={"X-Forwarded-Proto": "https"}))
out["health_plain"] = seen(site.get("/api/v1/health"))
out["missing"] = seen(site.get("/no/such/page", secure=True))
out["other_host"] = seen(Client(HTTP_HOST="evil.example").get("/api/v1/periods/", secure=True))
print(json.dumps(out, default=str))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What the production settings say and do, with SSL redirect off (default) and on."""
    seen = {}
    for name, extra in {"default": {}, "ssl_redirect": {"SECURE_SSL_REDIRECT": "1"}}.items():
        env = production_environment(tmp_path_factory.mktemp(name), **extra)
        result = run_python(env, PROBE)
        assert result.returncode == 0, result.stderr[-3000:]
        seen[name] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.parametrize("variant", ["default", "ssl_redirect"])
def test_check_deploy_passes_with_production_settings(production, variant):
    assert production[variant]["check_deploy"] == "passed"


def test_check_deploy_notices_a_development_setting(settings):
    """The control: the deployment checks above are not vacuous."""
    from django.core import checks

    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    found = {message.id for message in checks.run_checks(include_deployment_checks=True)}
    assert {"security.W018", "security.W012"} <= found


def test_production_cookies_are_secure_and_hsts_lasts_a_year(production):
    settings_seen = production["default"]
    assert settings_seen["DEBUG"] is False
    assert settings_seen["SESSION_COOKIE_SECURE"] is True
    assert settings_seen["CSRF_COOKIE_SECURE"] is True
    assert settings_seen["SESSION_COOKIE_HTTPONLY"] is True
    assert settings_seen["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert settings_seen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings_seen["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings_seen["X_FRAME_OPTIONS"] == "DENY"
    assert not settings_seen["CORS_ALLOW_ALL_ORIGINS"]
    assert not settings_seen["CORS_ALLOW_CREDENTIALS"]
    assert settings_seen["renderers"] == ["core.renderers.JSONRenderer"]


def test_a_secure_request_gets_hsts_and_a_plain_one_does_not(production):
    seen = production["default"]
    assert seen["secure"]["status"] == 401
    assert "max-age=31536000" in seen["secure"]["hsts"]
    assert "includeSubDomains" in seen["secure"]["hsts"]
    assert seen["plain"]["hsts"] is None
    assert seen["plain"]["status"] == 401  # behind the TLS proxy, no redirect by Django


def test_with_ssl_redirect_plain_http_is_redirected_to_https(production):
    seen = production["ssl_redirect"]
    assert seen["SECURE_SSL_REDIRECT"] is True
    assert seen["plain"]["status"] == 301
    assert seen["plain"]["location"] == "https://planher.example.com/api/v1/periods/"
    # A request the TLS proxy forwarded (X-Forwarded-Proto: https) is not redirected.
    assert seen["proxied"]["status"] == 401
    assert seen["proxied"]["hsts"]
    # The health probe speaks plain HTTP inside the network.
    assert seen["health_plain"]["status"] == 200


def test_production_pages_tell_nothing_about_the_code(production):
    seen = production["default"]
    assert seen["missing"]["status"] == 404
    assert "URLconf" not in seen["missing"]["body"]
    assert "Traceback" not in seen["missing"]["body"]
    assert seen["other_host"]["status"] == 400  # ALLOWED_HOSTS


# --- Admin -----------------------------------------------------------------------------------


def test_a_valid_jwt_of_a_user_without_staff_status_opens_no_admin(client, user):
    token = AccessToken.for_user(user)
    for path in ["/admin/", "/admin/accounts/user/", "/admin/moods/dailymood/"]:
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")


def test_a_jwt_never_opens_the_admin_even_for_staff(client):
    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    response = client.get("/admin/", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(staff)}")
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["member", "inactive staff"])
def test_the_admin_login_refuses_anyone_but_active_staff(client, who):
    person = UserFactory(
        email="someone@planher.test", is_staff=who != "member", is_active=who == "member"
    )
    response = client.post(
        "/admin/login/?next=/admin/", {"username": person.email, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_lets_active_staff_in(client):
    staff = UserFactory(email="staff@planher.test", is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_needs_its_csrf_token(db):
    from django.test import Client

    UserFactory(email="staff@planher.test", is_staff=True)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/admin/login/", {"username": "staff@planher.test", "password": PASSWORD}
    )
    assert response.status_code == 403


# --- Model files -----------------------------------------------------------------------------


@pytest.fixture
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def trained_model(user, frozen_today):
    """Her trained model, which serves (it beats the fallback), with an empty
    precomputed table so that every answer needs the file itself."""
    lifecycle.estimators.clear()
    store_history(user)
    outcome = services.energy_model_retrain(user=user)
    assert outcome.status == "trained" and outcome.model.serves_model
    EnergyModel.objects.filter(pk=outcome.model.pk).update(position_table={})
    yield EnergyModel.objects.get(pk=outcome.model.pk)
    lifecycle.estimators.clear()


def test_model_files_are_unreachable_over_http(trained_model, api, anon_client):
    name = trained_model.file.name
    path = Path(django_settings.MEDIA_ROOT, name)
    assert path.is_file()
    urls = [
        f"/media/{name}",
        f"/var/media/{name}",
        f"/{name}",
        f"/static/{name}",
        f"/static/../var/media/{name}",
        f"/api/v1/{name}",
        f"/api/v1/../../var/media/{name}",
        str(path),
    ]
    for url in urls:
        for client in (anon_client, api):
            response = client.get(url)
            assert response.status_code == 404, url
            assert path.read_bytes()[:64] not in response.content


class CreatesMarkerWhenUnpickled:
    """A pickle payload: unpickling it calls open(marker, "w"), creating the file."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def malicious_payload(marker: Path) -> bytes:
    payload = pickle.dumps(CreatesMarkerWhenUnpickled(marker))
    # The control: this payload really does run code when unpickled.
    pickle.loads(payload).close()
    assert marker.exists()
    marker.unlink()
    return payload


def assert_served_from_the_fallback(api):
    current = api.get(f"{API}/predictions/current")
    assert current.status_code == 200
    assert current.json()["energy"]["source"] == "fallback"
    forecast = api.get(f"{API}/predictions/forecast", {"days": 60})
    assert forecast.status_code == 200
    assert {day["energy"]["source"] for day in forecast.json()["days"]} == {"fallback"}


@pytest.mark.parametrize("digest", ["kept", "forged with another key"])
def test_a_malicious_model_file_is_never_unpickled(trained_model, api, tmp_path, digest):
    marker = tmp_path / "pwned"
    payload = malicious_payload(marker)
    Path(django_settings.MEDIA_ROOT, trained_model.file.name).write_bytes(payload)
    if digest != "kept":
        forged = salted_hmac(
            lifecycle.HMAC_SALT, payload, secret="not-our-secret-key", algorithm="sha256"
        ).hexdigest()
        EnergyModel.objects.filter(pk=trained_model.pk).update(digest=forged)

    assert_served_from_the_fallback(api)

    assert not marker.exists()
    model = api.get(f"{API}/predictions/model").json()
    assert model["serving"] == "fallback"
    assert "signature mismatch" in model["last_error"]


# --- Logs ------------------------------------------------------------------------------------


@pytest.fixture
def every_log_record(caplog):
    """Every record of every logger, at DEBUG (including those that do not propagate)."""
    caplog.set_level(logging.DEBUG)
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    previous = [(logger, logger.level) for logger in loggers]
    attached = []
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
            attached.append(logger)
    yield caplog
    for logger, level in previous:
        logger.setLevel(level)
    for logger in attached:
        logger.removeHandler(caplog.handler)


def record_text(record) -> str:
    formatted = logging.Formatter("%(name)s %(message)s").format(record)
    return "\n".join([formatted, repr(record.args), repr(vars(record))])


def walk_the_account_lifecycle(client) -> tuple[list[str], list[str]]:
    """Register, fail and succeed at logging in, refresh, change the password, fail
    and succeed at deleting: the secrets she typed and the tokens she was given."""
    first, second, wrong = (
        "first-secret-passphrase-77",
        "second-secret-passphrase-88",
        "wr0ng-guess-99",
    )
    tokens = []
    registered = client.post(
        f"{API}/auth/register", {"email": "ada@example.com", "password": first}
    )
    assert registered.status_code == 201
    tokens += [registered.data["access"], registered.data["refresh"]]
    assert (
        client.post(
            f"{API}/auth/register", {"email": "x@example.com", "password": "short"}
        ).status_code
        == 400
    )
    assert login(client, "ada@example.com", wrong).status_code == 401
    logged_in = login(client, "ada@example.com", first)
    assert logged_in.status_code == 200
    tokens += [logged_in.data["access"], logged_in.data["refresh"]]
    refreshed = client.post(f"{API}/auth/refresh", {"refresh": logged_in.data["refresh"]})
    assert refreshed.status_code == 200
    tokens += [refreshed.data["access"], refreshed.data["refresh"]]
    replayed = client.post(f"{API}/auth/refresh", {"refresh": logged_in.data["refresh"]})
    assert replayed.status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.data['access']}")
    changes = [
        client.post(f"{API}/auth/password", {"old_password": wrong, "new_password": second}),
        client.post(f"{API}/auth/password", {"old_password": first, "new_password": "123"}),
        client.post(f"{API}/auth/password", {"old_password": first, "new_password": second}),
    ]
    assert [r.status_code for r in changes] == [400, 400, 204]
    assert client.delete(f"{API}/auth/me", {"password": wrong}).status_code == 400
    assert client.delete(f"{API}/auth/me", {"password": second}).status_code == 204
    bad = bearer(tokens[0][:-4] + "AAAA")
    assert bad.get(f"{API}/auth/me").status_code == 401
    return [first, second, wrong], tokens


def assert_no_secret_in(records, secrets_typed, tokens):
    for record in records:
        text = record_text(record)
        for secret in secrets_typed:
            assert secret not in text, f"a password reached the log: {record.name}"
        for token in tokens:
            signature = token.rsplit(".", 1)[-1]
            assert signature not in text, f"a token reached the log: {record.name}"


@pytest.mark.django_db
def test_no_password_or_token_reaches_the_logs_at_debug(every_log_record, anon_client):
    secrets_typed, tokens = walk_the_account_lifecycle(anon_client)
    records = every_log_record.records
    # The control: the 400s and 401s were logged, so the capture works.
    warnings = {r.getMessage() for r in records if r.name == "django.request"}
    assert any(m.startswith("Unauthorized: /api/v1/auth/login") for m in warnings), warnings
    assert any(m.startswith("Bad Request: /api/v1/auth/password") for m in warnings), warnings
    assert_no_secret_in(records, secrets_typed, tokens)


@pytest.mark.django_db
def test_no_password_or_token_reaches_the_logs_even_with_sql_logging_on(caplog, anon_client):
    """As with DEBUG=1 and LOG_LEVEL=DEBUG: queries are recorded (they carry
    every token stored), but the configured loggers keep SQL out of the logs."""
    caplog.set_level(logging.DEBUG)
    parameters = []

    def remember(execute, sql, params, many, context):
        parameters.append(repr(params))
        return execute(sql, params, many, context)

    connection.force_debug_cursor = True
    try:
        with connection.execute_wrapper(remember):
            secrets_typed, tokens = walk_the_account_lifecycle(anon_client)
    finally:
        connection.force_debug_cursor = False
    # The control: queries did carry her refresh token (simplejwt stores each one).
    assert any(tokens[1] in params for params in parameters)
    assert_no_secret_in(caplog.records, secrets_typed, tokens)


# --- Export and deletion ---------------------------------------------------------------------


def models_naming_a_user():
    """(model, field) for every foreign key or one-to-one field that points at the user."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and field.many_to_one | field.one_to_one
        and not field.auto_created
        and field.related_model is User
    ]


def test_her_export_has_a_section_for_every_kind_of_data_she_owns(two_people, api):
    from core.userdata import user_data_sections

    body = api.get(f"{API}/auth/me/export").json()
    sections = {section.key for section in user_data_sections()}
    assert set(body) == {"exported_at", "account", *sections}
    assert all(body[key] for key in sections), {key: body[key] for key in sections}


def test_deleting_her_account_leaves_no_row_that_names_her_and_no_file(
    trained_model, user, other_user, django_capture_on_commit_callbacks
):
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    give_data(other_user, PEOPLE["mallory"])
    tokens = [RefreshToken.for_user(user) for _ in range(2)]
    tokens[0].blacklist()
    client = bearer(tokens[1].access_token)
    client.post(f"{API}/auth/logout", {"refresh": str(tokens[1])})
    path = Path(django_settings.MEDIA_ROOT, trained_model.file.name)
    strangers = snapshot(other_user)
    named = models_naming_a_user()
    assert any(model.objects.filter(**{field: user.pk}).exists() for model, field in named)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{API}/auth/me", {"password": PASSWORD})

    assert response.status_code == 204
    left = [
        f"{model._meta.label}.{field}"
        for model, field in named
        if model.objects.filter(**{field: user.pk}).exists()
    ]
    assert not left, left
    jtis = [token["jti"] for token in tokens]
    assert not OutstandingToken.objects.filter(jti__in=jtis).exists()
    assert not path.exists()
    assert snapshot(other_user) == strangers
