"""The dispatcher: what is due at an instant, written once, then sent.

``reminders_send(at=...)`` is the one entry point (``manage.py send_reminders``
and the Celery beat task call it). It reads only the preferences rows whose
``next_check_at`` has come (an index), a batch at a time; on PostgreSQL each
batch is claimed with ``FOR UPDATE SKIP LOCKED``, so two dispatchers share the
work instead of doing it twice. For each user it asks her local date and the
kinds whose time has come on it (``schedule``); what the batch's due users need
(periods, profiles, moods, what was already written, push subscriptions) is read
in a fixed number of queries for the whole batch (``batch_data_load``). It writes
a ``Notification`` per reminder to say (the unique ``(user, kind, key)`` row: a second dispatcher, a
rerun or a retry finds it and sends nothing), moves her ``next_check_at`` on,
commits, and only then sends (``delivery``).
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, models, transaction
from django.db.models import Q

from cycles import services as cycle_services

from . import schedule
from .content import Reminders, moods_for_batch
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
            created = batch_reminders_write(batch=batch, at=at, summary=summary)
            next_checks_save(batch)
        deliver(created)  # after the commit: the rows exist before anything leaves
    return summary


def next_checks_save(batch: list) -> None:
    """Write each row's ``next_check_at``: one UPDATE per distinct instant (the
    users of a batch mostly share a few), not a CASE over the whole batch.

    Her next check is the dispatcher's bookkeeping, not her data: a plain
    QuerySet, so no change is announced (no cached answer of hers expires, no
    retraining is queued because a reminder was looked at)."""
    by_instant: dict = defaultdict(list)
    for preferences in batch:
        by_instant[preferences.next_check_at].append(preferences.pk)
    rows = models.QuerySet(NotificationPreferences)
    for instant, pks in by_instant.items():
        rows.filter(pk__in=pks).update(next_check_at=instant)


@dataclass
class BatchData:
    """What a batch of due users needs, each read once for the whole batch."""

    cycles: dict = field(default_factory=dict)  # user id: CycleData
    levels: dict = field(default_factory=dict)  # user id: {date: energy level}
    written: dict = field(default_factory=dict)  # user id: {(kind, key, local date)}
    pushable: set = field(default_factory=set)  # user ids with a push subscription


def batch_data_load(*, due: dict) -> BatchData:
    """A fixed number of queries for the batch (``due``: user id: (today, kinds))."""
    if not due:
        return BatchData()
    ids = list(due)
    todays = {user_id: today for user_id, (today, _) in due.items()}
    kinds = sorted({kind for _, user_kinds in due.values() for kind in user_kinds})
    written: dict = {user_id: set() for user_id in ids}
    rows = (
        Notification.objects.filter(user_id__in=ids, kind__in=kinds)
        .filter(
            Q(local_date__range=(min(todays.values()), max(todays.values())))
            | Q(kind=schedule.ALERT)
        )
        .values_list("user_id", "kind", "key", "local_date")
    )
    for user_id, kind, key, local_date in rows:
        if kind == schedule.ALERT or local_date == todays[user_id]:
            written[user_id].add((kind, key))
    cycle_kinds = set(kinds) - {schedule.LOG_REMINDER, schedule.ALERT}
    mood_kinds = {schedule.LOG_REMINDER, schedule.WEEKLY_SUMMARY}
    return BatchData(
        cycles=cycle_services.cycle_data_load_many(user_ids=ids) if cycle_kinds else {},
        levels=moods_for_batch(todays=todays) if mood_kinds & set(kinds) else {},
        written=written,
        pushable=(
            set(
                PushSubscription.objects.filter(user_id__in=ids)
                .values_list("user_id", flat=True)
                .distinct()
            )
            if push_configured()
            else set()
        ),
    )


def batch_reminders_write(*, batch: list, at: datetime, summary: DispatchSummary) -> list[int]:
    """Write the reminders due at ``at`` for a batch of preferences rows (locked),
    and move each one's next check on; returns the ids of the rows written."""
    due = {}
    for preferences in batch:
        summary.users += 1
        zone = zone_of(preferences.user)
        today, kinds = schedule.kinds_due(preferences.kind_times(), at, zone)
        preferences.schedule_after(at, zone)
        if kinds and preferences.user.is_active:
            due[preferences.user_id] = (today, kinds)
    loaded = batch_data_load(due=due)
    created: list[int] = []
    for preferences in batch:
        if preferences.user_id not in due:
            continue
        today, kinds = due[preferences.user_id]
        try:
            with transaction.atomic():
                created += reminders_for(
                    preferences=preferences,
                    at=at,
                    summary=summary,
                    today=today,
                    due=kinds,
                    loaded=loaded,
                )
        except Exception:  # one user's failure must not stop the others
            logger.exception("reminders of user %s failed", preferences.user_id)
            summary.failed_users += 1
            preferences.next_check_at = at + RETRY_AFTER
    return created


def reminders_for(
    *,
    preferences,
    at: datetime,
    summary: DispatchSummary,
    today: date,
    due: list[str],
    loaded: BatchData,
) -> list[int]:
    """Write her reminders ``due`` at ``at`` (her local ``today``) not yet written."""
    user = preferences.user
    written = loaded.written.get(user.pk, set())
    email = Delivery.PENDING if preferences.email and user.email_verified else Delivery.OFF
    push = Delivery.PENDING if preferences.push and user.pk in loaded.pushable else Delivery.OFF
    reminders = Reminders(
        user=user,
        preferences=preferences,
        today=today,
        data=loaded.cycles.get(user.pk),
        levels=loaded.levels.get(user.pk),
    )
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
