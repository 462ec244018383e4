"""The dispatcher: what is due at an instant, written once, then sent.

``reminders_send(at=...)`` is the one entry point (``manage.py send_reminders``
and the Celery beat task call it). It reads only the preferences rows whose
``next_check_at`` has come (an index), a batch at a time; on PostgreSQL each
batch is claimed with ``FOR UPDATE SKIP LOCKED``, so two dispatchers share the
work instead of doing it twice. For each user it asks her local date and the
kinds whose time has come on it (``schedule``), writes a ``Notification`` per
reminder to say (the unique ``(user, kind, key)`` row: a second dispatcher, a
rerun or a retry finds it and sends nothing), moves her ``next_check_at`` on,
commits, and only then sends (``delivery``).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q

from . import schedule
from .content import Reminders
from .delivery import deliver, push_configured
from .models import Delivery, Notification, NotificationPreferences, PushSubscription

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# A user whose reminders could not be worked out is looked at again this much later.
RETRY_AFTER = timedelta(minutes=15)


@dataclass
class DispatchSummary:
    users: int = 0
    sent: Counter = field(default_factory=Counter)
    failed_users: int = 0

    def __str__(self):
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.sent.items()))
        total = sum(self.sent.values())
        return (
            f"{self.users} users due, {total} reminders sent"
            + (f" ({kinds})" if kinds else "")
            + f", {self.failed_users} failed"
        )


def zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone)
    except (ValueError, KeyError):  # validated on save; an old row must not stop the run
        return ZoneInfo("UTC")


def reminders_send(*, at: datetime, batch_size: int = BATCH_SIZE) -> DispatchSummary:
    summary = DispatchSummary()
    while True:
        with transaction.atomic():
            batch = list(
                NotificationPreferences.objects.due(at)
                .select_related("user")
                .order_by("next_check_at", "pk")
                .select_for_update(skip_locked=True, of=("self",))[:batch_size]
            )
            if not batch:
                break
            created: list[int] = []
            for preferences in batch:
                summary.users += 1
                try:
                    with transaction.atomic():
                        created += reminders_for(preferences=preferences, at=at, summary=summary)
                except Exception:  # one user's failure must not stop the others
                    logger.exception("reminders of user %s failed", preferences.user_id)
                    summary.failed_users += 1
                    preferences.next_check_at = at + RETRY_AFTER
            NotificationPreferences.objects.bulk_update(batch, ["next_check_at"])
        deliver(created)  # after the commit: the rows exist before anything leaves
    return summary


def reminders_for(*, preferences, at: datetime, summary: DispatchSummary) -> list[int]:
    """Write her reminders due at ``at`` (not yet written) and move her next check on."""
    user = preferences.user
    zone = zone_of(user)
    today, due = schedule.kinds_due(preferences.kind_times(), at, zone)
    preferences.schedule_after(at, zone)
    if not due or not user.is_active:
        return []
    written = set(
        Notification.objects.for_user(user)
        .filter(kind__in=due)
        .filter(Q(local_date=today) | Q(kind=schedule.ALERT))
        .values_list("kind", "key")
    )
    email = Delivery.PENDING if preferences.email and user.email_verified else Delivery.OFF
    push = Delivery.OFF
    if preferences.push and push_configured() and PushSubscription.objects.for_user(user).exists():
        push = Delivery.PENDING
    reminders = Reminders(user=user, preferences=preferences, today=today)
    created = []
    for kind in due:
        if kind != schedule.ALERT and (kind, today.isoformat()) in written:
            continue  # said today already: not even worked out again
        for key, title, body in reminders.for_kind(kind):
            if (kind, key) in written:
                continue
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        user=user,
                        kind=kind,
                        key=key,
                        local_date=today,
                        title=title,
                        body=body,
                        created_at=at,
                        email_status=email,
                        push_status=push,
                    )
            except IntegrityError:  # another dispatcher wrote it first: it sends it
                continue
            created.append(notification.pk)
            summary.sent[kind] += 1
    return created
