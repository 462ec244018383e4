"""The OpenAPI schema as a generated client (openapi-typescript,
openapi-python-client) reads it.

A field the API always sends must be ``required`` in its response component,
or the generated type makes it optional and the frontend code fills up with
``!`` and ``?.``; enums must be declared to be narrowed; each operation needs a
stable, readable operationId and its own words. These tests walk the generated
document, and compare it with real answers of every endpoint.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import PASSWORD, UserFactory
from core.userdata import user_data_sections
from core.vocabulary import (
    METHOD_HISTORY,
    METHOD_HISTORY_PROFILE,
    METHOD_OVULATION,
    METHOD_POPULATION,
    METHOD_PROFILE,
)
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.tests.factories import DailyMoodFactory
from notifications.tests.factories import NotificationFactory
from predictions import training
from predictions.tests.factories import PredictionRecordFactory

# Optional in an answer, each for a reason: sent only in some answers.
SOMETIMES_ABSENT = {
    ("Retrain", "model"): "absent from 202 {status: queued}",
}

OPERATION_IDS = {
    ("post", "/api/v1/auth/register"): "register",
    ("post", "/api/v1/auth/login"): "login",
    ("post", "/api/v1/auth/refresh"): "refreshToken",
    ("post", "/api/v1/auth/logout"): "logout",
    ("get", "/api/v1/auth/me"): "getAccount",
    ("patch", "/api/v1/auth/me"): "updateAccount",
    ("delete", "/api/v1/auth/me"): "deleteAccount",
    ("get", "/api/v1/auth/me/export"): "exportAccount",
    ("post", "/api/v1/auth/password"): "changePassword",
    ("post", "/api/v1/auth/password/reset"): "requestPasswordReset",
    ("post", "/api/v1/auth/password/reset/confirm"): "confirmPasswordReset",
    ("post", "/api/v1/auth/email/verify"): "verifyEmail",
    ("post", "/api/v1/auth/email/verify/resend"): "resendEmailVerification",
    ("get", "/api/v1/health"): "getHealth",
    ("get", "/api/v1/profiles/me/"): "getProfile",
    ("post", "/api/v1/profiles/me/"): "createProfile",
    ("put", "/api/v1/profiles/me/"): "replaceProfile",
    ("patch", "/api/v1/profiles/me/"): "updateProfile",
    ("get", "/api/v1/periods/"): "listPeriods",
    ("post", "/api/v1/periods/"): "createPeriod",
    ("get", "/api/v1/periods/{id}/"): "getPeriod",
    ("put", "/api/v1/periods/{id}/"): "replacePeriod",
    ("patch", "/api/v1/periods/{id}/"): "updatePeriod",
    ("delete", "/api/v1/periods/{id}/"): "deletePeriod",
    ("get", "/api/v1/periods/stats/"): "getCycleStats",
    ("get", "/api/v1/moods/"): "listMoods",
    ("post", "/api/v1/moods/"): "createMood",
    ("get", "/api/v1/moods/{id}/"): "getMood",
    ("put", "/api/v1/moods/{id}/"): "replaceMood",
    ("patch", "/api/v1/moods/{id}/"): "updateMood",
    ("delete", "/api/v1/moods/{id}/"): "deleteMood",
    ("get", "/api/v1/signs/"): "listSigns",
    ("post", "/api/v1/signs/"): "createSign",
    ("get", "/api/v1/signs/{id}/"): "getSign",
    ("put", "/api/v1/signs/{id}/"): "replaceSign",
    ("patch", "/api/v1/signs/{id}/"): "updateSign",
    ("delete", "/api/v1/signs/{id}/"): "deleteSign",
    ("get", "/api/v1/predictions/current/"): "getCurrentPrediction",
    ("get", "/api/v1/predictions/forecast/"): "getForecast",
    ("get", "/api/v1/predictions/history/"): "listPredictionHistory",
    ("get", "/api/v1/predictions/model/"): "getEnergyModel",
    ("post", "/api/v1/predictions/retrain/"): "retrainEnergyModel",
    ("post", "/api/v1/imports/"): "createImport",
    ("get", "/api/v1/imports/{id}/"): "getImport",
    ("get", "/api/v1/calendar/"): "getCalendar",
    ("get", "/api/v1/notifications/"): "listNotifications",
    ("post", "/api/v1/notifications/{id}/read"): "markNotificationRead",
    ("get", "/api/v1/notifications/preferences"): "getNotificationPreferences",
    ("patch", "/api/v1/notifications/preferences"): "updateNotificationPreferences",
    ("post", "/api/v1/notifications/push-subscriptions"): "createPushSubscription",
    ("get", "/api/v1/calendar/feed"): "getCalendarFeed",
    ("post", "/api/v1/calendar/feed/rotate"): "rotateCalendarFeed",
    ("get", "/api/v1/insights"): "getInsights",
    ("get", "/api/v1/reports/cycles.pdf"): "getCycleReport",
}

AUTH_ROUTES = [
    "register",
    "login",
    "refresh",
    "logout",
    "me",
    "me/export",
    "me/activity",
    "password",
    "password/reset",
    "password/reset/confirm",
    "email/verify",
    "email/verify/resend",
]


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def resolve_ref(document, node):
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def response_components(document) -> set[str]:
    """The components a successful answer can contain, nested ones included."""
    schemas = document["components"]["schemas"]
    pending = [
        content["schema"]
        for _method, _path, operation in operations(document)
        for status, response in operation["responses"].items()
        if status.startswith("2")
        for content in response.get("content", {}).values()
    ]
    found: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    pending.append(schemas[name])
            else:
                pending.extend(node.values())
    return found


# --- Required-ness ----------------------------------------------------------------------


def test_every_field_of_every_response_component_is_required_unless_known_to_be_absent(
    document,
):
    schemas = document["components"]["schemas"]
    optional = {
        (name, field)
        for name in response_components(document)
        for field in schemas[name].get("properties", {})
        if field not in schemas[name].get("required", [])
    }
    assert optional == set(SOMETIMES_ABSENT)


def test_request_components_keep_fields_with_defaults_optional(document):
    schemas = document["components"]["schemas"]
    assert "required" not in schemas["ProfileRequest"]
    assert set(schemas["RegisterRequest"]["required"]) == {"email", "password"}
    assert set(schemas["DailyMoodRequest"]["required"]) == {"date", "energy_level"}
    assert "required" not in schemas["PatchedPeriodRequest"]


def test_paginated_lists_require_next_and_previous_which_may_be_null(document):
    schemas = document["components"]["schemas"]
    for name in ("PaginatedDailyMoodList", "PaginatedPeriodList", "PaginatedPredictionHistory"):
        assert {"count", "next", "previous", "results"} <= set(schemas[name]["required"])
        assert schemas[name]["properties"]["next"]["nullable"] is True
        assert schemas[name]["properties"]["previous"]["nullable"] is True


def test_the_body_of_every_post_and_put_that_takes_one_is_required(document):
    for method, path, operation in operations(document):
        if method in {"post", "put"} and "requestBody" in operation:
            assert operation["requestBody"].get("required") is True, (method, path)
    profile = document["paths"]["/api/v1/profiles/me/"]
    assert profile["post"]["requestBody"]["required"] is True
    assert profile["put"]["requestBody"]["required"] is True
    assert "required" not in profile["patch"]["requestBody"]


# --- Enums ------------------------------------------------------------------------------


def enum_of(document, prop):
    """The enum values a property allows (through $ref, allOf and a nullable oneOf)."""
    for key in ("allOf", "oneOf"):
        for option in prop.get(key, []):
            values = resolve_ref(document, option).get("enum")
            if values and values != [None]:
                return values
    return resolve_ref(document, prop).get("enum")


def test_energy_levels_are_an_enum_labelled_low_medium_high_wherever_they_are_read(document):
    schemas = document["components"]["schemas"]
    level = schemas["EnergyLevelEnum"]
    assert level["enum"] == [0, 1, 2]
    assert level["description"] == "* `0` - low\n* `1` - medium\n* `2` - high"
    for component, field in [
        ("Energy", "level"),
        ("HistoryItem", "predicted_level"),
        ("HistoryItem", "actual_level"),
        ("DailyMood", "energy_level"),
        ("DailyMoodExport", "energy_level"),
        ("PredictionRecordExport", "predicted_level"),
    ]:
        assert enum_of(document, schemas[component]["properties"][field]) == [0, 1, 2], field
    assert schemas["ForecastDay"]["properties"]["energy"]["allOf"][0]["$ref"].endswith("/Energy")


def test_the_basis_method_enum_lists_every_method_of_the_engine(document):
    basis = document["components"]["schemas"]["Basis"]["properties"]["method"]
    assert enum_of(document, basis) == [
        METHOD_POPULATION,
        METHOD_PROFILE,
        METHOD_HISTORY,
        METHOD_HISTORY_PROFILE,
        METHOD_OVULATION,
    ]


# --- Operations -------------------------------------------------------------------------


def test_operation_ids_are_the_stable_readable_names_clients_use(document):
    found = {(method, path): op["operationId"] for method, path, op in operations(document)}
    assert {key: found.get(key) for key in OPERATION_IDS} == OPERATION_IDS


def test_operation_ids_are_unique_camel_case_and_carry_no_generated_suffix(document):
    ids = [operation["operationId"] for _m, _p, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][a-zA-Z]*", operation_id), operation_id
        assert not re.search(r"_(create|list|retrieve|update|destroy)$", operation_id)


def test_each_operation_has_its_own_summary_and_description_without_internals(document):
    descriptions = {}
    for method, path, operation in operations(document):
        assert operation.get("summary"), (method, path)
        description = operation.get("description", "")
        assert description, (method, path)
        for internal in ("``", ".py", "cache_key", "serializer"):
            assert internal not in description, (method, path, internal)
        descriptions.setdefault(description, []).append((method, path))
    shared = {text: ops for text, ops in descriptions.items() if len(ops) > 1}
    assert shared == {}


def test_page_and_page_size_declare_their_bounds_on_every_paginated_list(document):
    for operation_id in ("listMoods", "listSigns", "listPeriods", "listPredictionHistory"):
        operation = next(
            op for _m, _p, op in operations(document) if op["operationId"] == operation_id
        )
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 500)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/moods/", "/api/v1/signs/", "/api/v1/periods/", "/api/v1/predictions/history"],
)
def test_page_zero_is_refused_as_the_schema_says(api, path):
    assert api.get(path, {"page": 0}).status_code == 404


# --- The export document ----------------------------------------------------------------


def test_the_export_answer_documents_every_section_of_the_export(document):
    response = document["paths"]["/api/v1/auth/me/export"]["get"]["responses"]["200"]
    export = resolve_ref(document, response["content"]["application/json"]["schema"])
    sections = {section.key for section in user_data_sections()}
    assert {
        "profile",
        "periods",
        "moods",
        "signs",
        "prediction_history",
        "next_period_predictions",
        "energy_model",
        "notifications",
        "notification_preferences",
        "push_subscriptions",
        "calendar_feed",
    } <= sections
    assert set(export["properties"]) == {"exported_at", "account", *sections}
    assert all(section.schema is not None for section in user_data_sections())


# --- Both spellings of every /auth/ path ------------------------------------------------


@pytest.mark.parametrize("route", AUTH_ROUTES)
def test_every_auth_path_resolves_with_and_without_a_trailing_slash(route):
    bare = resolve(f"/api/v1/auth/{route}")
    assert resolve(f"/api/v1/auth/{route}/").func.view_class is bare.func.view_class


def test_the_schema_writes_auth_paths_as_the_contract_does(document):
    auth = [path for path in document["paths"] if path.startswith("/api/v1/auth/")]
    assert sorted(auth) == sorted(f"/api/v1/auth/{route}" for route in AUTH_ROUTES)


@pytest.mark.django_db
def test_me_answers_with_a_trailing_slash_too(api, user):
    assert api.get("/api/v1/auth/me/").json()["email"] == user.email
    assert api.get("/api/v1/auth/me/export/").status_code == 200


@pytest.mark.django_db
def test_login_answers_with_a_trailing_slash_too(anon_client, user):
    body = {"email": user.email, "password": PASSWORD}
    assert anon_client.post("/api/v1/auth/login/", body).status_code == 200


# --- Real answers against the schema ----------------------------------------------------


def check_conforms(document, schema, value, where="body"):
    """Every property the schema names is in ``value`` (unless SOMETIMES_ABSENT),
    no other key is, required ones always, and enums and nulls hold."""
    name = schema["$ref"].rsplit("/", 1)[1] if "$ref" in schema else None
    node = resolve_ref(document, schema)
    if value is None:
        nullable = node.get("nullable") or schema.get("nullable")
        assert nullable or None in (enum_of(document, schema) or []), f"{where} is null"
        return
    for key in ("allOf", "oneOf"):
        options = [o for o in node.get(key, []) if resolve_ref(document, o).get("enum") != [None]]
        if options:
            return check_conforms(document, options[0], value, where)
    if "enum" in node:
        assert value in node["enum"], f"{where}: {value!r} not in {node['enum']}"
    if node.get("type") == "array":
        for index, item in enumerate(value):
            check_conforms(document, node["items"], item, f"{where}[{index}]")
    if node.get("type") == "object" and "properties" in node:
        properties = node["properties"]
        assert set(node.get("required", [])) <= set(value), f"{where}: missing required"
        may_lack = {field for (component, field) in SOMETIMES_ABSENT if component == name}
        assert set(properties) - may_lack <= set(value), f"{where}: missing properties"
        assert set(value) <= set(properties), (
            f"{where}: undocumented {set(value) - set(properties)}"
        )
        for field, prop in properties.items():
            if field in value:
                check_conforms(document, prop, value[field], f"{where}.{field}")


def answer_schema(document, method, path, status):
    response = document["paths"][path][method]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


@pytest.fixture
def frozen():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


@pytest.fixture
def rich_user(db, frozen):
    """Her profile, three cycles, three weeks of logs, a trained model, some history."""
    user = UserFactory(email="rich@example.com", name="Rich")
    today = user.local_today()
    ProfileFactory(user=user)
    for days in (86, 58, 30):
        PeriodFactory(
            user=user,
            start_date=today - timedelta(days=days),
            end_date=today - timedelta(days=days - 4),
        )
    PeriodFactory(user=user, start_date=today - timedelta(days=2), end_date=None)
    for days in range(3, 24):
        DailyMoodFactory(user=user, date=today - timedelta(days=days), energy_level=days % 3)
    PredictionRecordFactory(user=user, date=today - timedelta(days=3))  # logged that day
    PredictionRecordFactory(user=user, date=today - timedelta(days=1))  # not logged
    assert training.energy_model_retrain(user=user).status == "trained"
    return user


def test_real_answers_of_every_endpoint_carry_exactly_what_the_schema_requires(
    document, rich_user, client_for, anon_client
):
    api = client_for(rich_user)
    today = rich_user.local_today()
    NotificationFactory(user=rich_user)  # her list and her export show one
    calls = [
        (anon_client, "get", "/api/v1/health", "/api/v1/health", None, 200),
        (
            anon_client,
            "post",
            "/api/v1/auth/register",
            "/api/v1/auth/register",
            {"email": "new@example.com", "password": "a-long-enough-passphrase-2026"},
            201,
        ),
        (
            anon_client,
            "post",
            "/api/v1/auth/login",
            "/api/v1/auth/login",
            {"email": rich_user.email, "password": PASSWORD},
            200,
        ),
        (api, "get", "/api/v1/auth/me", "/api/v1/auth/me", None, 200),
        (api, "patch", "/api/v1/auth/me", "/api/v1/auth/me", {"name": "R"}, 200),
        (api, "get", "/api/v1/auth/me/export", "/api/v1/auth/me/export", None, 200),
        (
            anon_client,
            "post",
            "/api/v1/auth/password/reset",
            "/api/v1/auth/password/reset",
            {"email": rich_user.email},
            202,
        ),
        (
            api,
            "post",
            "/api/v1/auth/email/verify/resend",
            "/api/v1/auth/email/verify/resend",
            None,
            202,
        ),
        (api, "get", "/api/v1/profiles/me/", "/api/v1/profiles/me", None, 200),
        (api, "post", "/api/v1/profiles/me/", "/api/v1/profiles/me", {}, 200),
        (api, "get", "/api/v1/periods/", "/api/v1/periods/", None, 200),
        (api, "get", "/api/v1/periods/stats/", "/api/v1/periods/stats", None, 200),
        (
            api,
            "post",
            "/api/v1/periods/",
            "/api/v1/periods/",
            {
                "start_date": (today - timedelta(days=150)).isoformat(),
                "end_date": (today - timedelta(days=146)).isoformat(),
            },
            201,
        ),
        (api, "get", "/api/v1/moods/", "/api/v1/moods/", {"page_size": 5}, 200),
        (
            api,
            "post",
            "/api/v1/moods/",
            "/api/v1/moods/",
            {"date": today.isoformat(), "energy_level": 2},
            201,
        ),
        (api, "get", "/api/v1/predictions/current/", "/api/v1/predictions/current", None, 200),
        (
            api,
            "get",
            "/api/v1/predictions/forecast/",
            "/api/v1/predictions/forecast",
            {"days": 40},
            200,
        ),
        (api, "get", "/api/v1/predictions/history/", "/api/v1/predictions/history", None, 200),
        (
            api,
            "get",
            "/api/v1/calendar/",
            "/api/v1/calendar",
            {"start": (today - timedelta(days=90)).isoformat()},
            200,
        ),
        (api, "get", "/api/v1/predictions/model/", "/api/v1/predictions/model", None, 200),
        (api, "post", "/api/v1/predictions/retrain/", "/api/v1/predictions/retrain", None, 200),
        (api, "get", "/api/v1/notifications/", "/api/v1/notifications/", None, 200),
        (
            api,
            "get",
            "/api/v1/notifications/preferences",
            "/api/v1/notifications/preferences",
            None,
            200,
        ),
        (
            api,
            "patch",
            "/api/v1/notifications/preferences",
            "/api/v1/notifications/preferences",
            {"log_reminder_time": "20:30"},
            200,
        ),
        (api, "get", "/api/v1/calendar/feed", "/api/v1/calendar/feed", None, 200),
        (api, "post", "/api/v1/calendar/feed/rotate", "/api/v1/calendar/feed/rotate", None, 200),
        (api, "get", "/api/v1/insights", "/api/v1/insights", None, 200),
    ]
    for client, method, path, url, data, status in calls:
        send = getattr(client, method)
        response = send(url, data) if method == "get" else send(url, data or {}, format="json")
        assert response.status_code == status, (method, url, response.content)
        body = response.json()
        check_conforms(document, answer_schema(document, method, path, status), body, url)
    # One of each per-id answer, from the lists just checked.
    for resource in ("periods", "moods"):
        item = api.get(f"/api/v1/{resource}/").json()["results"][0]
        body = api.get(f"/api/v1/{resource}/{item['id']}/").json()
        schema = answer_schema(document, "get", f"/api/v1/{resource}/{{id}}/", 200)
        check_conforms(document, schema, body, f"{resource}/{{id}}")


def test_the_cycle_report_is_documented_as_a_pdf_download(document, rich_user, client_for):
    responses = document["paths"]["/api/v1/reports/cycles.pdf"]["get"]["responses"]
    assert responses["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    response = client_for(rich_user).get("/api/v1/reports/cycles.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_checker_notices_an_answer_that_lacks_a_field(document, rich_user, client_for):
    body = client_for(rich_user).get("/api/v1/auth/me").json()
    del body["timezone"]
    with pytest.raises(AssertionError):
        check_conforms(document, answer_schema(document, "get", "/api/v1/auth/me", 200), body)
