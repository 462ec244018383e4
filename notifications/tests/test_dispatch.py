"""The dispatcher: what is due at an instant, once per user, kind and day, in
her time zone, agreeing with /predictions/current."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.tests.factories import UserFactory
from cycles.tests.factories import PeriodFactory
from moods.tests.factories import DailyMoodFactory
from notifications.models import Delivery, Notification, NotificationPreferences

from .helpers import current_at, dispatch_at, person

pytestmark = pytest.mark.django_db

# Accounts are made on 15 March 2026 at 23:30 UTC; the instants below are later.
MADE = "2026-03-15T23:30:00+00:00"
TODAY = date(2026, 3, 16)  # a Monday


@pytest.fixture(autouse=True)
def made_the_evening_before():
    with time_machine.travel(MADE, tick=False):
        yield


def sent(user, kind=None):
    rows = Notification.objects.filter(user=user)
    return list(rows.filter(kind=kind) if kind else rows)


def test_the_period_due_reminder_goes_n_days_before_the_start_current_gives(client_for):
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=25))
    current = current_at(client_for, alice, "2026-03-16T09:05:00+00:00")
    start = date.fromisoformat(current["next_period"]["start_date"])
    before = (start - TODAY).days
    assert 0 < before <= 7
    bob = person("bob@example.com", last_start=TODAY - timedelta(days=25))
    for user, days in ((alice, before), (bob, before + 1)):
        NotificationPreferences.objects.filter(user=user).update(period_due_days_before=days)

    dispatch_at("2026-03-16T09:05:00+00:00")

    [reminder] = sent(alice, "period_due")
    assert reminder.title == f"Your period is due in {before} days"
    assert f"{start:%A} {start.day} {start:%B}" in reminder.body
    assert sent(bob, "period_due") == []


def test_the_late_period_reminder_says_how_late_as_current_does(client_for):
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=31))
    current = current_at(client_for, alice, "2026-03-16T10:00:00+00:00")
    assert current["next_period"]["status"] == "late"
    late = current["next_period"]["days_late"]

    dispatch_at("2026-03-16T10:00:00+00:00")

    [reminder] = sent(alice, "late_period")
    assert reminder.title == f"Your period is {late} days late"


def test_the_fertile_window_reminder_goes_on_its_first_day_when_she_asked_for_it(client_for):
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=9), fertile_window=True)
    bob = person("bob@example.com", last_start=TODAY - timedelta(days=9))  # off by default
    current = current_at(client_for, alice, "2026-03-16T09:00:00+00:00")
    assert current["fertile_window"]["start"] == TODAY.isoformat()

    dispatch_at("2026-03-16T09:00:00+00:00")

    assert [n.title for n in sent(alice, "fertile_window")] == ["Your fertile window starts today"]
    assert sent(bob, "fertile_window") == []


def test_the_log_reminder_goes_at_her_time_only_when_she_has_not_logged_her_energy():
    from datetime import time

    alice = person("alice@example.com", log_reminder_time=time(20, 0))
    bob = person("bob@example.com", log_reminder_time=time(20, 0))
    with time_machine.travel("2026-03-16T12:00:00+00:00"):
        DailyMoodFactory(user=bob, date=TODAY, energy_level=2)

    dispatch_at("2026-03-16T19:59:00+00:00")  # read for the 09:00 kinds: nothing to say
    assert Notification.objects.count() == 0
    dispatch_at("2026-03-16T20:01:00+00:00")

    assert [n.title for n in sent(alice, "log_reminder")] == ["How is your energy today?"]
    assert sent(bob) == []


def test_a_dispatcher_that_was_down_catches_up_the_same_day_never_the_next():
    from datetime import time

    # Both in Tokyo (UTC+9): 20:00 there is 11:00 UTC.
    alice = person("alice@example.com", zone="Asia/Tokyo", log_reminder_time=time(20, 0))
    bob = person("bob@example.com", zone="Asia/Tokyo", log_reminder_time=time(20, 0))

    # Alice's dispatcher comes back at 23:50 her time: still her day.
    NotificationPreferences.objects.filter(user=bob).update(next_check_at=None)
    dispatch_at("2026-03-16T14:50:00+00:00")
    assert [n.local_date for n in sent(alice)] == [TODAY]

    # Bob's comes back at 00:10 the next day: yesterday's reminder is gone for good.
    NotificationPreferences.objects.filter(user=bob).update(
        next_check_at="2026-03-16T11:00:00+00:00"
    )
    dispatch_at("2026-03-16T15:10:00+00:00")
    assert sent(bob) == []


def test_a_rerun_or_a_retry_sends_nothing_twice():
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=31))
    first = dispatch_at("2026-03-16T09:30:00+00:00")
    again = dispatch_at("2026-03-16T09:30:00+00:00")  # a rerun: nobody is due any more
    # A retry: her check forced back to before the first run.
    NotificationPreferences.objects.filter(user=alice).update(
        next_check_at="2026-03-16T09:00:00+00:00"
    )
    retry = dispatch_at("2026-03-16T11:00:00+00:00")

    assert sum(first.sent.values()) == 1
    assert (again.users, sum(again.sent.values())) == (0, 0)
    assert (retry.users, sum(retry.sent.values())) == (1, 0)
    assert len(sent(alice)) == 1
    assert len(mail.outbox) == 1


def test_only_the_users_whose_time_has_come_are_read():
    # 09:00 in Paris is 08:00 UTC, in New York 13:00 UTC, in Tokyo 00:00 UTC.
    for n, zone in enumerate(["Europe/Paris", "America/New_York", "Asia/Tokyo"]):
        person(f"p{n}@example.com", zone=zone, last_start=TODAY - timedelta(days=31))

    at_eight = dispatch_at("2026-03-16T08:05:00+00:00")  # Paris (Tokyo read at 00:00 UTC)
    assert at_eight.users == 2
    assert dispatch_at("2026-03-16T08:10:00+00:00").users == 0
    assert dispatch_at("2026-03-16T13:05:00+00:00").users == 1  # New York
    assert Notification.objects.count() == 3


def test_an_alert_source_is_sent_once_per_alert(settings):
    settings.NOTIFICATION_ALERT_SOURCES = ["notifications.tests.test_dispatch.two_alerts"]
    alice = person("alice@example.com")

    dispatch_at("2026-03-16T09:00:00+00:00")
    dispatch_at("2026-03-17T09:00:00+00:00")  # the same alerts the next day: not again

    alerts = sent(alice, "alert")
    assert sorted(n.title for n in alerts) == ["Cycles are getting longer", "Short luteal phase"]
    assert {n.key for n in alerts} == {"long_cycles:2026-02-01", "short_luteal:2026-03-10"}


def two_alerts(*, user, today):
    return [
        {
            "code": "long_cycles",
            "title": "Cycles are getting longer",
            "detail": "Your last three cycles were over 35 days.",
            "since": date(2026, 2, 1),
        },
        {
            "code": "short_luteal",
            "title": "Short luteal phase",
            "detail": "Your luteal phase was under 10 days.",
            "since": date(2026, 3, 10),
        },
    ]


def test_without_an_alert_source_there_are_no_alerts(settings):
    settings.NOTIFICATION_ALERT_SOURCES = []
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=5))
    PeriodFactory(
        user=alice, start_date=TODAY - timedelta(days=200), end_date=TODAY - timedelta(days=196)
    )
    dispatch_at("2026-03-16T09:00:00+00:00")
    assert sent(alice, "alert") == []


def test_regular_cycles_raise_no_alert():
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=5))
    dispatch_at("2026-03-16T09:00:00+00:00")
    assert sent(alice, "alert") == []


def test_the_alerts_insights_shows_her_are_sent_once_each(client_for):
    # Her cycle of 13 Dec to 21 Jan lasted 39 days: over 35, /insights' long_cycles.
    alice = UserFactory(email="alice@example.com")
    for start in (
        TODAY - timedelta(days=93),
        TODAY - timedelta(days=54),
        TODAY - timedelta(days=26),
    ):
        PeriodFactory(user=alice, start_date=start, end_date=start + timedelta(days=4))
    with time_machine.travel("2026-03-16T09:00:00+00:00", tick=False):
        shown = client_for(alice).get("/api/v1/insights").json()["alerts"]
    assert [alert["code"] for alert in shown] == ["long_cycles"]

    dispatch_at("2026-03-16T09:00:00+00:00")
    dispatch_at("2026-03-17T09:00:00+00:00")  # still there the next day: not sent again

    [alert] = sent(alice, "alert")
    assert alert.title == shown[0]["title"]
    assert alert.key == f"long_cycles:{shown[0]['since']}"


def test_the_weekly_summary_tells_her_week_in_a_few_lines():
    alice = person("alice@example.com", last_start=TODAY - timedelta(days=10), weekly_summary=True)
    for days_ago, level in ((1, 2), (2, 2), (4, 0)):
        DailyMoodFactory(user=alice, date=TODAY - timedelta(days=days_ago), energy_level=level)

    dispatch_at("2026-03-16T09:00:00+00:00")  # a Monday

    [summary] = sent(alice, "weekly_summary")
    assert "You logged your energy on 3 days of 7 (1 low, 2 high)." in summary.body
    assert "Today is day 11 of your cycle" in summary.body


def test_email_goes_only_to_a_verified_address_with_a_one_click_unsubscribe():
    person("alice@example.com", last_start=TODAY - timedelta(days=31))
    person("bob@example.com", last_start=TODAY - timedelta(days=31), verified=False)

    dispatch_at("2026-03-16T09:00:00+00:00")

    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/api/v1/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    statuses = dict(Notification.objects.values_list("user__email", "email_status"))
    assert statuses == {"alice@example.com": Delivery.SENT, "bob@example.com": Delivery.OFF}


def test_a_change_of_time_zone_moves_her_next_check_to_her_new_clock():
    alice = person("alice@example.com", zone="Europe/Paris")
    alice.timezone = "America/New_York"
    alice.save()
    prefs = NotificationPreferences.objects.get(user=alice)
    assert prefs.next_check_at.isoformat() == "2026-03-16T13:00:00+00:00"  # 09:00 EDT


def test_a_batch_reads_each_kind_of_her_data_once_whatever_the_number_of_due_users(settings):
    from datetime import time

    # An alert source takes one user at a time (insights' reads her periods and
    # profile again): the batch's own reads are what is counted here.
    settings.NOTIFICATION_ALERT_SOURCES = []

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [
        person(
            f"b{n}@example.com",
            last_start=TODAY - timedelta(days=20 + 4 * n),
            log_reminder_time=time(9, 0),
            weekly_summary=True,
            fertile_window=True,
        )
        for n in range(6)
    ]
    for user in people[:3]:
        DailyMoodFactory(user=user, date=TODAY - timedelta(days=2), energy_level=1)
    versions = dict(NotificationPreferences.objects.values_list("user_id", "user__data_version"))

    with CaptureQueriesContext(connection) as queries:
        summary = dispatch_at("2026-03-16T09:05:00+00:00")

    assert summary.users == 6
    assert summary.sent["log_reminder"] == 6 and summary.sent["weekly_summary"] == 6
    reads = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("INSERT")]
    for table in ("cycles_period", "cycles_profile", "moods_dailymood"):
        assert sum(f'FROM "{table}"' in sql for sql in reads) == 1, table
    # Moving her next check on is bookkeeping: her cached answers stay, no retraining.
    after = dict(NotificationPreferences.objects.values_list("user_id", "user__data_version"))
    assert after == versions


def test_the_batch_reminders_say_what_the_per_user_reminders_say():
    from datetime import time

    from cycles import services
    from notifications.content import Reminders, moods_for_batch

    people = [
        person(
            f"s{n}@example.com",
            last_start=TODAY - timedelta(days=10 + 7 * n) if n else None,
            log_reminder_time=time(9, 0),
            weekly_summary=True,
            fertile_window=True,
        )
        for n in range(5)
    ]
    with time_machine.travel("2026-03-16T12:00:00+00:00"):
        for n, user in enumerate(people):
            for days_ago in range(n, 10, 2):  # one outside her eight days, today for some
                day = TODAY - timedelta(days=days_ago)
                DailyMoodFactory(user=user, date=day, energy_level=n % 3)
    cycles = services.cycle_data_load_many(user_ids=[u.pk for u in people])
    levels = moods_for_batch(todays={u.pk: TODAY for u in people})

    for user in people:
        prefs = NotificationPreferences.objects.get(user=user)
        alone = Reminders(user=user, preferences=prefs, today=TODAY)
        batched = Reminders(
            user=user, preferences=prefs, today=TODAY, data=cycles[user.pk], levels=levels[user.pk]
        )
        for kind in ("period_due", "late_period", "fertile_window", "log_reminder"):
            assert batched.for_kind(kind) == alone.for_kind(kind), (user.email, kind)
        assert batched.weekly_summary() == alone.weekly_summary()
