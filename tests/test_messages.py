"""Answers a person can act on, and headers every answer carries (issue 11)."""

import calendar
import json
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import PASSWORD
from cycles.models import Period
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
TODAY = date(2026, 6, 15)
HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-06-15 12:00:00+00:00", tick=False):
        yield


def missing_dates():
    """Dates written as YYYY-MM-DD that name no day: day 0, a day past the end
    of its month (February 29th of a common year), month 00 or 13 to 99."""
    year = st.integers(1900, 2100)
    past_the_month = year.flatmap(
        lambda y: st.integers(1, 12).flatmap(
            lambda m: st.integers(calendar.monthrange(y, m)[1] + 1, 99).map(
                lambda d: f"{y:04d}-{m:02d}-{d:02d}"
            )
        )
    )
    day_zero = st.tuples(year, st.integers(1, 12)).map(lambda ym: f"{ym[0]:04d}-{ym[1]:02d}-00")
    no_such_month = st.tuples(year, st.sampled_from([0, *range(13, 100)]), st.integers(1, 28)).map(
        lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
    )
    return st.one_of(past_the_month, day_zero, no_such_month)


def says_the_date_does_not_exist(messages, written):
    [message] = messages
    assert message.startswith(f"{written} is not a date:"), message
    assert "format" not in message


# --- Dates that do not exist ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("2026-02-30", "February 2026 has 28 days."),
        ("2024-02-30", "February 2024 has 29 days."),
        ("2026-04-31", "April 2026 has 30 days."),
        ("2026-13-01", "months go from 01 to 12."),
        ("2026-01-00", "January 2026 has 31 days."),
    ],
)
def test_a_date_that_does_not_exist_is_named_as_such(api, written, why):
    response = api.post(f"{API}/moods/", {"date": written, "energy_level": 1})
    assert response.status_code == 400
    assert response.json() == {"date": [f"{written} is not a date: {why}"]}


BODY_DATES = [
    ("post", "/moods/", {"energy_level": 1}, "date"),
    ("put", "/moods/{mood}/", {"energy_level": 1}, "date"),
    ("patch", "/moods/{mood}/", {}, "date"),
    ("post", "/periods/", {}, "start_date"),
    ("post", "/periods/", {"start_date": "2026-05-01"}, "end_date"),
    ("put", "/periods/{period}/", {}, "start_date"),
    ("patch", "/periods/{period}/", {}, "end_date"),
]


@pytest.fixture
def her_rows(user):
    return {
        "period": PeriodFactory(
            user=user, start_date=date(2026, 1, 1), end_date=date(2026, 1, 5)
        ).pk,
        "mood": DailyMoodFactory(user=user, date=date(2026, 1, 2), energy_level=1).pk,
    }


@pytest.mark.parametrize(("method", "path", "valid", "field"), BODY_DATES)
@given(written=missing_dates())
@HYPOTHESIS
def test_every_date_in_a_body_says_when_it_does_not_exist(
    api, her_rows, method, path, valid, field, written
):
    before = (list(Period.objects.values()), list(DailyMood.objects.values()))
    response = getattr(api, method)(API + path.format(**her_rows), {**valid, field: written})
    assert response.status_code == 400
    says_the_date_does_not_exist(response.json()[field], written)
    assert (list(Period.objects.values()), list(DailyMood.objects.values())) == before


QUERY_DATES = [
    ("/moods/", "date_after"),
    ("/moods/", "date_before"),
    ("/periods/", "start_after"),
    ("/periods/", "start_before"),
    ("/predictions/current", "date"),
    ("/predictions/forecast", "start"),
]


@pytest.mark.parametrize(("route", "name"), QUERY_DATES)
@given(written=missing_dates())
@HYPOTHESIS
def test_every_date_in_the_query_string_says_when_it_does_not_exist(api, route, name, written):
    cache.clear()
    response = api.get(f"{API}{route}", {name: written})
    assert response.status_code == 400
    says_the_date_does_not_exist(response.json()[name], written)


@pytest.mark.parametrize(("route", "name"), QUERY_DATES)
@pytest.mark.parametrize("written", ["yesterday", "15/06/2026", "2026-6", "20260615x", ""])
def test_a_date_in_another_format_is_still_told_its_format(api, route, name, written):
    response = api.get(f"{API}{route}", {name: written})
    if written == "":  # an empty filter is no filter
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "is not a date" not in json.dumps(response.json())


@pytest.mark.parametrize("written", ["2026-02-28", "2024-02-29", "2026-6-1"])
def test_a_date_that_exists_is_accepted(api, written):
    assert api.post(f"{API}/moods/", {"date": written, "energy_level": 1}).status_code == 201


# --- Energy levels ----------------------------------------------------------------------------

ENERGY_LEVEL_MESSAGE = "Energy level must be 0 (low), 1 (medium) or 2 (high)."


ENERGY_LEVELS_OUT_OF_RANGE = st.one_of(
    st.integers().filter(lambda n: n not in (0, 1, 2)),
    st.sampled_from(["low", "high", "3", "-1", "1.5", " 1x", "\u0661"]),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x not in (0, 1, 2)),
    st.lists(st.integers(0, 2), min_size=1, max_size=2),
)


@pytest.mark.parametrize(
    ("method", "path", "valid"),
    [
        ("post", "/moods/", {"date": "2026-06-01"}),
        ("put", "/moods/{mood}/", {"date": "2026-01-02"}),
        ("patch", "/moods/{mood}/", {}),
    ],
)
@given(level=ENERGY_LEVELS_OUT_OF_RANGE)
@HYPOTHESIS
def test_an_energy_level_out_of_range_lists_the_three_levels(
    api, her_rows, method, path, valid, level
):
    url = API + path.format(**her_rows)
    response = getattr(api, method)(url, {**valid, "energy_level": level}, format="json")
    assert response.status_code == 400
    assert response.json() == {"energy_level": [ENERGY_LEVEL_MESSAGE]}
    assert DailyMood.objects.get(pk=her_rows["mood"]).energy_level == 1


