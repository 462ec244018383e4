import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils.timezone import now

from .factories import PASSWORD, UserFactory

User = get_user_model()
STRONG = "a-much-better-passphrase-42"


def login(client, email="alice@example.com", password=PASSWORD):
    return client.post("/api/v1/auth/login", {"email": email, "password": password})


def bearer(client, access):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- register ---------------------------------------------------------------


@pytest.mark.django_db
def test_register_creates_a_user_and_logs_her_in(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register",
        {"email": "Ada@Example.com", "password": STRONG, "name": "Ada", "timezone": "Europe/Paris"},
    )
    assert response.status_code == 201, response.data
    assert response.data["user"]["email"] == "ada@example.com"  # stored in its normal form
    assert response.data["user"]["timezone"] == "Europe/Paris"
    assert set(response.data) == {"user", "access", "refresh"}
    me = bearer(anon_client, response.data["access"]).get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.data["name"] == "Ada"


@pytest.mark.django_db
def test_register_defaults_the_timezone_to_utc(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "b@example.com", "password": STRONG}
    )
    assert response.status_code == 201
    assert response.data["user"]["timezone"] == "UTC"


def test_register_refuses_an_email_taken_in_another_case(anon_client, user):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "ALICE@example.COM", "password": STRONG}
    )
    assert response.status_code == 400
    assert "email" in response.data
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "b@example.com"])
def test_register_refuses_a_weak_password(anon_client, password):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "b@example.com", "password": password}
    )
    assert response.status_code == 400
    assert "password" in response.data
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": STRONG},
        {"email": "c@example.com", "password": STRONG, "timezone": "Mars/Olympus"},
        {"email": "c@example.com", "password": STRONG, "timezone": "../../etc/passwd"},
        {"email": "c@example.com"},
        {},
        [],
        {"email": ["c@example.com"], "password": STRONG},
        {"email": "c\x00@example.com", "password": STRONG},
    ],
)
def test_register_refuses_malformed_input_with_a_400(anon_client, body):
    response = anon_client.post("/api/v1/auth/register", body, format="json")
    assert response.status_code == 400
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_refuses_invalid_json(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


# --- login ------------------------------------------------------------------


def test_login_returns_a_token_pair(anon_client, user):
    response = login(anon_client)
    assert response.status_code == 200
    assert set(response.data) == {"access", "refresh"}


def test_login_accepts_the_email_in_any_case(anon_client, user):
    assert login(anon_client, email="ALICE@EXAMPLE.com").status_code == 200


def test_login_with_a_wrong_password_is_a_401(anon_client, user):
    response = login(anon_client, password="wrong-password")
    assert response.status_code == 401


@pytest.mark.django_db
def test_login_of_an_unknown_email_is_a_401(anon_client):
    assert login(anon_client, email="nobody@example.com").status_code == 401


def test_login_of_a_deactivated_user_is_a_401(anon_client, user):
    user.is_active = False
    user.save()
    assert login(anon_client).status_code == 401


# --- refresh and logout -----------------------------------------------------


def test_refresh_rotates_and_refuses_the_old_token(anon_client, user):
    first = login(anon_client).data
    response = anon_client.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert response.status_code == 200
    assert set(response.data) == {"access", "refresh"}
    assert response.data["refresh"] != first["refresh"]
    again = anon_client.post("/api/v1/auth/refresh", {"refresh": response.data["refresh"]})
    assert again.status_code == 200
    reused = anon_client.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert reused.status_code == 401


def test_logout_revokes_the_refresh_token(anon_client, user):
    tokens = login(anon_client).data
    bearer(anon_client, tokens["access"])
    response = anon_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]})
    assert response.status_code == 205
    refused = anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refused.status_code == 401


