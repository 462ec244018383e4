"""When a reminder is due, on her clock (pure: no database)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from notifications import schedule

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
MORNING_ONLY = {schedule.PERIOD_DUE: schedule.MORNING}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_morning_reminder_is_due_from_nine_her_time_until_the_end_of_her_day():
    # Paris is UTC+1 in January: 09:00 there is 08:00 UTC.
    assert schedule.kinds_due(MORNING_ONLY, utc(2026, 1, 15, 7, 59), PARIS)[1] == []
    assert schedule.kinds_due(MORNING_ONLY, utc(2026, 1, 15, 8, 0), PARIS) == (
        date(2026, 1, 15),
        [schedule.PERIOD_DUE],
    )
    # 23:30 her time: still her day, so a dispatcher that was down catches up.
    assert schedule.kinds_due(MORNING_ONLY, utc(2026, 1, 15, 22, 30), PARIS)[1] == [
        schedule.PERIOD_DUE
    ]
    # 00:30 the next day her time: a new day, whose 09:00 has not come.
    assert schedule.kinds_due(MORNING_ONLY, utc(2026, 1, 15, 23, 30), PARIS) == (
        date(2026, 1, 16),
        [],
    )


def test_on_the_day_the_clocks_go_forward_nine_oclock_is_still_nine_on_her_clock():
    # 29 March 2026, Paris moves from UTC+1 to UTC+2 at 02:00: 09:00 is 07:00 UTC.
    assert schedule.kinds_due(MORNING_ONLY, utc(2026, 3, 29, 6, 59), PARIS)[1] == []
    assert schedule.kinds_due(MORNING_ONLY, utc(2026, 3, 29, 7, 0), PARIS)[1] == [
        schedule.PERIOD_DUE
    ]
    # The check scheduled the evening before lands on 09:00 CEST, not 10:00 or 08:00.
    assert schedule.next_check_after(MORNING_ONLY, utc(2026, 3, 28, 12, 0), PARIS) == utc(
        2026, 3, 29, 7, 0
    )


def test_on_the_day_the_clocks_go_back_nine_oclock_is_still_nine_on_her_clock():
    # 1 November 2026, New York moves from UTC-4 to UTC-5: 09:00 EST is 14:00 UTC.
    assert schedule.next_check_after(MORNING_ONLY, utc(2026, 10, 31, 20, 0), NEW_YORK) == utc(
        2026, 11, 1, 14, 0
    )


def test_a_time_the_clocks_skip_is_read_with_the_offset_before_the_change():
    times = {schedule.LOG_REMINDER: time(2, 30)}
    # 02:30 does not exist in Paris on 29 March 2026: it goes at 01:30 UTC (03:30 CEST).
    assert schedule.next_check_after(times, utc(2026, 3, 28, 12, 0), PARIS) == utc(
        2026, 3, 29, 1, 30
    )


def test_the_next_check_is_the_first_enabled_time_after_the_instant():
    times = {schedule.PERIOD_DUE: schedule.MORNING, schedule.LOG_REMINDER: time(20, 30)}
    assert schedule.next_check_after(times, utc(2026, 1, 15, 8, 0), PARIS) == utc(
        2026, 1, 15, 19, 30
    )
    assert schedule.next_check_after(times, utc(2026, 1, 15, 19, 30), PARIS) == utc(
        2026, 1, 16, 8, 0
    )


def test_nothing_enabled_means_she_is_never_checked():
    assert schedule.next_check_after({}, utc(2026, 1, 15, 8, 0), PARIS) is None


def test_the_weekly_summary_is_due_on_mondays_only():
    times = {schedule.WEEKLY_SUMMARY: schedule.MORNING}
    assert schedule.kinds_due(times, utc(2026, 3, 16, 12, 0), ZoneInfo("UTC"))[1] == [
        schedule.WEEKLY_SUMMARY
    ]  # a Monday
    assert schedule.kinds_due(times, utc(2026, 3, 17, 12, 0), ZoneInfo("UTC"))[1] == []


def test_a_late_period_is_said_on_its_first_days_then_weekly():
    said = [n for n in range(1, 30) if schedule.late_period_is_said(n)]
    assert said == [1, 2, 3, 5, 7, 14, 21, 28]
