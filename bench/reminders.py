"""How long ``send_reminders`` takes with 100,000 users, only some of whom are due.

    .venv/bin/python bench/reminders.py [--users 100000] [--database-url postgres://...]

Makes the users with plain INSERTs, one password hash for all (24 time zones,
three logged periods each at random points of their cycles, the default
reminder preferences, verified addresses), their preferences' next check
worked out at 07:30 UTC on 16 March 2026, then
times the dispatcher (``notifications.dispatch.reminders_send``, what
``manage.py send_reminders --at`` and the beat task run), mail to Django's
in-memory backend (rendered, not sent):

1. at 08:05 UTC: the users whose 09:00 has come (Paris, UTC+1 then: ~1/24);
2. a minute later: nobody is due (the index answers "none");
3. ``--all-due N``: N users forced due at once, at 07:31 UTC (the first run
   after the migration that gives every account its preferences), for the cost
   of one due user.
"""

import argparse
import cProfile
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

import harness

ZONES = [
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/New_York", "America/Sao_Paulo", "Atlantic/Azores",
    "UTC", "Europe/London", "Europe/Paris", "Europe/Helsinki", "Europe/Moscow",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Brisbane", "Pacific/Noumea",
    "Pacific/Auckland", "Pacific/Tongatapu",
]  # fmt: skip
MADE = datetime(2026, 3, 16, 7, 30, tzinfo=UTC)
BATCH = 5000


def rows_insert(model, template, rows, varying: tuple[str, ...]) -> None:
    """INSERT ``rows`` (tuples of the ``varying`` fields' values) of ``model``,
    every other column as in ``template``: its values prepared for the database
    once, not once a row (the ORM's per-field work is most of a bulk_create).
    A plain INSERT: no signal, no change announced; the bench writes a state."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    fixed = {
        field.attname: field.get_db_prep_save(field.pre_save(template, True), connection)
        for field in fields
        if field.attname not in varying
    }
    by_name = {field.attname: field for field in fields}
    columns = [field.column for field in fields]
    head = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
        f"({', '.join(connection.ops.quote_name(c) for c in columns)}) VALUES "
    )
    one = f"({', '.join(['%s'] * len(columns))})"
    prepared = []
    for row in rows:
        values = dict(fixed)
        for name, value in zip(varying, row, strict=True):
            values[name] = by_name[name].get_db_prep_save(value, connection)
        prepared.append([values[field.attname] for field in fields])
    if connection.vendor == "postgresql":  # COPY: no statement to parse per row
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(model._meta.db_table)
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        return
    # Many rows a statement, within SQLite's limit on parameters.
    per_statement = max(1, 30_000 // len(columns) // 2)
    with connection.cursor() as cursor:
        for first in range(0, len(prepared), per_statement):
            chunk = prepared[first : first + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


def make_users(count: int, seed: int = 2026) -> float:
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from cycles.models import Period
    from notifications.models import NotificationPreferences

    User = get_user_model()
    rng = random.Random(seed)
    zones = {name: ZoneInfo(name) for name in ZONES}
    started = time.perf_counter()
    # One password hash for everyone; rows written with plain INSERTs (no
    # signals, no change announced: the bench writes a state).
    user = User(email="template@example.com", password=make_password(harness.PASSWORD))
    user.email_verified = True
    period = Period(user_id=0, start_date=MADE.date(), end_date=MADE.date())
    preferences = NotificationPreferences(user_id=0, next_check_at=MADE)
    today = MADE.date()
    with transaction.atomic():
        for first in range(0, count, BATCH):
            n = range(first, min(count, first + BATCH))
            rows_insert(
                User,
                user,
                [(f"bench{i}@example.com", ZONES[i % len(ZONES)]) for i in n],
                varying=("email", "timezone"),
            )
            ids = dict(
                User.objects.filter(email__in=[f"bench{i}@example.com" for i in n]).values_list(
                    "email", "id"
                )
            )
            periods, schedule = [], []
            for i in n:
                user_id = ids[f"bench{i}@example.com"]
                last = today - timedelta(days=rng.randint(1, 40))
                for ago in (56, 28, 0):
                    start = last - timedelta(days=ago + rng.randint(-2, 2) * (ago > 0))
                    periods.append((user_id, start, start + timedelta(days=4)))
                preferences.schedule_after(MADE, zones[ZONES[i % len(ZONES)]])
                schedule.append((user_id, preferences.next_check_at))
            rows_insert(Period, period, periods, varying=("user_id", "start_date", "end_date"))
            rows_insert(
                NotificationPreferences, preferences, schedule, varying=("user_id", "next_check_at")
            )
    return time.perf_counter() - started


def timed_dispatch(at: datetime, profile: str | None = None):
    from notifications.dispatch import reminders_send

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = reminders_send(at=at)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return seconds, summary


def load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--all-due", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--profile", default=None, help="write cProfile stats of the 08:05 run to this file"
    )
    args = parser.parse_args()

    env = harness.bench_environment(
        args.database_url, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    )
    harness.setup_django(env)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    from django.db import connection, models

    from notifications.models import NotificationPreferences

    print(f"# {harness.machine()}; {connection.vendor}", file=sys.stderr)
    print(f"load average before: {load()}", file=sys.stderr)
    made = make_users(args.users)
    print(f"made {args.users} users (3 periods each, preferences) in {made:.1f} s")

    at = MADE.replace(hour=8, minute=5)
    seconds, summary = timed_dispatch(at, args.profile)
    print(f"08:05 UTC, {args.users} users: {seconds:.2f} s; {summary}; {len(mail.outbox)} emails")
    seconds, summary = timed_dispatch(at + timedelta(minutes=1))
    print(f"08:06 UTC, nobody due: {seconds * 1000:.1f} ms; {summary}")

    if args.all_due:
        forced = list(
            NotificationPreferences.objects.order_by("pk").values_list("pk", flat=True)[
                : args.all_due
            ]
        )
        # A plain QuerySet: forcing a check is no change of her data (announcing
        # one would expire her answers and queue her retraining, per user).
        models.QuerySet(NotificationPreferences).filter(pk__in=forced).update(next_check_at=MADE)
        # 07:31 UTC: no zone's 09:00 falls between 07:30 and then, so only the
        # forced users are due (each worked out on her own clock).
        seconds, summary = timed_dispatch(MADE + timedelta(minutes=1))
        print(
            f"07:31 UTC, {args.all_due} forced due: {seconds:.2f} s "
            f"({seconds / max(summary.users, 1) * 1000:.2f} ms a user); {summary}"
        )
    print(f"load average after: {load()}", file=sys.stderr)


if __name__ == "__main__":
    main()
