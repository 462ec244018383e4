"""What every parser hands back: plain records of her days, and the problems
found on the way. Pure Python: no Django, so each format is tested on its own.

A parser reads one file and returns a ``History``; ``validated`` then checks it
against her today and PlanHer's ranges. A file that cannot be read at all
raises ``UnreadableFile`` with the reason, in words she can act on.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.vocabulary import (
    BBT_CELSIUS,
    EARLIEST_DATE,
    ENERGY_LEVELS,
    LH_RESULTS,
    MAX_PERIOD_DAYS,
    MUCUS_TYPES,
    NOTES_MAX_LENGTH,
)

# Formats, as the API names them.
PLANHER = "planher"
DRIP = "drip"
CLUE = "clue"
FLO = "flo"
APPLE_HEALTH = "apple_health"
OVUMCY = "ovumcy"
FORMATS = (PLANHER, DRIP, CLUE, FLO, APPLE_HEALTH, OVUMCY)

# Bleeding days at most this many days apart belong to one period (a day she
# forgot to log inside a period does not split it in two).
BRIDGED_GAP_DAYS = 1


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported; ``str(error)`` says why."""


@dataclass(frozen=True)
class Problem:
    record: str  # where in the file: "line 12", "entry 3", "period from ... to ..."
    message: str


@dataclass(frozen=True)
class PeriodRecord:
    start: date
    end: date | None  # None: ongoing
    record: str


@dataclass(frozen=True)
class MoodRecord:
    date: date
    energy_level: int
    notes: str
    record: str


@dataclass(frozen=True)
class SignRecord:
    date: date
    record: str
    bbt_celsius: Decimal | None = None
    lh_test: str | None = None
    cervical_mucus: str | None = None
    notes: str = ""

    def logs_something(self) -> bool:
        return (
            self.bbt_celsius is not None
            or self.lh_test is not None
            or self.cervical_mucus is not None
            or bool(self.notes.strip())
        )


@dataclass
class History:
    periods: list[PeriodRecord] = field(default_factory=list)
    moods: list[MoodRecord] = field(default_factory=list)
    signs: list[SignRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, record: str, message: str) -> None:
        self.problems.append(Problem(record, message))


# --- Helpers the parsers share -------------------------------------------------------


def parse_day(text, record: str) -> date:
    """``YYYY-MM-DD`` at the start of ``text`` (a timestamp's local date is its day)."""
    if not isinstance(text, str) or len(text) < 10:
        raise RecordError(f"{text!r} is not a date (YYYY-MM-DD).")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RecordError(f"{text[:40]!r} is not a date (YYYY-MM-DD).") from None


class RecordError(ValueError):
    """One record cannot be read; the parser reports it and goes on."""


def celsius(value, *, unit: str = "degC") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RecordError(f"{str(value)[:40]!r} is not a temperature.") from None
    if not number.is_finite():
        raise RecordError(f"{str(value)[:40]!r} is not a temperature.")
    if unit.lower() in ("degf", "°f", "f"):
        number = (number - 32) * 5 / 9
    elif unit.lower() not in ("degc", "°c", "c"):
        raise RecordError(f"A temperature in {unit[:20]!r}: PlanHer reads °C and °F.")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class SignDays:
    """Her signs gathered day by day: several readings of one day make one entry
    (the first temperature of the day is her basal one; a positive LH test wins)."""

    def __init__(self):
        self._days: dict[date, dict] = {}

    def add(self, day: date, record: str, **values) -> None:
        entry = self._days.setdefault(day, {"record": record})
        for name, value in values.items():
            if value is None or value == "":
                continue
            if name == "lh_test" and entry.get(name) is not None:
                if value == "positive":
                    entry[name] = value
                continue
            if name == "notes" and entry.get("notes"):
                entry["notes"] = f"{entry['notes']}\n{value}"
                continue
            entry.setdefault(name, value)

    def records(self) -> list[SignRecord]:
        records = (SignRecord(date=day, **values) for day, values in sorted(self._days.items()))
        return [record for record in records if record.logs_something()]


