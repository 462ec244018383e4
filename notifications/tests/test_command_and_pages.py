"""The command's arguments, the beat entry, the unsubscribe page, the admin."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from notifications.delivery import unsubscribe_token
from notifications.models import NotificationPreferences

from .factories import NotificationFactory
from .helpers import person

pytestmark = pytest.mark.django_db


def test_send_reminders_at_an_instant_prints_a_one_line_summary():
    with time_machine.travel("2026-03-15T23:30:00+00:00", tick=False):
        person("alice@example.com", last_start=date(2026, 3, 16) - timedelta(days=31))
    out = StringIO()
    with time_machine.travel("2026-03-16T09:01:00+00:00", tick=False):
        call_command("send_reminders", "--at", "2026-03-16T09:01:00Z", stdout=out)
    assert out.getvalue() == "1 users due, 1 reminders sent (late_period 1), 0 failed\n"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("value", "words"),
    [("tomorrow", "ISO-8601"), ("2026-03-16T09:00", "offset")],
)
def test_send_reminders_refuses_an_instant_it_cannot_place(value, words):
    with pytest.raises(CommandError, match=words):
        call_command("send_reminders", "--at", value)


def test_a_beat_entry_sends_due_reminders_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-reminders"]
    assert (entry["task"], entry["schedule"]) == ("notifications.tasks.send_due_reminders", 300)


def test_the_beat_task_runs_the_dispatcher():
    from notifications.tasks import send_due_reminders

    assert send_due_reminders() == "0 users due, 0 reminders sent, 0 failed"


def test_the_unsubscribe_page_asks_first_and_a_post_turns_email_off(client, user):
    url = reverse("notifications-unsubscribe", kwargs={"token": unsubscribe_token(user)})
    page = client.get(url)
    assert page.status_code == 200
    assert b"Stop reminder emails" in page.content
    assert NotificationPreferences.objects.get(user=user).email is True

    done = client.post(url)
    assert done.status_code == 200
    assert b"Reminder emails are off" in done.content
    assert NotificationPreferences.objects.get(user=user).email is False


def test_an_unsubscribe_link_for_an_address_she_no_longer_has_does_nothing(client, user):
    url = reverse("notifications-unsubscribe", kwargs={"token": unsubscribe_token(user)})
    user.email = "alice.new@example.com"
    user.save()
    assert client.post(url).status_code == 404
    assert client.get(url + "x").status_code == 404
    assert NotificationPreferences.objects.get(user=user).email is True


def test_staff_see_her_notifications_and_their_delivery_status(client, user):
    from accounts.tests.factories import UserFactory

    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    NotificationFactory(user=user, title="a reminder", email_status="failed")
    page = client.get(
        reverse("admin:notifications_notification_changelist"), {"q": "alice@example.com"}
    )
    assert page.status_code == 200
    assert b"alice@example.com" in page.content
    assert b"failed" in page.content
