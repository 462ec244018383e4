"""Sessions that end: password changes, replayed refresh tokens, the longest a
session lasts, logout, and refresh tokens kept out of reach of a database reader.

Part of what SECURITY.md promises, each shown over real HTTP."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.timezone import now
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import mail, services, tasks
from accounts.models import ActivityEvent
from accounts.tests.factories import PASSWORD, UserFactory

from .common import API, STRONG, User, bearer, login

pytestmark = pytest.mark.django_db


def refresh(client, token):
    return client.post(f"{API}/auth/refresh", {"refresh": token})


def opens_account(access) -> bool:
    status = bearer(access).get(f"{API}/auth/me").status_code
    assert status in (200, 401)
    return status == 200


# --- Password change ---------------------------------------------------------------------


def test_a_password_change_ends_every_older_token_at_once(anon_client, user):
    here, elsewhere = login(anon_client, user.email).data, login(anon_client, user.email).data
    assert opens_account(here["access"]) and opens_account(elsewhere["access"])
    changed = bearer(here["access"]).post(
        f"{API}/auth/password", {"old_password": PASSWORD, "new_password": STRONG}
    )
    assert changed.status_code == 204
    # Within the access tokens' 15 minutes: no waiting for them to expire.
    for session in (here, elsewhere):
        assert not opens_account(session["access"])
        assert refresh(anon_client, session["refresh"]).status_code == 401
    again = login(anon_client, user.email, STRONG)
    assert again.status_code == 200
    assert opens_account(again.data["access"])
    assert refresh(anon_client, again.data["refresh"]).status_code == 200


def test_user_set_password_ends_every_session_for_the_reset_too(anon_client, user):
    """The reset flow calls the same function as the change."""
    tokens = login(anon_client, user.email).data
    services.user_set_password(user=user, password=STRONG)
    assert not opens_account(tokens["access"])
    assert refresh(anon_client, tokens["refresh"]).status_code == 401
    assert login(anon_client, user.email, STRONG).status_code == 200


def test_a_password_reset_ends_every_older_token_at_once(anon_client, user):
    tokens = login(anon_client, user.email).data
    user.refresh_from_db()  # the link is made from her row as the login left it
    query = {"uid": mail.reset_uid(user), "token": mail.reset_link(user).rsplit("=", 1)[1]}
    confirmed = anon_client.post(
        f"{API}/auth/password/reset/confirm", {**query, "new_password": STRONG}
    )
    assert confirmed.status_code == 204
    assert not opens_account(tokens["access"])
    assert refresh(anon_client, tokens["refresh"]).status_code == 401
    assert opens_account(login(anon_client, user.email, STRONG).data["access"])


def test_a_refused_password_change_ends_no_session(anon_client, user):
    tokens = login(anon_client, user.email).data
    refused = bearer(tokens["access"]).post(
        f"{API}/auth/password", {"old_password": "not-hers", "new_password": STRONG}
    )
    assert refused.status_code == 400
    assert opens_account(tokens["access"])
    assert refresh(anon_client, tokens["refresh"]).status_code == 200


# --- Replayed refresh tokens -------------------------------------------------------------


def test_a_replayed_refresh_token_ends_its_whole_chain_and_no_other_session(anon_client, user):
    first = login(anon_client, user.email).data
    second = refresh(anon_client, first["refresh"]).data
    third = refresh(anon_client, second["refresh"]).data
    other_login = login(anon_client, user.email).data
    assert opens_account(third["access"])

    replay = anon_client.post(
        f"{API}/auth/refresh", {"refresh": first["refresh"]}, HTTP_USER_AGENT="thief/1.0"
    )
    assert replay.status_code == 401

    # She sees it in her activity, once, with the thief's client.
    activity = bearer(other_login["access"]).get(f"{API}/auth/me/activity").json()["results"]
    reuses = [event for event in activity if event["event"] == "refresh_reuse"]
    assert [event["user_agent"] for event in reuses] == ["thief/1.0"]
    # Every token of that login's chain, the newest included, is dead...
    for tokens in (first, second, third):
        assert not opens_account(tokens["access"])
    assert refresh(anon_client, third["refresh"]).status_code == 401
    assert refresh(anon_client, first["refresh"]).status_code == 401
    assert ActivityEvent.objects.filter(user=user, event="refresh_reuse").count() == 1
    # ...and her other session goes on.
    assert opens_account(other_login["access"])
    assert refresh(anon_client, other_login["refresh"]).status_code == 200


def test_the_newest_refresh_token_of_a_revoked_chain_is_on_the_blacklist(anon_client, user):
    first = login(anon_client, user.email).data
    second = refresh(anon_client, first["refresh"]).data
    refresh(anon_client, first["refresh"])
    assert OutstandingToken.objects.filter(user=user).count() == 2
    assert BlacklistedToken.objects.filter(token__user=user).count() == 2
    assert refresh(anon_client, second["refresh"]).status_code == 401


def test_a_replay_after_a_password_change_only_is_refused(anon_client, user):
    """Her other device, still holding a token from before the change, is no
    theft: refused, nothing more."""
    first = login(anon_client, user.email).data
    refresh(anon_client, first["refresh"])
    services.user_set_password(user=user, password=STRONG)
    user.refresh_from_db()
    assert refresh(anon_client, first["refresh"]).status_code == 401
    assert user.revoked_chains == {}
    assert not ActivityEvent.objects.filter(event="refresh_reuse").exists()


# --- The longest a session lasts ---------------------------------------------------------


def test_a_session_ends_session_max_days_after_its_login_however_often_refreshed(anon_client, user):
    assert django_settings.SESSION_MAX_DAYS == 30
    start = now()
    with time_machine.travel(start, tick=False):
        tokens = login(anon_client, user.email).data
    for day in range(6, 30, 6):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            response = refresh(anon_client, tokens["refresh"])
            assert response.status_code == 200, day
            tokens = response.data
    with time_machine.travel(start + timedelta(days=29, hours=23, minutes=50), tick=False):
        late = refresh(anon_client, tokens["refresh"])
        assert late.status_code == 200
        # Handed out near the end, the access token still ends with the session.
        access = late.data["access"]
        assert opens_account(access)
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        assert refresh(anon_client, late.data["refresh"]).status_code == 401
        assert not opens_account(access)
        # A new login starts a new session.
        assert (
            refresh(anon_client, login(anon_client, user.email).data["refresh"]).status_code == 200
        )


def test_session_max_days_comes_from_the_settings(anon_client, user, settings):
    settings.SESSION_MAX_DAYS = 2
    start = now()
    with time_machine.travel(start, tick=False):
        tokens = login(anon_client, user.email).data
    with time_machine.travel(start + timedelta(days=1), tick=False):
        tokens = refresh(anon_client, tokens["refresh"]).data
    with time_machine.travel(start + timedelta(days=2, seconds=1), tick=False):
        assert refresh(anon_client, tokens["refresh"]).status_code == 401


def test_a_token_from_before_sessions_had_chains_refreshes_into_one(anon_client, user):
    """Tokens issued before this release carry no session claims: they still
    work, and their next refresh starts a session that ends like any other."""
    old = str(RefreshToken.for_user(user))
    start = now()
    with time_machine.travel(start, tick=False):
        tokens = refresh(anon_client, old).data
        successor = RefreshToken(tokens["refresh"])
    assert {"chain", "auth_time", "token_version"} <= set(successor.payload)
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        assert refresh(anon_client, tokens["refresh"]).status_code == 401


# --- Logout ------------------------------------------------------------------------------


def test_logout_ends_that_sessions_access_tokens_and_no_other(anon_client, user):
    leaving, staying = login(anon_client, user.email).data, login(anon_client, user.email).data
    response = bearer(leaving["access"]).post(f"{API}/auth/logout", {"refresh": leaving["refresh"]})
    assert response.status_code == 205
    assert not opens_account(leaving["access"])
    assert refresh(anon_client, leaving["refresh"]).status_code == 401
    assert opens_account(staying["access"])


def test_ended_sessions_leave_her_row_once_their_tokens_expired(anon_client, user):
    tokens = login(anon_client, user.email).data
    bearer(tokens["access"]).post(f"{API}/auth/logout", {"refresh": tokens["refresh"]})
    user.refresh_from_db()
    assert len(user.revoked_chains) == 1
    with time_machine.travel(now() + timedelta(minutes=16)):
        later = login(anon_client, user.email).data
        bearer(later["access"]).post(f"{API}/auth/logout", {"refresh": later["refresh"]})
    user.refresh_from_db()
    assert len(user.revoked_chains) == 1  # the first one was pruned


# --- Stored tokens -----------------------------------------------------------------------


def issue_every_kind_of_token(anon_client, user) -> list[str]:
    registered = anon_client.post(
        f"{API}/auth/register", {"email": "ada@example.com", "password": STRONG}
    ).data
    first = login(anon_client, user.email).data
    second = refresh(anon_client, first["refresh"]).data
    bearer(second["access"]).post(f"{API}/auth/logout", {"refresh": second["refresh"]})
    return [registered["refresh"], first["refresh"], second["refresh"]]


def test_the_database_holds_no_replayable_refresh_token(anon_client, user):
    issued = issue_every_kind_of_token(anon_client, user)
    stored = list(OutstandingToken.objects.values_list("token", flat=True))
    assert len(stored) == 3
    for value in stored:
        assert value not in issued
        assert not any(token in value or value in token for token in issued)
        assert "eyJ" not in value  # no JWT at all
        assert refresh(anon_client, value).status_code == 401


def test_the_token_admin_shows_no_full_token(client, anon_client, user):
    issued = issue_every_kind_of_token(anon_client, user)
    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    pages = [reverse("admin:token_blacklist_outstandingtoken_changelist")]
    pages += [reverse("admin:token_blacklist_blacklistedtoken_changelist")]
    pages += [
        reverse("admin:token_blacklist_outstandingtoken_change", args=[pk])
        for pk in OutstandingToken.objects.values_list("pk", flat=True)
    ]
    pages += [
        reverse("admin:token_blacklist_blacklistedtoken_change", args=[pk])
        for pk in BlacklistedToken.objects.values_list("pk", flat=True)
    ]
    jti = OutstandingToken.objects.first().jti
    shown = b""
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        shown += response.content
    assert jti.encode() in shown  # the control: rows are shown
    for token in issued:
        assert token.encode() not in shown
        assert token.split(".")[2].encode() not in shown  # not even its signature
    assert b"sha256:" not in shown


def test_the_token_admin_changes_nothing(client, user):
    services.user_set_password(user=user, password=STRONG)  # some rows
    RefreshToken.for_user(user)
    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    row = OutstandingToken.objects.first()
    change = reverse("admin:token_blacklist_outstandingtoken_change", args=[row.pk])
    client.post(change, {"jti": "forged", "expires_at": "2000-01-01"})
    delete = reverse("admin:token_blacklist_outstandingtoken_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.jti != "forged"


# --- Flushing expired rows ----------------------------------------------------------------


def test_expired_refresh_tokens_are_flushed_daily(anon_client, user):
    assert django_settings.CELERY_BEAT_SCHEDULE["flush-expired-tokens"]["schedule"] == 86400
    old = login(anon_client, user.email).data
    refresh(anon_client, old["refresh"])
    with time_machine.travel(now() + timedelta(days=7, minutes=1)):
        fresh = login(anon_client, user.email).data
        tasks.flush_expired_tokens()
        assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [
            RefreshToken(fresh["refresh"])["jti"]
        ]
    assert not BlacklistedToken.objects.exists()


def test_the_session_checks_add_no_query_to_a_request(user, django_assert_num_queries):
    """The session checks add no query: the authenticator's read of her row is the only one."""
    access = login(bearer(""), user.email).data["access"]
    with django_assert_num_queries(1):
        assert bearer(access).get(f"{API}/auth/me").status_code == 200
    assert User.objects.get(pk=user.pk).token_version == 0