def test_logout_needs_authentication(anon_client, user):
    tokens = login(anon_client).data
    response = anon_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_logout_refuses_another_users_refresh_token(anon_client, user, other_user):
    victim = login(anon_client, email=other_user.email).data
    mine = login(anon_client).data
    bearer(anon_client, mine["access"])
    response = anon_client.post("/api/v1/auth/logout", {"refresh": victim["refresh"]})
    assert response.status_code == 400
    still_valid = anon_client.post("/api/v1/auth/refresh", {"refresh": victim["refresh"]})
    assert still_valid.status_code == 200


def test_logout_of_garbage_is_a_400(api):
    assert api.post("/api/v1/auth/logout", {"refresh": "garbage"}).status_code == 400
    assert api.post("/api/v1/auth/logout", {}).status_code == 400


# --- token abuse ------------------------------------------------------------


def test_an_expired_access_token_is_a_401(anon_client, user):
    tokens = login(anon_client).data
    bearer(anon_client, tokens["access"])
    with time_machine.travel(now() + timedelta(minutes=16)):
        assert anon_client.get("/api/v1/auth/me").status_code == 401


def test_an_access_token_lives_15_minutes(anon_client, user):
    tokens = login(anon_client).data
    bearer(anon_client, tokens["access"])
    with time_machine.travel(now() + timedelta(minutes=14)):
        assert anon_client.get("/api/v1/auth/me").status_code == 200


def test_an_expired_refresh_token_is_a_401(anon_client, user):
    tokens = login(anon_client).data
    with time_machine.travel(now() + timedelta(days=7, minutes=1)):
        response = anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_a_tampered_access_token_is_a_401(anon_client, user):
    access = login(anon_client).data["access"]
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["user_id"] = str(int(claims["user_id"]) + 1)
    forged = f"{header}.{b64(claims)}.{signature}"
    assert bearer(anon_client, forged).get("/api/v1/auth/me").status_code == 401


def test_an_unsigned_alg_none_token_is_a_401(anon_client, user):
    access = login(anon_client).data["access"]
    payload = access.split(".")[1]
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    assert bearer(anon_client, forged).get("/api/v1/auth/me").status_code == 401


def test_a_refresh_token_used_as_an_access_token_is_a_401(anon_client, user):
    refresh = login(anon_client).data["refresh"]
    assert bearer(anon_client, refresh).get("/api/v1/auth/me").status_code == 401


def test_an_access_token_used_as_a_refresh_token_is_a_401(anon_client, user):
    access = login(anon_client).data["access"]
    assert anon_client.post("/api/v1/auth/refresh", {"refresh": access}).status_code == 401


@pytest.mark.django_db
def test_every_private_endpoint_needs_a_token(anon_client):
    for path in [
        "/api/v1/auth/me",
        "/api/v1/auth/me/export",
        "/api/v1/profiles/me",
        "/api/v1/periods/",
        "/api/v1/periods/stats",
        "/api/v1/moods/",
    ]:
        assert anon_client.get(path).status_code == 401, path


# --- me, password, export, delete --------------------------------------------


def test_me_shows_the_account(api, user):
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.data == {
        "id": user.pk,
        "email": "alice@example.com",
        "name": "Alice",
        "timezone": "UTC",
        "date_joined": response.data["date_joined"],
        "email_verified": False,
    }


def test_me_patch_changes_name_and_timezone_but_not_email(api, user):
    response = api.patch(
        "/api/v1/auth/me",
        {"name": "Alice B", "timezone": "Pacific/Kiritimati", "email": "x@example.com", "id": 99},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.name, user.timezone, user.email) == (
        "Alice B",
        "Pacific/Kiritimati",
        "alice@example.com",
    )


def test_me_patch_refuses_an_unknown_timezone(api, user):
    response = api.patch("/api/v1/auth/me", {"timezone": "Europe/Atlantis"})
    assert response.status_code == 400
    assert "timezone" in response.data
    user.refresh_from_db()
    assert user.timezone == "UTC"


def test_password_change_needs_the_old_password(api, user):
    response = api.post("/api/v1/auth/password", {"old_password": "nope", "new_password": STRONG})
    assert response.status_code == 400
    assert "old_password" in response.data