def periods_from_days(
    bleeding: Iterable[date], starts: Iterable[date] = (), *, label: str = "bleeding days"
) -> list[PeriodRecord]:
    """Her periods from the days she bled: consecutive days (a one-day gap
    bridged) form one period; a day marked as a cycle's start begins a new one."""
    days = sorted(set(bleeding))
    marked = set(starts)
    periods: list[PeriodRecord] = []
    first = last = None
    for day in days:
        if first is not None and (day - last).days <= BRIDGED_GAP_DAYS + 1 and day not in marked:
            last = day
            continue
        if first is not None:
            periods.append(PeriodRecord(first, last, f"{label} {first} to {last}"))
        first = last = day
    if first is not None:
        periods.append(PeriodRecord(first, last, f"{label} {first} to {last}"))
    return periods


# --- Her rules, checked before anything is written ----------------------------------


def validated(history: History, *, today: date) -> History:
    """The records PlanHer can keep; every other one becomes a problem that
    names it. No date after her ``today``; values within PlanHer's ranges."""
    clean = History(problems=list(history.problems))

    def date_problem(day: date) -> str | None:
        if day > today:
            return f"{day} is after your today ({today}): nothing is logged for a future day."
        if day < EARLIEST_DATE:
            return f"{day} is before {EARLIEST_DATE}."
        return None

    for period in sorted(history.periods, key=lambda p: p.start):
        problem = date_problem(period.start) or (period.end and date_problem(period.end))
        if not problem and period.end is not None:
            if period.end < period.start:
                problem = f"It ends ({period.end}) before it starts ({period.start})."
            elif (period.end - period.start).days + 1 > MAX_PERIOD_DAYS:
                problem = (
                    f"A period of {(period.end - period.start).days + 1} days: PlanHer keeps "
                    f"periods of at most {MAX_PERIOD_DAYS} days; log it by hand with its real end."
                )
        if (
            not problem
            and period.end is None
            and period.start < today - timedelta(days=MAX_PERIOD_DAYS - 1)
        ):
            problem = f"It started on {period.start} and has no end date."
        if problem:
            clean.problem(period.record, problem)
        else:
            clean.periods.append(period)

    for mood in history.moods:
        problem = date_problem(mood.date)
        if not problem and mood.energy_level not in ENERGY_LEVELS:
            problem = f"Energy level {mood.energy_level!r}: it is 0 (low), 1 (medium) or 2 (high)."
        if not problem and len(mood.notes) > NOTES_MAX_LENGTH:
            problem = f"Notes longer than {NOTES_MAX_LENGTH} characters."
        if problem:
            clean.problem(mood.record, problem)
        else:
            clean.moods.append(mood)

    low, high = BBT_CELSIUS
    for sign in history.signs:
        problem = date_problem(sign.date)
        if not problem and sign.bbt_celsius is not None and not low <= sign.bbt_celsius <= high:
            problem = f"A temperature of {sign.bbt_celsius} °C: PlanHer keeps {low} to {high} °C."
        if not problem and sign.lh_test is not None and sign.lh_test not in LH_RESULTS:
            problem = f"LH test {sign.lh_test!r}: it is negative or positive."
        if (
            not problem
            and sign.cervical_mucus is not None
            and (sign.cervical_mucus not in MUCUS_TYPES)
        ):
            problem = f"Cervical mucus {sign.cervical_mucus!r}: one of {', '.join(MUCUS_TYPES)}."
        if not problem and len(sign.notes) > NOTES_MAX_LENGTH:
            problem = f"Notes longer than {NOTES_MAX_LENGTH} characters."
        if problem:
            clean.problem(sign.record, problem)
        elif sign.logs_something():
            clean.signs.append(sign)
    return clean
