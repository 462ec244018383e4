"""JWTs: keys, algorithms, deactivated and deleted accounts, rotation.

Part of what SECURITY.md promises, each shown over real HTTP."""

import secrets
import threading
from datetime import timedelta

import jwt
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils.timezone import now
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import UserFactory

from .common import API, User, bearer, login

pytestmark = pytest.mark.django_db


# --- Tokens -----------------------------------------------------------------------------


def forged_access_token(user, *, key, algorithm="HS256", user_id=None) -> str:
    """A well-formed access token for ``user`` (or naming ``user_id``), signed with ``key``."""
    issued = now()
    claims = {
        "token_type": "access",
        "exp": int((issued + timedelta(minutes=15)).timestamp()),
        "iat": int(issued.timestamp()),
        "jti": secrets.token_hex(16),
        "user_id": str(user.pk) if user_id is None else user_id,
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


# --- What authentication reads once per process -------------------------------------------


@pytest.mark.parametrize("claim", ["not-a-number", "99999999999999999999999", "-1", ["1"]])
def test_a_signed_token_whose_user_id_is_no_user_is_a_401(user, claim):
    token = forged_access_token(user, key=django_settings.SECRET_KEY, user_id=claim)
    answer = bearer(token).get(f"{API}/auth/me")
    assert answer.status_code == 401
    assert answer.json()["code"] == "user_not_found"


def test_a_token_this_process_verified_is_refused_once_it_expires(user):
    import time_machine

    client = bearer(AccessToken.for_user(user))
    assert client.get(f"{API}/auth/me").status_code == 200  # verified, and kept
    with time_machine.travel(now() + timedelta(minutes=15, seconds=1)):
        answer = client.get(f"{API}/auth/me")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_not_valid"


def test_verified_tokens_start_over_when_full():
    from accounts.authentication import VerifiedTokens

    class Token:
        payload = {"exp": 2**40}

    verified = VerifiedTokens(size=2)
    verified.add(b"a", Token())
    verified.add(b"b", Token())
    assert verified.get(b"a") is not None
    verified.add(b"c", Token())
    assert (verified.get(b"a"), verified.get(b"b")) == (None, None)
    assert verified.get(b"c") is not None


def test_the_simplejwt_settings_authentication_does_not_read_keep_their_values(settings):
    from accounts.checks import jwt_settings_authentication_honours

    assert jwt_settings_authentication_honours(None) == []
    changed = {"CHECK_REVOKE_TOKEN": True, "USER_ID_FIELD": "email"}
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, **changed}
    assert [e.id for e in jwt_settings_authentication_honours(None)] == [
        "accounts.E001",
        "accounts.E002",
    ]
