"""The middleware stack: the session user and messages stand aside under /api/
(bearer tokens there); the admin keeps them, and every path keeps sessions and CSRF."""

import pytest
from django.test import Client

from accounts.tests.factories import PASSWORD, UserFactory

API = "/api/v1"

pytestmark = pytest.mark.django_db


def test_an_api_request_opens_no_session_makes_no_session_user_and_keeps_no_messages(api, client):
    staff = UserFactory(email="staff@planher.test", is_staff=True)
    client.force_login(staff)
    client.get("/admin/login/")  # her browser holds a session and a CSRF cookie
    api.cookies = client.cookies  # ... and sends them along to the API too
    response = api.get(f"{API}/auth/me")
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "auser")  # Django's session user: DRF's token user instead
    assert not hasattr(request, "_messages")
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_an_api_write_needs_no_csrf_token_and_a_session_alone_opens_nothing(db):
    staff = UserFactory(email="staff@planher.test", is_staff=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    response = strict.post(
        f"{API}/moods/", {"date": "2026-01-01", "energy_level": 1}, content_type="application/json"
    )
    assert response.status_code == 401  # no bearer token: a session cookie is not a login
    assert response.json()["code"] == "not_authenticated"


def test_the_admin_still_logs_in_with_its_session_and_csrf_token(db):
    UserFactory(email="staff@planher.test", is_staff=True)
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/admin/login/")
    token = page.cookies["csrftoken"].value
    response = strict.post(
        "/admin/login/",
        {"username": "staff@planher.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert "sessionid" in response.cookies
    assert hasattr(response.wsgi_request, "session")
    assert strict.get("/admin/").status_code == 200
