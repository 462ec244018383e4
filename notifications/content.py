"""What each reminder says, from the same functions ``/predictions/current`` uses.

Her cycle today is ``cycles.services.cycle_data_load`` then the engine's
``current_cycle``, exactly as ``PredictionViewSet.current_body`` builds
``next_period`` (the period-due and late reminders agree with ``/current`` that
day). Each builder returns ``(key, title, body)`` triples: nothing when nothing
is to be said today.

The dispatcher hands in what a batch of users needs, loaded for the whole batch
(``data`` from ``cycle_data_load_many``, ``levels``: her energy levels by date
over the last eight days, ``moods_for_batch``); without them each is read for
her alone, with the same answer.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from core.vocabulary import STATUS_DUE_TODAY, STATUS_LATE, STATUS_UPCOMING
from cycles import services as cycle_services
from moods.models import DailyMood

from . import alerts, schedule

# The days of moods a reminder reads: today (log reminder) and the week before it.
MOOD_DAYS = 8


def moods_for_batch(*, todays: dict[int, date]) -> dict[int, dict[date, int]]:
    """``Reminders.levels`` for each user of a batch (user id: her today), one query."""
    if not todays:
        return {}
    levels: dict[int, dict[date, int]] = {user_id: {} for user_id in todays}
    first = min(todays.values()) - timedelta(days=MOOD_DAYS - 1)
    rows = DailyMood.objects.filter(
        user_id__in=list(todays), date__range=(first, max(todays.values()))
    ).values_list("user_id", "date", "energy_level")
    for user_id, day, level in rows:
        if todays[user_id] - timedelta(days=MOOD_DAYS - 1) <= day <= todays[user_id]:
            levels[user_id][day] = level
    return levels


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


@dataclass
class Reminders:
    user: object
    preferences: object
    today: date
    data: cycle_services.CycleData | None = None
    levels: dict[date, int] | None = None

    @cached_property
    def cycle(self):
        # As /current builds her today: what is logged up to it, the engine's cycle.
        data = self.data or cycle_services.cycle_data_load(user=self.user)
        return data.until(self.today).current_cycle(on=self.today, day=self.today)

    def for_kind(self, kind: str) -> list[tuple[str, str, str]]:
        return getattr(self, kind)()

    def _once_today(self, title: str, body: str) -> list[tuple[str, str, str]]:
        return [(self.today.isoformat(), title, body)]

    def period_due(self):
        before = self.preferences.period_due_days_before
        nxt = self.cycle.next_period if self.cycle else None
        if before is None or nxt is None:
            return []
        if before == 0 and nxt.status == STATUS_DUE_TODAY:
            return self._once_today("Your period is due today", "Your period is due today.")
        if nxt.status == STATUS_UPCOMING and (nxt.start_date - self.today).days == before:
            return self._once_today(
                f"Your period is due in {_days(before)}",
                f"Your next period is expected on {_day(nxt.start_date)} (likely between "
                f"{_day(nxt.earliest)} and {_day(nxt.latest)}).",
            )
        return []

    def late_period(self):
        nxt = self.cycle.next_period if self.cycle else None
        if (
            nxt is None
            or nxt.status != STATUS_LATE
            or not schedule.late_period_is_said(nxt.days_late)
        ):
            return []
        expected = nxt.expected_start or (self.today - timedelta(days=nxt.days_late))
        return self._once_today(
            f"Your period is {_days(nxt.days_late)} late",
            f"Your period was expected on {_day(expected)} and is now {_days(nxt.days_late)} "
            f"late. If it has started, log it so your predictions stay right.",
        )

    def fertile_window(self):
        cycle = self.cycle
        if cycle is None or cycle.fertile_window_start != self.today:
            return []
        return self._once_today(
            "Your fertile window starts today",
            f"Your fertile window runs from today to {_day(cycle.fertile_window_end)} "
            f"(ovulation expected on {_day(cycle.ovulation_date)}).",
        )

    def _levels(self) -> dict[date, int]:
        """Her energy level by date, the last eight days (today included)."""
        if self.levels is None:
            self.levels = dict(
                DailyMood.objects.for_user(self.user)
                .filter(date__range=(self.today - timedelta(days=MOOD_DAYS - 1), self.today))
                .values_list("date", "energy_level")
            )
        return self.levels

    def log_reminder(self):
        if self.today in self._levels():
            return []
        return self._once_today(
            "How is your energy today?", "You have not logged your energy today: it takes a tap."
        )

    def weekly_summary(self):
        start, end = self.today - timedelta(days=7), self.today - timedelta(days=1)
        levels = [level for day, level in self._levels().items() if start <= day <= end]
        lines = [f"Your week from {_day(start)} to {_day(end)}:"]
        if levels:
            names = {0: "low", 1: "medium", 2: "high"}
            counts = {
                name: sum(1 for level in levels if names[level] == name) for name in names.values()
            }
            spread = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
            lines.append(f"You logged your energy on {_days(len(levels))} of 7 ({spread}).")
        else:
            lines.append("You logged no energy this week.")
        if self.cycle is not None:
            nxt = self.cycle.next_period
            lines.append(
                f"Today is day {self.cycle.day_of_cycle} of your cycle ({self.cycle.phase})."
            )
            if nxt.status == STATUS_LATE:
                lines.append(f"Your period is {_days(nxt.days_late)} late.")
            else:
                lines.append(f"Your next period is expected on {_day(nxt.start_date)}.")
        return self._once_today("Your week in PlanHer", "\n".join(lines))

    def alert(self):
        return [
            (found["key"], str(found["title"])[:200], str(found.get("detail") or found["title"]))
            for found in alerts.alerts_for(user=self.user, today=self.today)
        ]
