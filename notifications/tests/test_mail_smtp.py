"""Reminders through a real SMTP server (aiosmtpd), ``send_reminders --at``
instants in three time zones: each due reminder exactly once, nothing for those
not due, no duplicate on a rerun or with two dispatchers at once, nothing of
anyone else in any message; the unsubscribe link works without a login.

Marked ``smtp`` (``pytest -m smtp``), like the account mail's walk.
"""

import threading
from datetime import date, timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections

from notifications.models import Notification, NotificationPreferences

from .helpers import person

pytestmark = [pytest.mark.smtp, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 3, 16)
ZONES = {"paris": "Europe/Paris", "newyork": "America/New_York", "tokyo": "Asia/Tokyo"}
# 09:05 on each one's clock on 16 March 2026 (Paris UTC+1, New York UTC-4, Tokyo UTC+9).
NINE_OH_FIVE = {
    "tokyo": "2026-03-16T00:05:00+00:00",
    "paris": "2026-03-16T08:05:00+00:00",
    "newyork": "2026-03-16T13:05:00+00:00",
}


def send_reminders(at: str) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("send_reminders", "--at", at, stdout=out)
    return out.getvalue()


def two_dispatchers_at_once(at: str) -> list[str]:
    """Two ``send_reminders --at`` in two threads (two database connections), started together."""
    start = threading.Barrier(2)
    outputs = []

    def run():
        start.wait()
        try:
            outputs.append(send_reminders(at))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outputs


@pytest.fixture
def people():
    """In each zone: one whose period is 3 days late (due at 09:00 her time) and
    one whose next period is 18 days away (nothing to say). Made at 23:50 UTC on
    15 March: before 09:00 on 16 March on every one of their clocks."""
    with time_machine.travel("2026-03-15T23:50:00+00:00", tick=False):
        made = {}
        for city, zone in ZONES.items():
            made[f"{city}-late"] = person(
                f"{city}-late@example.com",
                zone=zone,
                name=f"{city.title()}Late",
                last_start=TODAY - timedelta(days=31),
            )
            made[f"{city}-calm"] = person(
                f"{city}-calm@example.com",
                zone=zone,
                name=f"{city.title()}Calm",
                last_start=TODAY - timedelta(days=10),
            )
    return made


def test_each_due_reminder_goes_once_in_three_time_zones_and_nothing_else(
    people,
    smtp_server,
):
    for city in ("tokyo", "paris", "newyork"):
        before = len(smtp_server.messages)
        two_dispatchers_at_once(NINE_OH_FIVE[city])
        send_reminders(NINE_OH_FIVE[city])  # a rerun
        arrived = smtp_server.messages[before:]
        assert [rcpt for rcpt, _ in arrived] == [[f"{city}-late@example.com"]], city

    assert len(smtp_server.messages) == 3
    assert Notification.objects.count() == 3
    everyone = {user.email: user.name for user in people.values()}
    for rcpt, message in smtp_server.messages:
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert message["Subject"] == "Your period is 3 days late"
        assert "3 days late" in text
        for email, name in everyone.items():
            if [email] != rcpt:
                assert email not in text + html + str(message)
                assert name not in text + html
        assert everyone[rcpt[0]] in text


def test_the_unsubscribe_link_turns_email_off_without_a_login(
    people,
    smtp_server,
    anon_client,
):
    send_reminders(NINE_OH_FIVE["tokyo"])
    [(rcpt, message)] = smtp_server.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    [link] = [word for word in text.split() if "/unsubscribe/" in word]
    assert message["List-Unsubscribe"].strip() == f"<{link}>"
    path = urlsplit(link).path

    page = anon_client.get(path)
    assert page.status_code == 200
    assert b'<form method="post">' in page.content
    assert NotificationPreferences.objects.get(user__email=rcpt[0]).email is True

    # The RFC 8058 one-click POST a mail client sends (no login, no CSRF token).
    done = anon_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert NotificationPreferences.objects.get(user__email=rcpt[0]).email is False
    assert anon_client.get(path[:-3] + "xyz").status_code == 404
