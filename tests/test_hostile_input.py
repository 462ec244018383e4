"""No input, however hostile, makes PlanHer answer a 500 (issue 11).

Each family of hostile input is sent to every endpoint that reads it: bodies
nested past the interpreter's recursion, text that has no UTF-8 form (lone
surrogates) echoed back by a validation message, NUL and broken bytes in the
query string and the path, forged headers, JSON that is valid but of the wrong
shape. The property each time: a 4xx in DRF's shape, whose body is JSON.
"""

import json
from datetime import date
from urllib.parse import quote_from_bytes

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from core.parsers import MAX_JSON_DEPTH
from core.renderers import JSONRenderer
from cycles.models import Profile
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from signs.tests.factories import SignFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
STRONG = "a-much-better-passphrase-42"
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every endpoint that reads a JSON body, with the fields it knows.
ANONYMOUS_BODIES = [
    ("post", "/auth/register", ["email", "password", "name", "timezone"]),
    ("post", "/auth/login", ["email", "password"]),
    ("post", "/auth/refresh", ["refresh"]),
    ("post", "/auth/password/reset", ["email"]),
    ("post", "/auth/password/reset/confirm", ["uid", "token", "new_password"]),
    ("post", "/auth/email/verify", ["key"]),
]
PRIVATE_BODIES = [
    ("post", "/auth/logout", ["refresh"]),
    ("patch", "/auth/me", ["name", "timezone"]),
    ("delete", "/auth/me", ["password"]),
    ("post", "/auth/password", ["old_password", "new_password"]),
    ("post", "/profiles/me", ["height_cm", "weight_kg", "cycle_length", "luteal_length"]),
    ("put", "/profiles/me", ["menses_length", "unusual_bleeding", "number_of_peak"]),
    ("patch", "/profiles/me", ["weight_kg", "cycle_length"]),
    ("post", "/periods/", ["start_date", "end_date"]),
    ("put", "/periods/{period}/", ["start_date", "end_date"]),
    ("patch", "/periods/{period}/", ["end_date"]),
    ("post", "/moods/", ["date", "energy_level", "notes"]),
    ("put", "/moods/{mood}/", ["date", "energy_level", "notes"]),
    ("patch", "/moods/{mood}/", ["energy_level", "notes"]),
    ("post", "/signs/", ["date", "bbt_celsius", "lh_test", "cervical_mucus", "notes"]),
    ("put", "/signs/{sign}/", ["date", "bbt_celsius", "lh_test", "cervical_mucus"]),
    ("patch", "/signs/{sign}/", ["bbt_celsius", "cervical_mucus", "notes"]),
]
EVERY_BODY = ANONYMOUS_BODIES + PRIVATE_BODIES
# Reads no body (a hostile one must still do no harm).
BODILESS = [("post", "/predictions/retrain", [])]


@pytest.fixture
def her_rows(user):
    ProfileFactory(user=user)
    return {
        "period": PeriodFactory(
            user=user, start_date=date(2025, 1, 1), end_date=date(2025, 1, 5)
        ).pk,
        "mood": DailyMoodFactory(user=user, date=date(2025, 1, 2), energy_level=1).pk,
        "sign": SignFactory(user=user, date=date(2025, 1, 2)).pk,
    }


@pytest.fixture
def client_of(api, anon_client, her_rows):
    """The client an endpoint is called with, and its path with her row ids."""

    def make(path):
        client = anon_client if any(path == p for _, p, _ in ANONYMOUS_BODIES) else api
        return client, API + path.format(**her_rows)

    return make


def send(client, method, path, text, content_type="application/json"):
    # The body is written by hand: the test client's own encoder cannot write
    # a lone surrogate, and some bodies here are not JSON at all.
    cache.clear()  # throttle counters: each example is one person's first try
    return client.generic(method.upper(), path, text, content_type=content_type)


def assert_a_clear_refusal(response, *statuses):
    assert response.status_code in (statuses or (400,)), response.content[:300]
    body = json.loads(response.content)  # a JSON body, whatever the input
    assert isinstance(body, dict) and body


# --- Nesting --------------------------------------------------------------------------------