# --- Not found ----------------------------------------------------------------------------------

OBJECT_ROUTES = ["periods", "moods"]


@pytest.fixture
def strangers_rows(other_user):
    return {
        "periods": PeriodFactory(user=other_user, start_date=date(2026, 2, 1)).pk,
        "moods": DailyMoodFactory(user=other_user, date=date(2026, 2, 1)).pk,
    }


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("route", OBJECT_ROUTES)
def test_a_missing_a_foreign_and_a_malformed_id_all_answer_a_plain_not_found(
    api, strangers_rows, route, method
):
    ids = [strangers_rows[route], strangers_rows[route] + 1000, "abc", 2**70]
    for object_id in ids:
        response = getattr(api, method)(f"{API}/{route}/{object_id}/", {})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_a_url_that_matches_no_route_answers_the_same_not_found(api):
    response = api.get(f"{API}/moods/1/nothing-here")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/nonexistent", "/moods/0.5/", "/calendarz"])
def test_an_unmatched_api_path_answers_json_with_debug_on_too(
    client_for, user, settings, debug, path, method
):
    # `make run` runs with DEBUG on, where Django's handler404 would not serve;
    # a write answers the same 404: CSRF checks on, as a real client meets them.
    settings.DEBUG = debug
    client = client_for(user)
    client.handler.enforce_csrf_checks = True
    response = getattr(client, method)(f"{API}{path}", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("value", ["yesterday", "14/03/2026", "2026-3"])
def test_a_list_filter_with_a_badly_written_date_says_how_to_write_one(api, value):
    response = api.get(f"{API}/moods/", {"date_after": value})
    assert response.status_code == 400
    assert response.json() == {"date_after": ["Enter a date as YYYY-MM-DD (e.g. 2026-03-14)."]}


# --- Cache-Control ------------------------------------------------------------------------------

EVERY_ANSWER = [
    ("get", "/auth/me"),
    ("get", "/auth/me/export"),
    ("get", "/profiles/me"),
    ("get", "/periods/"),
    ("get", "/periods/stats"),
    ("get", "/moods/"),
    ("get", "/moods/999999/"),
    ("get", "/predictions/current"),
    ("get", "/predictions/forecast"),
    ("get", "/predictions/history"),
    ("get", "/predictions/model"),
    ("get", "/health"),
    ("get", "/no-such-route"),
    ("post", "/moods/"),
    ("options", "/moods/"),
]


@pytest.mark.parametrize(("method", "path"), EVERY_ANSWER)
@pytest.mark.parametrize("who", ["her", "nobody"])
def test_every_api_answer_tells_caches_not_to_store_it(api, anon_client, method, path, who):
    client = api if who == "her" else anon_client
    response = getattr(client, method)(f"{API}{path}")
    assert response["Cache-Control"] == "no-store"


def test_a_throttled_answer_is_not_stored_either(anon_client, user):
    answers = [
        anon_client.post(f"{API}/auth/login", {"email": user.email, "password": "x"})
        for _ in range(12)
    ]
    assert answers[-1].status_code == 429
    assert {answer["Cache-Control"] for answer in answers} == {"no-store"}


def test_the_schema_and_the_docs_are_not_stored_either(client):
    assert client.get("/api/schema/")["Cache-Control"] == "no-store"


def test_pages_outside_the_api_keep_their_own_caching(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/")["Cache-Control"] != "no-store"


# --- The account export -------------------------------------------------------------------------


def test_the_export_writes_weight_and_bmi_as_numbers_like_the_profile(api, user):
    ProfileFactory(user=user, height_cm=170, weight_kg="62.50")
    profile = api.get(f"{API}/profiles/me").json()
    exported = api.get(f"{API}/auth/me/export").json()["profile"]
    assert exported["weight_kg"] == profile["weight_kg"] == 62.5
    assert exported["bmi"] == profile["bmi"] == 21.6


def test_the_export_is_a_download_named_after_her_today(api, user):
    user.timezone = "Pacific/Kiritimati"  # UTC+14: already June 16th there
    user.save()
    response = api.get(f"{API}/auth/me/export")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="planher-export-2026-06-16.json"'
    )


# --- 401s ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Token {token}", "{token}", "Bearer", "Basic {token}"])
def test_a_missing_or_misspelt_token_is_told_what_to_send_with_a_code(anon_client, user, header):
    token = str(AccessToken.for_user(user))
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header.format(token=token)}
    response = anon_client.get(f"{API}/auth/me", **headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] in {
        "not_authenticated",
        "authentication_failed",
        "bad_authorization_header",
    }
    if body["code"] == "not_authenticated":
        assert "Authorization: Bearer <access>" in body["detail"]


def test_a_refresh_token_used_twice_answers_with_a_code_like_its_sessions_tokens(anon_client, user):
    login = anon_client.post(f"{API}/auth/login", {"email": user.email, "password": PASSWORD})
    first = login.json()["refresh"]
    assert anon_client.post(f"{API}/auth/refresh", {"refresh": first}).status_code == 200
    replay = anon_client.post(f"{API}/auth/refresh", {"refresh": first})
    assert (replay.status_code, replay.json()["code"]) == (401, "token_reused")
    access = anon_client.get(
        f"{API}/auth/me", HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}"
    )
    assert (access.status_code, access.json()["code"]) == (401, "session_ended")
