"""When her reminders are due: pure date arithmetic in her time zone (no Django).

Every kind has a local time of day (``KIND_TIMES``; the log reminder hers). A
reminder is due from that local time until the end of her local day, never the
next day (a dispatcher that was down catches up the same day). Local times are
turned into instants with ``zoneinfo``, so a 09:00 reminder on a day the clocks
change still goes at 09:00 on her clock; a time the clocks skip (02:30 on a
spring-forward night) is read with the offset before the change (03:30 after it),
a repeated one (autumn) at its first occurrence.

``next_check_after`` is what the dispatcher stores on her preferences row
(``next_check_at``, indexed): the first instant after ``at`` at which any of her
enabled kinds becomes due, so a run reads only the users due at that moment.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_DUE = "period_due"
LOG_REMINDER = "log_reminder"
LATE_PERIOD = "late_period"
FERTILE_WINDOW = "fertile_window"
WEEKLY_SUMMARY = "weekly_summary"
ALERT = "alert"
KINDS = (PERIOD_DUE, LOG_REMINDER, LATE_PERIOD, FERTILE_WINDOW, WEEKLY_SUMMARY, ALERT)

MORNING = time(9, 0)
# The weekly summary goes on Mondays (weekday 0), about the seven days before.
WEEKLY_SUMMARY_WEEKDAY = 0
# A late period is said on these days late, then every LATE_REPEAT_DAYS.
LATE_PERIOD_DAYS = (1, 2, 3, 5, 7)
LATE_REPEAT_DAYS = 7


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on her clock on ``day``, as an instant in UTC (fold=0, see above).
    In UTC because Python never finds a local time in a gap equal to any instant."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def kind_times(enabled: dict[str, bool], log_reminder_time: time | None) -> dict[str, time]:
    """The local time of each enabled kind (weekly summary: any day here, see
    ``kind_due_on``)."""
    times = {kind: MORNING for kind in KINDS if kind != LOG_REMINDER and enabled.get(kind)}
    if log_reminder_time is not None:
        times[LOG_REMINDER] = log_reminder_time
    return times


def kind_due_on(kind: str, day: date) -> bool:
    return kind != WEEKLY_SUMMARY or day.weekday() == WEEKLY_SUMMARY_WEEKDAY


def kinds_due(times: dict[str, time], at: datetime, zone: ZoneInfo) -> tuple[date, list[str]]:
    """Her local date at ``at`` and the kinds due then (their time has come today)."""
    today = at.astimezone(zone).date()
    return today, [
        kind
        for kind, when in times.items()
        if kind_due_on(kind, today) and local_instant(today, when, zone) <= at
    ]


def next_check_after(times: dict[str, time], at: datetime, zone: ZoneInfo) -> datetime | None:
    """The first instant after ``at`` at which one of ``times`` comes on her clock
    (None: nothing enabled, she is never read)."""
    if not times:
        return None
    today = at.astimezone(zone).date()
    for offset in range(3):  # today, tomorrow; a third day covers a 24 h+ offset jump
        day = today + timedelta(days=offset)
        # Every time daily (the weekly summary's too: a check on another day
        # finds it not due), so the search never looks beyond two days.
        instants = sorted(local_instant(day, when, zone) for when in times.values())
        later = [instant for instant in instants if instant > at]
        if later:
            return later[0]
    return None


def late_period_is_said(days_late: int) -> bool:
    """Day 1, 2, 3, 5 and 7 late, then weekly: said when it repeats, never daily for weeks."""
    if days_late in LATE_PERIOD_DAYS:
        return True
    last = LATE_PERIOD_DAYS[-1]
    return days_late > last and (days_late - last) % LATE_REPEAT_DAYS == 0
