"""The admin: staff only, never through a JWT, with its CSRF token.

Part of what SECURITY.md promises, each shown over real HTTP."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


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