def test_password_change_applies_the_validators(api, user):
    response = api.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": "123"})
    assert response.status_code == 400
    assert "new_password" in response.data


def test_password_change_revokes_refresh_tokens_and_takes_effect(anon_client, user):
    tokens = login(anon_client).data
    bearer(anon_client, tokens["access"])
    response = anon_client.post(
        "/api/v1/auth/password", {"old_password": PASSWORD, "new_password": STRONG}
    )
    assert response.status_code == 204
    assert (
        anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}).status_code == 401
    )
    anon_client.credentials()
    assert login(anon_client).status_code == 401
    assert login(anon_client, password=STRONG).status_code == 200


def test_export_returns_the_account(api, user):
    response = api.get("/api/v1/auth/me/export")
    assert response.status_code == 200
    assert response.data["account"]["email"] == user.email
    assert response.data["account"]["id"] == user.pk


def test_delete_needs_the_password(api, user):
    response = api.delete("/api/v1/auth/me", {"password": "wrong"})
    assert response.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    assert api.delete("/api/v1/auth/me", {}).status_code == 400


def test_delete_removes_the_user_and_login_is_refused(anon_client, user, other_user):
    tokens = login(anon_client).data
    bearer(anon_client, tokens["access"])
    assert anon_client.delete("/api/v1/auth/me", {"password": PASSWORD}).status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=other_user.pk).exists()
    assert anon_client.get("/api/v1/auth/me").status_code == 401
    assert (
        anon_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}).status_code == 401
    )
    anon_client.credentials()
    assert login(anon_client).status_code == 401


# --- throttling -------------------------------------------------------------


@pytest.mark.django_db
def test_login_is_throttled_per_client_ip(anon_client, settings):
    UserFactory(email="alice@example.com")
    statuses = [login(anon_client, password="wrong").status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    throttled = login(anon_client)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_limit(anon_client):
    statuses = [
        anon_client.post(
            "/api/v1/auth/login",
            {"email": "x@example.com", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_another_client_ip_has_its_own_budget(anon_client):
    for _ in range(11):
        login(anon_client, email="x@example.com")
    # Another account: x@example.com itself is now locked from every address.
    other = anon_client.post(
        "/api/v1/auth/login", {"email": "y@example.com", "password": "x"}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 401


# --- passwords keep their spaces ----------------------------------------------

SPACED = "  a much better passphrase 42 "


@pytest.mark.django_db
def test_a_password_with_surrounding_spaces_registers_and_logs_in_only_with_them(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "sp@example.com", "password": SPACED}
    )
    assert response.status_code == 201
    assert User.objects.get(email="sp@example.com").check_password(SPACED)
    assert login(anon_client, "sp@example.com", SPACED).status_code == 200
    for without in [SPACED.strip(), SPACED.lstrip(), SPACED.rstrip()]:
        assert login(anon_client, "sp@example.com", without).status_code == 401


def test_a_new_password_keeps_its_spaces(api, user):
    response = api.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": SPACED})
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(SPACED)
    assert not user.check_password(SPACED.strip())


def test_the_old_password_and_the_deletion_password_are_checked_with_their_spaces(anon_client, db):
    person = UserFactory(email="spaced@example.com")
    person.set_password(SPACED)
    person.save()
    client = bearer(anon_client, login(anon_client, person.email, SPACED).data["access"])
    for trimmed in [SPACED.strip(), SPACED.rstrip()]:
        response = client.post(
            "/api/v1/auth/password", {"old_password": trimmed, "new_password": STRONG}
        )
        assert response.status_code == 400
        response = client.delete("/api/v1/auth/me", {"password": trimmed})
        assert response.status_code == 400
    assert client.delete("/api/v1/auth/me", {"password": SPACED}).status_code == 204


@pytest.mark.django_db
def test_a_password_of_spaces_only_is_judged_by_the_validators_not_refused_as_blank(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "blank@example.com", "password": " " * 20}
    )
    assert response.status_code == 201
    assert login(anon_client, "blank@example.com", " " * 20).status_code == 200
