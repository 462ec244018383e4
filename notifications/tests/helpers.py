"""People with regular cycles in a time zone, and the dispatcher run at an instant."""

from datetime import datetime, timedelta

import time_machine

from accounts.tests.factories import UserFactory
from cycles.tests.factories import PeriodFactory, ProfileFactory
from notifications.dispatch import reminders_send
from notifications.models import NotificationPreferences

API = "/api/v1"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def person(
    email: str, *, zone: str = "UTC", last_start=None, verified=True, name="", **preferences
):
    """A woman with three regular 28-day cycles, the last one starting ``last_start``
    (a date), and these notification preferences (next check worked out from now)."""
    user = UserFactory(email=email, timezone=zone, email_verified=verified, name=name)
    if last_start is not None:
        ProfileFactory(user=user, cycle_length=28, luteal_length=14, menses_length=5)
        for cycles_ago in (3, 2, 1, 0):
            start = last_start - timedelta(days=28 * cycles_ago)
            PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
    prefs = NotificationPreferences.objects.get(user=user)
    if preferences:
        for name, value in preferences.items():
            setattr(prefs, name, value)
        from django.utils.timezone import now

        from notifications.dispatch import zone_of

        prefs.schedule_after(now(), zone_of(user))
        prefs.save()
    return user


def dispatch_at(text: str):
    """``send_reminders --at`` as the command runs it, with the clock at that instant."""
    at = instant(text)
    with time_machine.travel(at, tick=False):
        return reminders_send(at=at)


def current_at(client_for, user, text: str) -> dict:
    """Her /predictions/current at that instant (a token made then, as her app's would be)."""
    with time_machine.travel(instant(text), tick=False):
        return client_for(user).get(f"{API}/predictions/current/").json()
