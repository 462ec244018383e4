"""Cycle alerts: irregularities her logged periods show, on published thresholds.

Plain values in (her logged periods, a day ``on``), plain ``Alert`` values out. Each
rule looks at the 6 months (``WINDOW_DAYS``) ending on ``on`` and at her periods as
known on ``on`` (``periods.known_periods``: an end after ``on`` is not known yet).

The thresholds are Apple's cycle deviations (HealthKit, "Cycle Deviation
notifications", HKCategoryTypeIdentifier.irregularMenstrualCycles and siblings):

* ``prolonged_periods``: periods lasting 10 days or more, at least twice in 6 months
  (completed periods, by the day they started);
* ``irregular_cycles``: 17 days or more between her shortest and longest cycle of the
  last 6 months (cycles that started in the window and have ended);
* ``infrequent_periods``: 2 periods or fewer started in the last 6 months, only once
  her first logged period is at least 6 months old (before that, a short history
  would look infrequent);
* ``persistent_spotting``: Apple's rule is spotting in 2 or more cycles of 6 months;
  PlanHer logs no spotting days, so this fires on what her profile says
  (``unusual_bleeding``), from the day the caller gives (``spotting_since``);
* ``short_cycles`` / ``long_cycles``: a cycle of the last 6 months under 21 or over 35
  days: ACOG's adult range, which the issue names. FIGO 2018 (Munro et al., Int J
  Gynaecol Obstet 143:393) calls 24-38 days normal frequency; the alert is about any
  single cycle (a prompt to look), the report states her usual frequency in FIGO's
  terms (``FREQUENCY_NORMAL``, ``figo_frequency``).

``since`` is the first day of the unbroken run of days on which the rule held, as
her data stands: it does not move while the alert goes on, so ``code`` + ``since``
name one alert (a notification sent for it is sent once). A rule's outcome can
change only on a few days (a start, an end, either one leaving the window), so the
run is found by evaluating those days, not every day.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .periods import days_between, known_periods, logged_length
from .values import LoggedPeriod

WINDOW_DAYS = 182  # "the last six months": 26 weeks ending on `on`
PROLONGED_PERIOD_DAYS = 10
PROLONGED_PERIOD_COUNT = 2
IRREGULAR_SPREAD_DAYS = 17
INFREQUENT_MAX_PERIODS = 2
SHORT_CYCLE_DAYS = 21  # a cycle shorter than this fires
LONG_CYCLE_DAYS = 35  # a cycle longer than this fires
FREQUENCY_NORMAL = (24, 38)  # FIGO 2018 normal frequency, for the report
DURATION_NORMAL_MAX = 8  # FIGO 2018: bleeding of more than 8 days is prolonged

NOT_A_DIAGNOSIS = (
    "This is not a diagnosis: it is what your logs show. If it matches how you feel or "
    "goes on, talk to a doctor or nurse."
)

PROLONGED_PERIODS = "prolonged_periods"
IRREGULAR_CYCLES = "irregular_cycles"
INFREQUENT_PERIODS = "infrequent_periods"
PERSISTENT_SPOTTING = "persistent_spotting"
SHORT_CYCLES = "short_cycles"
LONG_CYCLES = "long_cycles"
ALERT_CODES = (
    PROLONGED_PERIODS,
    IRREGULAR_CYCLES,
    INFREQUENT_PERIODS,
    PERSISTENT_SPOTTING,
    SHORT_CYCLES,
    LONG_CYCLES,
)


@dataclass(frozen=True)
class Alert:
    code: str  # one of ALERT_CODES
    title: str
    detail: str  # what was seen, and that it is not a diagnosis
    since: date  # first day of the run of days it held: code + since is its identity


@dataclass(frozen=True)
class _Seen:
    title: str
    seen: str  # what was seen, in her words


def _window(on: date) -> date:
    """The first day of the 6 months ending on ``on``."""
    return on - timedelta(days=WINDOW_DAYS - 1)


def _fmt(day: date) -> str:
    return day.isoformat()


def _recent_cycles(known: list[LoggedPeriod], on: date) -> list[tuple[date, int]]:
    """(start, length) of the cycles started in the window and ended by ``on``."""
    first = _window(on)
    return [
        (a.start, days_between(b.start, a.start))
        for a, b in itertools.pairwise(known)
        if a.start >= first
    ]


def _prolonged(known: list[LoggedPeriod], on: date) -> _Seen | None:
    first = _window(on)
    long = [
        (p.start, n)
        for p in known
        if p.start >= first and (n := logged_length(p)) is not None
        if n >= PROLONGED_PERIOD_DAYS
    ]
    if len(long) < PROLONGED_PERIOD_COUNT:
        return None
    listed = ", ".join(f"{n} days from {_fmt(start)}" for start, n in long)
    return _Seen(
        "Long periods",
        f"{len(long)} of your periods in the last 6 months lasted "
        f"{PROLONGED_PERIOD_DAYS} days or more ({listed}).",
    )


def _irregular(known: list[LoggedPeriod], on: date) -> _Seen | None:
    lengths = [n for _, n in _recent_cycles(known, on)]
    if len(lengths) < 2 or max(lengths) - min(lengths) < IRREGULAR_SPREAD_DAYS:
        return None
    return _Seen(
        "Irregular cycles",
        f"Your cycles in the last 6 months ranged from {min(lengths)} to {max(lengths)} "
        f"days: {max(lengths) - min(lengths)} days between the shortest and the longest "
        f"({IRREGULAR_SPREAD_DAYS} or more is irregular).",
    )


def _infrequent(known: list[LoggedPeriod], on: date) -> _Seen | None:
    if not known or known[0].start > on - timedelta(days=WINDOW_DAYS):
        return None  # less than 6 months of history
    first = _window(on)
    count = sum(1 for p in known if p.start >= first)
    if count > INFREQUENT_MAX_PERIODS:
        return None
    counted = {0: "no period", 1: "1 period"}.get(count, f"{count} periods")
    return _Seen(
        "Infrequent periods",
        f"You logged {counted} in the last 6 months (since {_fmt(first)}). If you had "
        "periods you did not log, logging them makes this right.",
    )


def _cycles_outside(short: bool) -> Callable[[list[LoggedPeriod], date], _Seen | None]:
    def rule(known: list[LoggedPeriod], on: date) -> _Seen | None:
        cycles = [
            (start, n)
            for start, n in _recent_cycles(known, on)
            if (n < SHORT_CYCLE_DAYS if short else n > LONG_CYCLE_DAYS)
        ]
        if not cycles:
            return None
        listed = ", ".join(f"{n} days from {_fmt(start)}" for start, n in cycles)
        if short:
            return _Seen(
                "Short cycles",
                f"In the last 6 months, {len(cycles)} of your cycles lasted less than "
                f"{SHORT_CYCLE_DAYS} days ({listed}).",
            )
        return _Seen(
            "Long cycles",
            f"In the last 6 months, {len(cycles)} of your cycles lasted more than "
            f"{LONG_CYCLE_DAYS} days ({listed}). A period you did not log also makes a "
            "cycle look long.",
        )

    return rule


RULES: dict[str, Callable[[list[LoggedPeriod], date], _Seen | None]] = {
    PROLONGED_PERIODS: _prolonged,
    IRREGULAR_CYCLES: _irregular,
    INFREQUENT_PERIODS: _infrequent,
    SHORT_CYCLES: _cycles_outside(short=True),
    LONG_CYCLES: _cycles_outside(short=False),
}


def _change_days(periods: Sequence[LoggedPeriod], on: date) -> list[date]:
    """Every day on or before ``on`` on which a rule's outcome may change, newest
    first: a start or an end becomes known, or leaves the window."""
    days = {on}
    for period in periods:
        for day in (period.start, period.end):
            if day is not None:
                days.update((day, day + timedelta(days=WINDOW_DAYS)))
    return sorted((day for day in days if day <= on), reverse=True)


def _since(rule, periods: Sequence[LoggedPeriod], change_days: list[date]) -> date:
    """First day of the unbroken run, ending on ``change_days[0]``, of days the rule
    held. The outcome is constant from one change day to the next, so it is enough
    to evaluate the change days."""
    since = change_days[0]
    for day in change_days[1:]:
        if rule(known_periods(periods, day), day) is None:
            break
        since = day
    return since


def cycle_alerts(
    periods: Sequence[LoggedPeriod],
    *,
    on: date,
    unusual_bleeding: bool = False,
    spotting_since: date | None = None,
) -> list[Alert]:
    """The alerts her periods (and her profile's ``unusual_bleeding``) raise on ``on``,
    in ``ALERT_CODES`` order."""
    known = known_periods(periods, on)
    change_days = None
    alerts = []
    for code in ALERT_CODES:
        if code == PERSISTENT_SPOTTING:
            if unusual_bleeding:
                alerts.append(
                    Alert(
                        code,
                        "Unusual bleeding",
                        "Your profile says you have bleeding outside your periods "
                        "(spotting). " + NOT_A_DIAGNOSIS,
                        spotting_since or on,
                    )
                )
            continue
        seen = RULES[code](known, on)
        if seen is None:
            continue
        change_days = change_days or _change_days(periods, on)
        since = _since(RULES[code], periods, change_days)
        alerts.append(Alert(code, seen.title, f"{seen.seen} {NOT_A_DIAGNOSIS}", since))
    return alerts


def figo_frequency(median_length: float | None) -> str | None:
    """FIGO 2018 frequency of her usual cycle: frequent, normal or infrequent."""
    if median_length is None:
        return None
    low, high = FREQUENCY_NORMAL
    if median_length < low:
        return "frequent"
    if median_length > high:
        return "infrequent"
    return "normal"
