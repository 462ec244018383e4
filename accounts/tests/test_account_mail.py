"""Password reset and email verification, with Django's locmem mail backend.

The tests commit for real (mail is queued on commit). Mail jobs then wait in
the test's background runner (the autouse ``background_jobs`` fixture) until
``background_jobs.drain()``: what the request itself sent is ``mail.outbox``
before the drain.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail as outbox
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts import mail, tasks

from .factories import PASSWORD, UserFactory

# Real commits: mail is queued when the request's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

User = get_user_model()
STRONG = "a-much-better-passphrase-42"
RESET = "/api/v1/auth/password/reset"
CONFIRM = "/api/v1/auth/password/reset/confirm"
VERIFY = "/api/v1/auth/email/verify"
RESEND = "/api/v1/auth/email/verify/resend"


def link_in(message, page: str) -> dict[str, str]:
    """The query of the one link to ``page`` in the plain-text body."""
    links = [word for word in message.body.split() if f"/{page}?" in word]
    assert len(links) == 1, message.body
    assert links[0].startswith(f"http://localhost:5173/{page}?")
    return {key: values[0] for key, values in parse_qs(urlsplit(links[0]).query).items()}


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def login(client, email="alice@example.com", password=PASSWORD):
    return client.post("/api/v1/auth/login", {"email": email, "password": password})


def ask_reset(client, email, ip="10.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


# --- verification ------------------------------------------------------------------


def test_registration_sends_the_verification_link_after_the_request_not_inside_it(
    anon_client, background_jobs
):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "Ada@Example.com", "password": STRONG, "name": "Ada"}
    )
    assert response.status_code == 201
    assert response.data["user"]["email_verified"] is False
    assert outbox.outbox == []  # queued, not sent by the request
    background_jobs.drain()
    [message] = outbox.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Confirm your email address for PlanHer"
    key = link_in(message, "verify-email")["key"]
    assert f"/verify-email?key={key}" in html_of(message)
    assert "Hello Ada" in message.body


def test_a_failed_registration_queues_no_email(anon_client, user, background_jobs):
    response = anon_client.post("/api/v1/auth/register", {"email": user.email, "password": STRONG})
    assert response.status_code == 400
    background_jobs.drain()
    assert outbox.outbox == []


def test_the_verification_link_verifies_her_address_and_works_again_harmlessly(
    anon_client, api, user, background_jobs
):
    assert api.get("/api/v1/auth/me").json()["email_verified"] is False
    key = mail.verification_key(user)
    assert anon_client.post(VERIFY, {"key": key}).status_code == 204
    assert api.get("/api/v1/auth/me").json()["email_verified"] is True
    assert anon_client.post(VERIFY, {"key": key}).status_code == 204
    user.refresh_from_db()
    assert user.email_verified is True


@pytest.mark.parametrize(
    "key", ["", "nonsense", "eyJ1c2VyIjoxfQ:1abc:forged", "x" * 600, "a:b:c:d"]
)
def test_a_bad_verification_key_is_refused_with_a_message_and_verifies_nobody(
    anon_client, user, key
):
    response = anon_client.post(VERIFY, {"key": key})
    assert response.status_code == 400
    assert "key" in response.json()
    assert not User.objects.filter(email_verified=True).exists()


def test_a_verification_key_expires_after_three_days(anon_client, user):
    with time_machine.travel("2026-03-01 12:00:00+00:00", tick=False):
        key = mail.verification_key(user)
    with time_machine.travel("2026-03-04 11:59:00+00:00", tick=False):
        assert anon_client.post(VERIFY, {"key": key}).status_code == 204
    user.email_verified = False
    user.save()
    with time_machine.travel("2026-03-04 12:01:00+00:00", tick=False):
        response = anon_client.post(VERIFY, {"key": key})
    assert response.status_code == 400
    assert "expired" in response.json()["key"][0]


def test_a_key_signed_for_a_reset_or_another_purpose_does_not_verify(anon_client, user):
    from django.core import signing

    forged = signing.dumps({"user": user.pk, "email": user.email}, salt="something-else")
    assert anon_client.post(VERIFY, {"key": forged}).status_code == 400
    user.refresh_from_db()
    assert user.email_verified is False


def test_a_key_for_an_address_she_no_longer_has_does_not_verify_the_new_one(anon_client, user):
    key = mail.verification_key(user)
    User.objects.filter(pk=user.pk).update(email="alice.new@example.com")
    assert anon_client.post(VERIFY, {"key": key}).status_code == 400


def test_resend_mails_a_fresh_link_to_her_and_nothing_once_she_is_verified(
    api, user, background_jobs
):
    response = api.post(RESEND)
    assert response.status_code == 202
    background_jobs.drain()
    [message] = outbox.outbox
    assert message.to == [user.email]
    User.objects.filter(pk=user.pk).update(email_verified=True)
    response = api.post(RESEND)
    assert response.status_code == 202
    assert "already verified" in response.json()["detail"]
    background_jobs.drain()
    assert len(outbox.outbox) == 1


def test_resend_is_limited_per_account(api, other_api, background_jobs):
    statuses = [api.post(RESEND).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    assert other_api.post(RESEND).status_code == 202  # her limit is hers only
    background_jobs.drain()
    assert len(outbox.outbox) == 6


def test_resend_needs_her_to_be_logged_in(anon_client):
    assert anon_client.post(RESEND).status_code == 401


def test_the_verification_job_sends_nothing_to_a_deleted_or_verified_account(user):
    assert mail.send_verification(user.pk + 1000) == "gone"
    User.objects.filter(pk=user.pk).update(email_verified=True)
    assert mail.send_verification(user.pk) == "verified"
    assert outbox.outbox == []


# --- password reset ------------------------------------------------------------------


def test_a_reset_for_an_unknown_address_answers_as_for_hers_and_sends_nothing(
    anon_client, user, background_jobs
):
    unknown = ask_reset(anon_client, "nobody@example.com")
    background_jobs.drain()
    assert outbox.outbox == []
    hers = ask_reset(anon_client, "Alice@Example.com")
    assert (unknown.status_code, unknown.json()) == (hers.status_code, hers.json())
    assert hers.status_code == 202
    assert outbox.outbox == []  # the request itself sends nothing
    background_jobs.drain()
    [message] = outbox.outbox
    assert message.to == [user.email]
    assert message.subject == "Reset your PlanHer password"


def test_the_reset_email_carries_an_unescaped_link_in_text_and_an_escaped_one_in_html(
    anon_client, user, background_jobs
):
    ask_reset(anon_client, user.email)
    background_jobs.drain()
    [message] = outbox.outbox
    query = link_in(message, "reset-password")
    assert set(query) == {"uid", "token"}
    assert f"uid={query['uid']}&token={query['token']}" in message.body
    assert f"uid={query['uid']}&amp;token={query['token']}" in html_of(message)


def test_the_reset_walk_changes_the_password_once_and_ends_her_old_sessions(
    anon_client, user, background_jobs
):
    old_refresh = login(anon_client).json()["refresh"]
    ask_reset(anon_client, user.email)
    background_jobs.drain()
    query = link_in(outbox.outbox[0], "reset-password")
    confirm = {**query, "new_password": STRONG}
    assert anon_client.post(CONFIRM, confirm).status_code == 204
    assert login(anon_client).status_code == 401
    assert login(anon_client, password=STRONG).status_code == 200
    assert anon_client.post("/api/v1/auth/refresh", {"refresh": old_refresh}).status_code == 401
    # Used once: the same link is refused, with a message she can act on.
    again = anon_client.post(CONFIRM, {**query, "new_password": "yet-another-passphrase-7"})
    assert again.status_code == 400
    assert "Ask for a new one" in again.json()["token"][0]
    assert login(anon_client, password=STRONG).status_code == 200


def test_a_reset_link_proves_her_address(anon_client, user):
    query = {"uid": mail.reset_uid(user), "token": mail.reset_link(user).rsplit("=", 1)[1]}
    assert anon_client.post(CONFIRM, {**query, "new_password": STRONG}).status_code == 204
    user.refresh_from_db()
    assert user.email_verified is True


def test_a_reset_link_expires_after_one_hour(anon_client, user):
    with time_machine.travel("2026-03-01 12:00:00+00:00", tick=False):
        link = mail.reset_link(user)
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    with time_machine.travel("2026-03-01 13:00:01+00:00", tick=False):
        response = anon_client.post(CONFIRM, {**query, "new_password": STRONG})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    with time_machine.travel("2026-03-01 12:59:00+00:00", tick=False):
        assert anon_client.post(CONFIRM, {**query, "new_password": STRONG}).status_code == 204


def test_the_password_rules_apply_to_a_reset_and_a_refused_one_leaves_the_link_usable(
    anon_client, user
):
    link = mail.reset_link(user)
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    weak = anon_client.post(CONFIRM, {**query, "new_password": "12345678"})
    assert weak.status_code == 400
    assert "new_password" in weak.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert anon_client.post(CONFIRM, {**query, "new_password": STRONG}).status_code == 204


def test_a_token_for_one_user_does_not_reset_another(anon_client, user, other_user):
    token = mail.reset_link(user).rsplit("=", 1)[1]
    body = {"uid": mail.reset_uid(other_user), "token": token, "new_password": STRONG}
    assert anon_client.post(CONFIRM, body).status_code == 400
    other_user.refresh_from_db()
    assert other_user.check_password(PASSWORD)


def test_no_reset_email_for_a_deactivated_account(anon_client, user, background_jobs):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert ask_reset(anon_client, user.email).status_code == 202
    background_jobs.drain()
    assert outbox.outbox == []


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", ["alice@example.com"]])
def test_a_reset_for_something_that_is_not_an_address_is_a_400(anon_client, email):
    response = anon_client.post(RESET, {"email": email}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_reset_requests_are_limited_per_address_from_any_ip(anon_client, user, background_jobs):
    spellings = ["alice@example.com", "ALICE@example.com", "Alice@EXAMPLE.com"]
    statuses = [
        ask_reset(anon_client, spellings[n % 3], ip=f"10.0.0.{n}").status_code for n in range(6)
    ]
    assert statuses == [202] * 5 + [429]
    assert ask_reset(anon_client, "bob@example.com", ip="10.0.0.99").status_code == 202
    background_jobs.drain()
    assert len(outbox.outbox) == 5


def test_reset_requests_are_limited_per_ip_by_the_auth_limit(anon_client):
    statuses = [ask_reset(anon_client, f"person{n}@example.com").status_code for n in range(11)]
    assert statuses == [202] * 10 + [429]


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(uid=st.text(max_size=70), token=st.text(max_size=130))
def test_any_uid_and_token_that_are_not_a_real_link_answer_400_never_500(
    anon_client, user, uid, token
):
    cache.clear()  # each example within the per-IP limit
    body = {"uid": uid, "token": token, "new_password": STRONG}
    response = anon_client.post(CONFIRM, body, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_uid_naming_a_huge_or_missing_id_is_a_plain_400(anon_client, user):
    from django.utils.http import urlsafe_base64_encode

    for pk in (b"99999999999999999999999999", b"-1", b"0", b"\xff\xfe"):
        body = {"uid": urlsafe_base64_encode(pk), "token": "x-y", "new_password": STRONG}
        assert anon_client.post(CONFIRM, body).status_code == 400


# --- delivery ------------------------------------------------------------------------


def test_an_unreachable_mail_server_is_tried_again_later_without_a_broker(
    settings, user, background_jobs
):
    import socket

    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    assert mail.run_in_process("send_password_reset", user.email) == "retrying"
    assert background_jobs.pending == 1
    assert mail.run_in_process("send_password_reset", user.email, 3) == "failed"


def test_with_a_broker_the_job_goes_to_celery_carrying_the_address_but_no_token(
    user, background_jobs
):
    from celery import current_app

    previous = (current_app.conf.task_always_eager, current_app.conf.broker_url)
    current_app.conf.update(task_always_eager=False, broker_url="memory://")
    try:
        mail.hand_over("send_password_reset", user.email)
        with current_app.connection_for_read() as connection:
            queued = connection.SimpleQueue("celery", no_ack=True).get(timeout=5)
    finally:
        current_app.conf.update(task_always_eager=previous[0], broker_url=previous[1])
    assert queued.headers["task"] == "accounts.tasks.send_password_reset"
    assert queued.decode()[0] == [user.email]
    assert background_jobs.pending == 0


def test_the_celery_tasks_send_the_same_mail_as_the_background_jobs(user):
    assert tasks.send_password_reset(user.email) == "sent"
    assert tasks.send_verification(user.pk) == "sent"
    assert [m.subject for m in outbox.outbox] == [
        "Reset your PlanHer password",
        "Confirm your email address for PlanHer",
    ]


def test_existing_accounts_start_unverified(user):
    assert UserFactory(email="old@example.com").email_verified is False


def test_a_reset_request_runs_the_same_queries_for_any_address(anon_client, user):
    # The job looks her up later: the request's work does not depend on her.
    counts = []
    for email in ("alice@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as queries:
            assert ask_reset(anon_client, email).status_code == 202
        counts.append([query["sql"] for query in queries])
    assert counts[0] == counts[1]


def test_links_point_at_the_frontend_url(settings, db, user):
    settings.FRONTEND_URL = "https://app.planher.example"
    assert mail.reset_link(user).startswith("https://app.planher.example/reset-password?uid=")
    assert mail.verification_link(user).startswith("https://app.planher.example/verify-email?key=")


def test_the_queued_job_carries_the_address_and_no_token(user, background_jobs, anon_client):
    ask_reset(anon_client, user.email)
    [(_, _, _, args)] = background_jobs._jobs
    assert args == ("send_password_reset", user.email)


# --- her activity log ------------------------------------------------------------------


def events_of(client) -> list[str]:
    return [row["event"] for row in client.get("/api/v1/auth/me/activity").json()["results"]]


def test_a_reset_is_in_her_activity_log_with_the_verification_it_implies(
    anon_client, client_for, user
):
    link = mail.reset_link(user)
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    body = {**query, "new_password": STRONG}
    assert anon_client.post(CONFIRM, body, HTTP_USER_AGENT="Firefox").status_code == 204
    user.refresh_from_db()
    assert events_of(client_for(user)) == ["email_verified", "password_reset"]
    [row, _] = client_for(user).get("/api/v1/auth/me/activity").json()["results"]
    assert row["user_agent"] == "Firefox"
    assert query["token"] not in str(list(user.activity.values()))


def test_verifying_twice_records_one_event(anon_client, api, user):
    key = mail.verification_key(user)
    assert anon_client.post(VERIFY, {"key": key}).status_code == 204
    assert anon_client.post(VERIFY, {"key": key}).status_code == 204
    assert events_of(api) == ["email_verified"]


def test_a_refused_reset_or_verification_records_nothing(anon_client, api, user):
    anon_client.post(CONFIRM, {"uid": mail.reset_uid(user), "token": "1-2", "new_password": STRONG})
    anon_client.post(VERIFY, {"key": "nonsense"})
    assert events_of(api) == []
