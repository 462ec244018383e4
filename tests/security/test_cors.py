"""CORS: only the configured frontend, only on the API.

Part of what SECURITY.md promises, each shown over real HTTP."""

import pytest

from .common import API

pytestmark = pytest.mark.django_db


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
