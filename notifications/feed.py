"""Her calendar feed (RFC 5545, built with the icalendar library).

Her predicted periods and fertile windows for the next ``HORIZON_DAYS`` as
all-day events, from the engine's positions as of her today (the same days
``/predictions/forecast`` marks), each period with its 80% range from
``current_cycle`` (the same ``next_period`` ``/current`` gives for the day
before it: the first one is ``/current``'s). The first period starts on
``/current``'s ``next_period.start_date``.

UIDs are stable: the n-th cycle of her life (counted from her first logged
period) keeps its UID while its dates move, so a calendar app updates the
event instead of adding another; a prefix derived from her id and the secret key
(never the id itself) keeps them unique across users.
"""

from datetime import UTC, date, datetime, timedelta

from django.utils.crypto import salted_hmac
from icalendar import Calendar, Event

from cycles import services as cycle_services

HORIZON_DAYS = 183  # six months
PRODID = "-//PlanHer//Cycle calendar//EN"


def _runs(days: list[date], flag) -> list[tuple[date, date]]:
    """Consecutive days for which ``flag(day)`` holds, as (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if not flag(day):
            continue
        if runs and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def uid_prefix(user) -> str:
    return salted_hmac("notifications.calendar-uid", str(user.pk)).hexdigest()[:20]


def _event(uid: str, first: date, last: date, summary: str, description: str, stamp) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # all-day: DTEND is exclusive
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # not busy
    return event


def calendar_for(user, *, today: date) -> bytes:
    data = cycle_services.cycle_data_load(user=user).until(today)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "PlanHer")
    if not data.periods:
        return calendar.to_ical()
    days = [today + timedelta(days=n) for n in range(1, HORIZON_DAYS + 1)]
    where = data.positions(days, on=today)
    stamp = datetime.now(UTC).replace(microsecond=0)
    prefix = uid_prefix(user)
    logged = len(data.periods)
    periods = _runs(days, lambda d: bool(where[d] and where[d].is_predicted_period))
    for number, (first, last) in enumerate(periods, start=1):
        # /current's next_period for the day before it: its start and 80% range.
        cycle = data.current_cycle(on=today, day=first - timedelta(days=1))
        nxt = cycle.next_period if cycle else None
        description = "Predicted by PlanHer."
        if nxt is not None and nxt.start_date == first:
            description = (
                f"Predicted by PlanHer: likely between {nxt.earliest:%d %b} and "
                f"{nxt.latest:%d %b} ({round(nxt.interval * 100)}% range)."
            )
        calendar.add_component(
            _event(
                f"{prefix}-period-{logged + number}@planher",
                first,
                last,
                "Period (predicted)",
                description,
                stamp,
            )
        )
    fertile = _runs(days, lambda d: bool(where[d] and where[d].is_fertile))
    for first, last in fertile:
        # Numbered as the cycle it belongs to: the next predicted period after it.
        number = logged + 1 + sum(1 for start, _ in periods if start <= last)
        calendar.add_component(
            _event(
                f"{prefix}-fertile-{number}@planher",
                first,
                last,
                "Fertile window (predicted)",
                "Predicted by PlanHer.",
                stamp,
            )
        )
    return calendar.to_ical()
