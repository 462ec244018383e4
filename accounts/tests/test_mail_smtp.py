"""The account mail walk against a real SMTP server (aiosmtpd on 127.0.0.1).

Marked ``smtp``: CI runs it on PostgreSQL and SQLite (``.ci/run``); ``make
test`` leaves it out. Mail goes through Django's SMTP backend, as in
production, and is read back from what the server received.
"""

import email
import email.policy
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from .factories import PASSWORD

pytestmark = [pytest.mark.smtp, pytest.mark.django_db(transaction=True)]

STRONG = "a-much-better-passphrase-42"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def only(self, to: str):
        found = [message for rcpt, message in self.messages if rcpt == [to]]
        assert len(found) == 1, self.messages
        return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, and Django pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    yield inbox
    controller.stop()


def link_query(message, page: str) -> dict[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    [link] = [word for word in text.split() if f"/{page}?" in word]
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    assert urlsplit(link).path == f"/{page}"
    assert all(value in html for value in query.values())
    return query


def test_register_then_verify_through_the_mail_server(anon_client, smtp_server, background_jobs):
    registered = anon_client.post(
        "/api/v1/auth/register", {"email": "ada@example.com", "password": STRONG}
    ).json()
    background_jobs.drain()
    message = smtp_server.only("ada@example.com")
    assert message["Subject"] == "Confirm your email address for PlanHer"
    key = link_query(message, "verify-email")["key"]
    assert anon_client.post("/api/v1/auth/email/verify", {"key": key}).status_code == 204
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {registered['access']}")
    assert anon_client.get("/api/v1/auth/me").json()["email_verified"] is True


def test_reset_through_the_mail_server_for_an_unknown_address_and_for_hers(
    anon_client, user, smtp_server, background_jobs
):
    login = "/api/v1/auth/login"
    old_refresh = anon_client.post(login, {"email": user.email, "password": PASSWORD}).json()
    reset = "/api/v1/auth/password/reset"
    unknown = anon_client.post(reset, {"email": "nobody@example.com"})
    assert unknown.status_code == 202
    background_jobs.drain()
    assert smtp_server.messages == []

    hers = anon_client.post(reset, {"email": user.email})
    assert (hers.status_code, hers.json()) == (202, unknown.json())
    background_jobs.drain()
    query = link_query(smtp_server.only(user.email), "reset-password")
    confirm = {**query, "new_password": STRONG}
    assert anon_client.post("/api/v1/auth/password/reset/confirm", confirm).status_code == 204

    refresh = anon_client.post("/api/v1/auth/refresh", {"refresh": old_refresh["refresh"]})
    assert refresh.status_code == 401
    assert anon_client.post(login, {"email": user.email, "password": PASSWORD}).status_code == 401
    assert anon_client.post(login, {"email": user.email, "password": STRONG}).status_code == 200