# --- Any sequence of session operations ----------------------------------------------------

# One step on one of three sessions: refresh with its newest token, replay one of
# its older tokens, or log out.
steps = st.lists(
    st.tuples(st.sampled_from(["refresh", "replay", "logout"]), st.integers(0, 2)),
    max_size=8,
)


@given(steps=steps)
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_a_session_lives_until_it_is_replayed_or_logged_out_and_no_other_dies(anon_client, steps):
    cache.clear()  # the auth throttle counts every example's calls
    person = UserFactory()
    sessions = [[login(anon_client, person.email).data] for _ in range(3)]
    alive = [True, True, True]
    for action, index in steps:
        history = sessions[index]
        if action == "refresh":
            response = refresh(anon_client, history[-1]["refresh"])
            assert response.status_code == (200 if alive[index] else 401)
            if alive[index]:
                history.append(response.data)
        elif action == "replay":
            if len(history) < 2:
                continue
            assert refresh(anon_client, history[0]["refresh"]).status_code == 401
            alive[index] = False
        else:
            response = bearer(history[-1]["access"]).post(
                f"{API}/auth/logout", {"refresh": history[-1]["refresh"]}
            )
            assert response.status_code == (205 if alive[index] else 401)
            alive[index] = False
        for session, live in zip(sessions, alive, strict=True):
            assert opens_account(session[-1]["access"]) == live


def test_the_migration_digests_refresh_tokens_stored_in_full(anon_client, user):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0008_digest_stored_refresh_tokens")
    stored_in_full = str(RefreshToken.for_user(user))  # simplejwt's own way: the whole token
    assert OutstandingToken.objects.filter(token=stored_in_full).exists()
    migration.digest_stored_tokens(apps, None)
    assert not OutstandingToken.objects.filter(token__contains="eyJ").exists()
    # Still the same row (jti) for the blacklist: the token refreshes once, then not again.
    assert refresh(anon_client, stored_in_full).status_code == 200
    assert refresh(anon_client, stored_in_full).status_code == 401
