"""Where a day sits: day of cycle, phase, fertile window, the current cycle.

Cycles
------
A cycle runs from one period start to the day before the next start. Periods are
deduplicated by start date and sorted, so any input order is accepted. Days before
her first logged period have no position (``None``). A day belongs to the cycle of
the latest period start on or before it, counting logged starts and then predicted
ones; ``day_of_cycle`` is 1 on a period's start date (logged or predicted).

* a past day in a completed cycle uses the actual next logged start;
* the current cycle (from the last logged start) ends at ``predict_next_period``'s
  ``start_date``, which is always after ``on``: a start on or before ``on`` would
  have been logged, so a day up to ``on`` is day 1 only on a logged start (the day
  her period is due, unlogged, is the next day of her current cycle, with
  ``NextPeriod.status`` ``"due_today"``);
* after that, predicted cycles repeat her usual (predicted) cycle length, each with a
  predicted period of menses length: the profile's ``menses_length``, else the
  average of her completed logged periods, else ``DEFAULT_MENSES_LENGTH``.

Phase rule (one rule, every day exactly one phase)
--------------------------------------------------
For a day in a cycle starting ``S`` with next start ``N``:

1. **menstrual**: a bleeding day: ``S`` to her logged end date; an ongoing period
   (no end), or a predicted one, lasts menses length. An open period that started
   ``MAX_PERIOD_LENGTH`` days or more before ``on`` cannot still be going on: it too
   counts as menses length, and ``unclosed_period`` names it so she can close it.
   Bleeding never runs past ``N - 1`` nor beyond ``MAX_PERIOD_LENGTH`` days.
   Menstrual wins any overlap.
2. **ovulatory**: the 3 days centred on the ovulation day ``O = N - luteal``
   (luteal: the profile's ``luteal_length``, else ``DEFAULT_LUTEAL_LENGTH``).
3. **follicular**: after menses and before the ovulatory days.
4. **luteal**: after the ovulatory days until the day before ``N``.

``O`` is kept inside the cycle (a weird profile with luteal >= cycle length puts it
on day 1, where menses win) and the effective luteal length is at least 2 days, so
the ovulatory days always end before ``N``. In the *current* cycle ``O`` hangs on
the *expected* start (last start + usual length) rather than on the moving late
prediction: a late period does not move ovulation (nothing tells us it happened
later), so late days stay luteal and the phases of days already lived do not shift
while she waits. The fertile window is the 6 days ending on ``O``.

Her signs (``signs=``)
----------------------
Where her signs place ovulation in a cycle (``cycles.engine.luteal``:
``detect_ovulation`` over that cycle's signs, up to ``on`` only), ``O`` is the
detected day, in past cycles and in the current one; in the current one the next
start is then ``O`` + her luteal length (``Basis.method`` ``"ovulation_detected"``),
unless it is a temperature shift (or mucus peak) alone that the calendar
contradicts (``luteal.trusted``). Cycles without a detection, and predicted ones,
use her measured luteal length (``luteal.estimate_luteal``) once she has one,
else the profile's. Without signs nothing above changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.vocabulary import (
    DEFAULT_LUTEAL_LENGTH,
    FOLLICULAR,
    LUTEAL,
    MENSTRUAL,
    OVULATORY,
    STATUS_UPCOMING,
)

from .luteal import (
    cycle_detections,
    estimate_luteal,
    next_period_from_ovulation,
    past_luteal_lengths,
    trusted,
)
from .ovulation import DailySigns, OvulationDetection, detect_ovulation
from .periods import (
    days_between,
    known_periods,
    logged_length,
    round_half_up,
    usual_menses_length,
)
from .prediction import next_period_from_known
from .values import CurrentCycle, CycleProfile, DayPosition, LoggedPeriod, NextPeriod

FERTILE_WINDOW_DAYS = 6  # the 5 days before ovulation and the day itself
MIN_EFFECTIVE_LUTEAL = 2  # keeps the ovulatory days before the next start
MAX_RETRIES = 2  # later shifts looked at after one the calendar contradicts


def _luteal_length(profile: CycleProfile | None) -> int:
    if profile is not None and profile.luteal_length is not None:
        return max(profile.luteal_length, MIN_EFFECTIVE_LUTEAL)
    return DEFAULT_LUTEAL_LENGTH


def ovulation_date(
    next_start: date,
    *,
    profile: CycleProfile | None = None,
    cycle_start: date | None = None,
) -> date:
    """next start - luteal length, kept inside the cycle when `cycle_start` is given."""
    ovulation = next_start - timedelta(days=_luteal_length(profile))
    if cycle_start is not None:
        ovulation = max(ovulation, cycle_start)
    return ovulation


def fertile_window(ovulation: date) -> tuple[date, date]:
    """(first, last) day of the fertile window: the 6 days ending on ovulation."""
    return ovulation - timedelta(days=FERTILE_WINDOW_DAYS - 1), ovulation


@dataclass(frozen=True)
class _Cycle:
    """One cycle as the phase rule sees it."""

    start: date
    next_start: date  # actual or predicted
    bleeding_days: int  # days from `start` that are menstrual
    ovulation: date
    predicted: bool  # a predicted (not logged) cycle
    detection: OvulationDetection | None = None  # when her signs placed `ovulation`

    @property
    def length(self) -> int:
        return days_between(self.next_start, self.start)

    def position(self, day: date) -> DayPosition:
        offset = days_between(day, self.start)
        gap = days_between(day, self.ovulation)
        if offset < self.bleeding_days:
            phase = MENSTRUAL
        elif abs(gap) <= 1:
            phase = OVULATORY
        elif gap < 0:
            phase = FOLLICULAR
        else:
            phase = LUTEAL
        is_period = offset < self.bleeding_days
        first_fertile, last_fertile = fertile_window(self.ovulation)
        return DayPosition(
            date=day,
            day_of_cycle=offset + 1,
            phase=phase,
            cycle_start=self.start,
            cycle_length=self.length,
            days_until_next=days_between(self.next_start, day),
            is_period=is_period,
            is_predicted_period=is_period and self.predicted,
            is_fertile=first_fertile <= day <= last_fertile,
            is_ovulation=day == self.ovulation,
        )


class _Timeline:
    """Her logged cycles up to `on`, then the predicted ones, for fast lookups."""

    def __init__(
        self,
        periods: Sequence[LoggedPeriod],
        on: date,
        profile: CycleProfile | None,
        signs: Sequence[DailySigns] = (),
    ):
        self.periods = periods  # normalised, not empty
        self.profile = profile
        calendar = next_period_from_known(periods, on, profile)
        self.menses = usual_menses_length(periods, profile)
        self.usual = calendar.usual_cycle_length or calendar.cycle_length
        # Her signs: ovulation in each cycle they place it, and her luteal length.
        self.detections = cycle_detections(periods, signs, on)
        self.luteal = estimate_luteal(
            past_luteal_lengths(periods, self.detections), profile=profile
        )
        self.detection = None  # in the current cycle, from her signs up to `on`
        self.next_period = calendar
        detection = self.detections[-1]
        for _ in range(MAX_RETRIES + 1):
            if detection is None:
                break
            from_ovulation = next_period_from_ovulation(
                last_start=periods[-1].start,
                detection=detection,
                luteal=self.luteal,
                on=on,
                usual_cycle_length=self.usual,
            )
            if trusted(detection, from_ovulation, calendar):
                self.detection, self.next_period = detection, from_ovulation
                break
            # A shift the calendar contradicts is taken for noise: look after it.
            detection = detect_ovulation(
                signs, cycle_start=detection.date + timedelta(days=1), on=on
            )
        self.detections = [*self.detections[:-1], self.detection]
        self.first_predicted = self.next_period.start_date

    def _bleeding(self, period: LoggedPeriod, length: int) -> int:
        logged = logged_length(period)
        return min(self.menses if logged is None else logged, length)

    def logged_cycle(self, index: int) -> _Cycle:
        """Cycle `index` of her logged periods (the last one is the current cycle)."""
        period = self.periods[index]
        if index + 1 < len(self.periods):
            next_start = anchor = self.periods[index + 1].start
        else:
            next_start = self.first_predicted
            # Ovulation hangs on the expected start, so late days stay luteal.
            anchor = self.next_period.expected_start or next_start
        bleeding = self._bleeding(period, days_between(next_start, period.start))
        detection = self.detections[index]
        if detection is not None and period.start <= detection.date < next_start:
            ovulation = detection.date  # her signs place it
        else:
            ovulation = self._ovulation(period.start, anchor)
            detection = None
        return _Cycle(period.start, next_start, bleeding, ovulation, False, detection)

    def predicted_cycle(self, day: date) -> _Cycle:
        """The predicted cycle containing `day` (day >= first predicted start)."""
        k = days_between(day, self.first_predicted) // self.usual
        start = self.first_predicted + timedelta(days=k * self.usual)
        next_start = start + timedelta(days=self.usual)
        bleeding = min(self.menses, self.usual)
        return _Cycle(start, next_start, bleeding, self._ovulation(start, next_start), True)

    def _ovulation(self, start: date, anchor: date) -> date:
        # anchor - luteal, but inside the cycle (a weird profile puts it on day 1).
        # Her own luteal length once her signs measured it, else the profile's.
        if self.luteal.known:
            luteal = max(self.luteal.length, MIN_EFFECTIVE_LUTEAL)
            return max(anchor - timedelta(days=luteal), start)
        return ovulation_date(anchor, profile=self.profile, cycle_start=start)

    def cycle_of(self, day: date) -> _Cycle:
        """The cycle containing `day` (not before her last logged start)."""
        if day >= self.first_predicted:
            return self.predicted_cycle(day)
        return self.logged_cycle(len(self.periods) - 1)

    def next_period_after(self, cycle: _Cycle) -> NextPeriod:
        """The start that ends `cycle`, as predicted on `on` (not conditioned on a
        later day: nothing is known of it yet).

        For a predicted cycle that is a later predicted start: the first prediction
        moved by whole usual cycles, its interval widened by sqrt(cycles ahead), as
        the spread of a sum of independent cycle lengths grows, and kept after the
        predicted start before it.
        """
        first = self.next_period
        if not cycle.predicted:
            return first
        ahead = days_between(cycle.next_start, first.start_date) // self.usual + 1
        widen = math.sqrt(ahead)
        before = round_half_up(days_between(first.start_date, first.earliest) * widen)
        after = round_half_up(days_between(first.latest, first.start_date) * widen)
        return NextPeriod(
            start_date=cycle.next_start,
            earliest=max(
                cycle.next_start - timedelta(days=before), cycle.start + timedelta(days=1)
            ),
            latest=cycle.next_start + timedelta(days=after),
            interval=first.interval,
            days_late=0,
            cycle_length=cycle.length,
            basis=first.basis,
            last_start=first.last_start,
            expected_start=cycle.next_start,
            usual_cycle_length=self.usual,
            status=STATUS_UPCOMING,
        )


def _timeline(
    periods: Sequence[LoggedPeriod],
    on: date,
    profile: CycleProfile | None,
    signs: Sequence[DailySigns] = (),
) -> _Timeline | None:
    known = known_periods(periods, on)
    if not known:
        return None
    # Nothing is detected from the future: only signs logged on or before `on`.
    return _Timeline(known, on, profile, [s for s in signs if s.date <= on])


def positions(
    periods: Sequence[LoggedPeriod],
    days: Iterable[date],
    *,
    on: date,
    profile: CycleProfile | None = None,
    signs: Sequence[DailySigns] = (),
) -> dict[date, DayPosition | None]:
    """Position of each day (past, today or future) as known on `on`.

    One pass over the sorted days and her periods; a day in a predicted cycle is
    found arithmetically, so far-future forecasts cost the same as past days.
    """
    wanted = sorted(set(days))
    timeline = _timeline(periods, on, profile, signs)
    if timeline is None:
        return dict.fromkeys(wanted)
    starts = [p.start for p in timeline.periods]
    result: dict[date, DayPosition | None] = {}
    index = -1
    cycle: _Cycle | None = None
    for day in wanted:
        if day < starts[0]:
            result[day] = None
            continue
        if day >= timeline.first_predicted:
            if cycle is None or not cycle.predicted or day >= cycle.next_start:
                cycle = timeline.predicted_cycle(day)
        else:
            moved = False
            while index + 1 < len(starts) and starts[index + 1] <= day:
                index += 1
                moved = True
            if moved or cycle is None:
                cycle = timeline.logged_cycle(index)
        result[day] = cycle.position(day)
    return result


def position_on(
    periods: Sequence[LoggedPeriod],
    day: date,
    *,
    on: date,
    profile: CycleProfile | None = None,
    signs: Sequence[DailySigns] = (),
) -> DayPosition | None:
    """Position of one day as known on `on`; None before her first period."""
    return positions(periods, [day], on=on, profile=profile, signs=signs)[day]


def current_cycle(
    periods: Sequence[LoggedPeriod],
    *,
    on: date,
    profile: CycleProfile | None = None,
    day: date | None = None,
    signs: Sequence[DailySigns] = (),
) -> CurrentCycle | None:
    """Where `day` (default `on`) sits in her cycle and what comes next, as known on
    `on`; None without a period.

    A `day` after `on` is what `on` predicts for it: the same position as in
    ``positions(..., on=on)``, and the next period is the first predicted start
    after `day` (``start_date`` is always after `day`; the interval is what `on`
    knows, so ``earliest`` may fall on or before `day`, never on or before `on`).
    """
    day = on if day is None else day
    if day < on:
        raise ValueError("day must not be before on: ask as of that day instead")
    timeline = _timeline(periods, on, profile, signs)
    if timeline is None:
        return None
    cycle = timeline.cycle_of(day)
    where = cycle.position(day)
    first_fertile, last_fertile = fertile_window(cycle.ovulation)
    return CurrentCycle(
        date=day,
        day_of_cycle=where.day_of_cycle,
        phase=where.phase,
        cycle_start=where.cycle_start,
        cycle_length=where.cycle_length,
        is_period=where.is_period,
        is_predicted_period=where.is_predicted_period,
        is_fertile=where.is_fertile,
        next_period=timeline.next_period_after(cycle),
        ovulation_date=cycle.ovulation,
        fertile_window_start=first_fertile,
        fertile_window_end=last_fertile,
        ovulation=cycle.detection,
        luteal_length=timeline.luteal.length if timeline.luteal.known else None,
    )