DEEP_BODIES = {
    "arrays": "[" * 100_000 + "]" * 100_000,
    "objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "unclosed": '{"email": ' + "[" * 200_000,
    "mixed": '[{"x":' * 20_000 + "0" + "}]" * 20_000,
}


@pytest.mark.parametrize("shape", list(DEEP_BODIES))
@pytest.mark.parametrize(("method", "path", "fields"), EVERY_BODY)
def test_a_body_nested_past_the_recursion_limit_is_a_400_on_every_endpoint(
    client_of, method, path, fields, shape
):
    client, url = client_of(path)
    response = send(client, method, url, DEEP_BODIES[shape])
    assert_a_clear_refusal(response)
    assert "nested too deeply" in response.json()["detail"]


@given(depth=st.integers(MAX_JSON_DEPTH + 1, 3000), container=st.sampled_from(["[]", "{}"]))
@HYPOTHESIS
def test_any_body_deeper_than_the_limit_is_refused_before_it_is_read(anon_client, depth, container):
    opening = "[" if container == "[]" else '{"email":'
    text = opening * depth + "null" + container[1] * depth
    response = send(anon_client, "post", f"{API}/auth/register", text)
    assert_a_clear_refusal(response)
    assert "nested too deeply" in response.json()["detail"]


# --- Text without a UTF-8 form, and text that is not text -----------------------------------

LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
HOSTILE_CHARACTERS = st.one_of(
    st.characters(),
    LONE_SURROGATES,
    st.sampled_from(["\x00", "\u202e", "\u200b", "\ufeff", "\uffff", "\U0010ffff"]),
)
HOSTILE_TEXT = st.text(HOSTILE_CHARACTERS, max_size=30)
HOSTILE_NUMBERS = st.one_of(
    st.integers(-(10**60), 10**60),
    st.sampled_from([10**400, -(10**400), 2**63, 2**64, -(2**63) - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 5e-324]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | HOSTILE_NUMBERS | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE_TEXT, inner, max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize(("method", "path", "fields"), EVERY_BODY + BODILESS)
@given(data=st.data())
@HYPOTHESIS
def test_no_json_body_makes_an_endpoint_fail(client_of, method, path, fields, data):
    """Any JSON value, at the top level or in any known field: wrong types,
    lone surrogates, NUL, huge integers, lists where text is expected."""
    field_values = st.one_of(st.text(HOSTILE_CHARACTERS, min_size=1, max_size=8), JSON_VALUES)
    body = data.draw(
        st.one_of(
            st.fixed_dictionaries({}, optional=dict.fromkeys(fields or ["x"], field_values)),
            JSON_VALUES,
        )
    )
    client, url = client_of(path)
    response = send(client, method, url, json.dumps(body))
    assert response.status_code < 500, response.content[:300]
    if response.content:
        json.loads(response.content)


ECHOED_FIELDS = [
    ("post", "/auth/register", {"email": "new@example.com", "password": STRONG}, "timezone"),
    ("patch", "/auth/me", {}, "timezone"),
    ("post", "/moods/", {"date": "2025-01-03"}, "energy_level"),
    ("patch", "/moods/{mood}/", {}, "energy_level"),
]


@pytest.mark.parametrize(("method", "path", "valid", "field"), ECHOED_FIELDS)
@given(
    text=st.text(HOSTILE_CHARACTERS, min_size=1, max_size=10).filter(
        lambda text: any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    )
)
@HYPOTHESIS
def test_a_lone_surrogate_in_a_field_that_is_echoed_is_a_400(
    client_of, method, path, valid, field, text
):
    client, url = client_of(path)
    response = send(client, method, url, json.dumps({**valid, field: text}))
    assert_a_clear_refusal(response)
    assert field in response.json()


def test_a_lone_surrogate_is_echoed_as_the_json_escape_it_came_as():
    rendered = JSONRenderer().render({"timezone": ["\ud800 is not a known time zone."]})
    assert b"\\ud800" in rendered
    assert json.loads(rendered) == {"timezone": ["\ud800 is not a known time zone."]}


def test_the_renderer_still_writes_ordinary_text_as_utf_8():
    assert JSONRenderer().render({"name": "Zoë"}) == '{"name":"Zoë"}'.encode()


BROKEN_BODIES = {
    "invalid UTF-8": b'{"email": "\xff\xfe@example.com", "password": "x"}',
    "a UTF-8 surrogate": b'{"email": "\xed\xa0\x80@example.com", "password": "x"}',
    "truncated": b'{"email": "a@example.com", "pass',
    "NaN": b'{"weight_kg": NaN}',
    "Infinity": b'{"weight_kg": -Infinity}',
    "an integer of 5000 digits": b'{"height_cm": ' + b"9" * 5000 + b"}",
    "only NUL bytes": b"\x00" * 64,
}


@pytest.mark.parametrize("body", list(BROKEN_BODIES))
@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/auth/register"), ("post", "/auth/login"), ("put", "/profiles/me")],
)
def test_a_body_that_is_not_json_is_a_400(client_of, method, path, body):
    client, url = client_of(path)
    response = send(client, method, url, BROKEN_BODIES[body])
    assert_a_clear_refusal(response)


@pytest.mark.parametrize(
    "charset", ["bz2_codec", "rot13", "no-such-charset", "utf-16", "utf-32-be", "latin-1"]
)
def test_any_charset_in_the_content_type_is_read_or_refused(anon_client, charset):
    response = send(
        anon_client,
        "post",
        f"{API}/auth/login",
        b'{"email": "a@example.com", "password": "x"}',
        content_type=f"application/json; charset={charset}",
    )
    assert_a_clear_refusal(response, 400, 401, 415)


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_a_body_in_another_format_is_a_415(anon_client, content_type):
    response = send(anon_client, "post", f"{API}/auth/login", "email=a&password=b", content_type)
    assert_a_clear_refusal(response, 415)


def test_a_valid_body_with_a_big_number_where_a_decimal_goes_changes_nothing(api, user):
    for weight in ["1e400", "-1e400", "1e308", "123456789012345678901234567890", "1e-400"]:
        response = send(api, "post", f"{API}/profiles/me", f'{{"weight_kg": {weight}}}')
        assert_a_clear_refusal(response)
    assert not Profile.objects.filter(user=user).exists()


# --- The query string, the path and the headers -----------------------------------------------

LIST_ROUTES = [
    "/periods/",
    "/periods/stats",
    "/moods/",
    "/signs/",
    "/predictions/current",
    "/predictions/forecast",
    "/predictions/history",
    "/predictions/model",
    "/auth/me/export",
    "/auth/me/activity",
]
QUERY_NAMES = [
    "page",
    "page_size",
    "date",
    "start",
    "days",
    "date_after",
    "date_before",
    "start_after",
    "start_before",
    "ordering",
    "search",
    "user",
    "format",
]


@pytest.mark.parametrize("route", LIST_ROUTES)
@given(
    name=st.sampled_from(QUERY_NAMES),
    raw=st.one_of(
        st.binary(max_size=20),
        st.sampled_from([b"\x00", b"\xed\xa0\x80", b"\xff", b"9" * 400, b"-1", b"NaN", b"1e999"]),
    ),
)
@HYPOTHESIS
def test_no_query_parameter_makes_a_list_fail(api, her_rows, route, name, raw):
    query = f"{name}={quote_from_bytes(raw)}"
    response = api.get(f"{API}{route}?{query}")
    assert response.status_code in (200, 400, 404), response.content[:300]
    json.loads(response.content)


@pytest.mark.parametrize("collection", ["periods", "moods"])
@pytest.mark.parametrize(
    "raw_id",
    ["%00", "1%00", "%ff", "%ed%a0%80", "9" * 30, "-1", "0", "1e3", "0x10", "%20", "..%2F1"],
)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_no_object_id_in_the_path_makes_a_route_fail(api, collection, raw_id, method):
    response = getattr(api, method)(f"{API}/{collection}/{raw_id}/", {})
    assert response.status_code == 404, response.content[:300]
    assert response.json() == {"detail": "Not found."}


LATIN_1 = st.text(st.characters(max_codepoint=0xFF), max_size=40)


@given(
    header=st.one_of(
        LATIN_1,
        LATIN_1.map(lambda text: f"Bearer {text}"),
        st.text(HOSTILE_CHARACTERS, max_size=20).map(lambda text: f"Bearer {text}"),
    )
)
@HYPOTHESIS
def test_no_authorization_header_makes_a_request_fail(db, header):
    client = APIClient()
    response = client.get(f"{API}/moods/", HTTP_AUTHORIZATION=header)
    assert response.status_code in (400, 401), response.content[:300]
    json.loads(response.content)


@pytest.mark.parametrize(
    "header",
    ["Bearer \ud800", "Bearer \u0130", "Bearer abc\x00def", "Bearer " + "a" * 10_000, "Bearer a b"],
)
def test_a_forged_authorization_header_never_reaches_her_data(user, header):
    DailyMoodFactory(user=user, date=date(2025, 1, 2))
    client = APIClient()
    response = client.get(f"{API}/moods/", HTTP_AUTHORIZATION=header)
    assert response.status_code in (400, 401)
    assert "results" not in response.json()


def test_a_login_with_nul_or_a_surrogate_in_the_email_is_a_400_and_not_a_database_error(
    anon_client, user
):
    for email in ["alice\x00@example.com", "alice\ud800@example.com"]:
        body = json.dumps({"email": email, "password": PASSWORD})
        assert_a_clear_refusal(send(anon_client, "post", f"{API}/auth/login", body))


def test_nothing_is_written_by_a_refused_hostile_body(api, user):
    send(api, "post", f"{API}/moods/", json.dumps({"date": "2025-01-03", "energy_level": "\ud800"}))
    send(api, "post", f"{API}/moods/", "[" * 100_000)
    assert not DailyMood.objects.filter(user=user).exists()
