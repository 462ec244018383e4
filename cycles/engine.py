"""The cycle engine: plain dates in, plain values out (stdlib only; no ORM, no settings).

Everything is computed "as of" a day ``on`` (her today, or the date a prediction is
asked for): periods that start after ``on`` do not exist yet, and a period whose end
is after ``on`` was still ongoing on ``on``.

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

Prediction of the next start (``predict_next_period``)
------------------------------------------------------
From the gaps between her logged starts (the last ``HISTORY_WINDOW`` of them):

1. *Implausible gaps are excluded* and counted in ``Basis.cycles_excluded``: a gap
   of at least ``MISSED_LOG_RATIO`` x her typical length is most likely a missed log
   (two cycles in one), one below ``SPOTTING_RATIO`` x typical is most likely spotting
   logged as a period. "Typical" is the median of the gaps that are plausible against
   the prior (so a few missed logs cannot drag it up); if none is, the median of all
   gaps once she has 3 or more (a woman with consistently long cycles), else the prior.
2. *Her centre* is the median of her plausible gaps within ``TYPICAL_BAND`` of their
   median (one unusually long or short cycle then cannot move it by half a rank).
3. *Shrinkage* toward the prior (profile ``cycle_length``, else
   ``POPULATION_CYCLE_LENGTH``): ``c = (n * centre + k * prior) / (n + k)`` with
   ``k = s^2 / BETWEEN_WOMAN_SD^2`` (normal-normal empirical Bayes). ``s`` is her
   within-woman spread: her robust SD (1.4826 x MAD) blended with
   ``WITHIN_WOMAN_SD`` as if it were ``PRIOR_SPREAD_CYCLES`` extra cycles. Regular
   women are trusted sooner; a short or noisy history leans on the prior. The prior
   is a Huber one (normal within ``PRIOR_TAIL_START`` days of its mean, Laplace
   tails beyond): for a woman far from the population the pull stops growing
   (``k * PRIOR_TAIL_START / n`` days), so steady 50-day cycles predict ~49, not 45.
4. *Interval*: the next cycle length is modelled as a Laplace distribution (heavier
   tails than a normal, as real cycles have) centred on ``c``, with variance
   ``s^2 + s^2 / (n + k)`` (her spread plus the uncertainty of ``c``). The 80%
   interval is ``c +/- b * ln 5`` (``b`` the Laplace scale), rounded to whole days,
   and ``start_date`` is ``c`` rounded (half up). ``[earliest, latest]`` is
   inclusive; its width is ``latest - earliest`` days. ``earliest`` is after ``on``
   (she has not started yet: a start on ``on`` would be logged).
5. *Due and late*: from the expected start on (``status`` ``"due_today"`` on it,
   ``"late"`` after it, ``"upcoming"`` before), the answer is the distribution
   *given she has not started by ``on``*: for a Laplace tail that is ``on`` plus
   an exponential wait, whose scale grows by ``LATE_SPREAD_PER_DAY`` per day late
   (the longer she is late, the less we know). ``days_late`` counts the days past
   the expected start (0 when due today). ``on < earliest <= start_date`` always.

``Basis.method`` says what the prediction rests on:

* ``"population_prior"``: no usable cycle, no profile length: the population prior;
* ``"profile"``: no usable cycle: her profile's ``cycle_length``;
* ``"history_shrunk"``: her cycles, pulled toward the population prior;
* ``"history_shrunk_to_profile"``: her cycles, pulled toward her profile length.

The constants below are population figures chosen once (the literature puts the
average cycle near 29 days, the spread of women's own averages near 2 days and a
woman's cycle-to-cycle SD near 3 days) and checked walk-forward on real cycles with
``cycles/evaluation.py``; nothing is fitted at run time.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.vocabulary import (
    CYCLE_LENGTH,
    DEFAULT_LUTEAL_LENGTH,
    DEFAULT_MENSES_LENGTH,
    FOLLICULAR,
    LUTEAL,
    MAX_PERIOD_DAYS,
    MENSTRUAL,
    METHOD_HISTORY,
    METHOD_HISTORY_PROFILE,
    METHOD_POPULATION,
    METHOD_PROFILE,
    OVULATORY,
    STATUS_DUE_TODAY,
    STATUS_LATE,
    STATUS_UPCOMING,
)

POPULATION_CYCLE_LENGTH = 29
INTERVAL = 0.8

FERTILE_WINDOW_DAYS = 6  # the 5 days before ovulation and the day itself
MAX_PERIOD_LENGTH = MAX_PERIOD_DAYS  # longest bleeding the API accepts; caps malformed input
MIN_EFFECTIVE_LUTEAL = 2  # keeps the ovulatory days before the next start
PROFILE_CYCLE_RANGE = CYCLE_LENGTH  # the profile's own validation range; clamps odd input

HISTORY_WINDOW = 12  # about a year of cycles, as FIGO looks at a year
MISSED_LOG_RATIO = 1.6  # a missed log gives ~2x; 1.6 sits between one and two cycles
SPOTTING_RATIO = 0.6
TYPICAL_BAND = (0.8, 1.25)  # symmetric in log scale around her median
BETWEEN_WOMAN_SD = 2.0  # SD of women's own average cycle lengths
WITHIN_WOMAN_SD = 2.8  # a typical woman's cycle-to-cycle SD
PRIOR_SPREAD_CYCLES = 3  # weight of WITHIN_WOMAN_SD against her own spread, in cycles
PRIOR_TAIL_START = 2 * BETWEEN_WOMAN_SD  # the prior is normal up to here, Laplace beyond
LATE_SPREAD_PER_DAY = 0.25  # days of Laplace scale added per day late
MAD_TO_SD = 1.4826  # a normal's SD from its median absolute deviation

REGULARITY_WINDOW = 12  # FIGO 2018 looks at the last year: about 12 cycles
REGULARITY_MAX_SPREAD = 7  # regular: shortest and longest recent cycles differ <= 7 days
REGULARITY_MIN_CYCLES = 3


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Period:
    """One logged period."""

    start: date
    end: date | None = None  # None while ongoing


@dataclass(frozen=True)
class CycleProfile:
    """What her profile says; any field may be None (no profile, or not filled in)."""

    cycle_length: int | None = None
    luteal_length: int | None = None
    menses_length: int | None = None


@dataclass(frozen=True)
class Basis:
    """What a prediction rests on (see the module docstring for ``method``)."""

    method: str
    cycles_used: int
    cycles_excluded: int


@dataclass(frozen=True)
class NextPeriod:
    start_date: date  # always after the query date `on`
    earliest: date
    latest: date  # [earliest, latest] is an INTERVAL interval, inclusive
    interval: float
    days_late: int  # > 0 once `on` is after the expected start (0 when due on `on`)
    cycle_length: int  # start_date - last start: the predicted length of this cycle
    basis: Basis
    # Added to the agreed fields (defaults keep hand-built instances working):
    last_start: date | None = None  # her last logged start on or before `on`
    expected_start: date | None = None  # last start + usual length (start_date unless late)
    usual_cycle_length: int | None = None  # predicted length of a cycle; future cycles use it
    # One of NEXT_PERIOD_STATUSES: how `on` stands to the expected start.
    status: str = STATUS_UPCOMING


@dataclass(frozen=True)
class DayPosition:
    date: date
    day_of_cycle: int  # 1 on a period's start date
    phase: str  # one of PHASES
    cycle_start: date
    cycle_length: int  # actual length if the next start is logged, else predicted
    days_until_next: int  # (next start or predicted next start) - date
    is_period: bool  # bleeding day: logged, or predicted
    is_predicted_period: bool  # in a predicted (not logged) period
    is_fertile: bool  # in the fertile window


@dataclass(frozen=True)
class CurrentCycle:
    """Where `on` sits and what comes next: the body of GET /predictions/current."""

    date: date
    day_of_cycle: int
    phase: str
    cycle_start: date
    cycle_length: int  # length predicted for the cycle containing `on`
    is_period: bool
    is_predicted_period: bool
    is_fertile: bool
    next_period: NextPeriod
    ovulation_date: date
    fertile_window_start: date
    fertile_window_end: date


@dataclass(frozen=True)
class CycleStats:
    """The body of GET /periods/stats (averages rounded to one decimal)."""

    period_count: int
    cycle_count: int
    cycle_lengths: list[int]  # oldest first
    average_cycle_length: float | None
    median_cycle_length: float | None
    cycle_length_sd: float | None  # sample SD; None with fewer than 2 cycles
    shortest_cycle: int | None
    longest_cycle: int | None
    average_period_length: float | None  # completed periods only
    regularity: str  # "regular" | "irregular" | "insufficient_data"


@dataclass(frozen=True)
class CycleEstimate:
    """The predictive distribution of her next cycle length (a Laplace)."""

    centre: float  # median of the distribution, in days
    length: int  # centre rounded: the usual cycle length
    scale: float  # Laplace scale b, in days
    basis: Basis

    def quantile(self, q: float) -> float:
        """Cycle length with probability q of being at or below it."""
        if q < 0.5:
            return self.centre + self.scale * math.log(2 * q)
        return self.centre - self.scale * math.log(2 * (1 - q))


# ------------------------------------------------------------------------- helpers


def _round(x: float) -> int:
    """Round half up (Python's round() is half-to-even)."""
    return math.floor(x + 0.5)


def _clamp(x: int, low: int, high: int) -> int:
    return max(low, min(high, x))


def _days(later: date, earlier: date) -> int:
    return (later - earlier).days


def _normalise(periods: Iterable[Period], on: date | None = None) -> list[Period]:
    """Sorted, one period per start, as known on `on` (None: everything).

    A duplicate start keeps the longest known end; an end before the start, or after
    `on`, reads as "ongoing".
    """
    ends: dict[date, date | None] = {}
    for period in periods:
        if on is not None and period.start > on:
            continue
        end = period.end
        if end is not None and (end < period.start or (on is not None and end > on)):
            end = None
        if period.start not in ends or (
            end is not None and (ends[period.start] is None or end > ends[period.start])
        ):
            ends[period.start] = end
    return [Period(start, ends[start]) for start in sorted(ends)]


def _logged_length(period: Period) -> int | None:
    if period.end is None:
        return None
    return min(_days(period.end, period.start) + 1, MAX_PERIOD_LENGTH)


def _menses_length(periods: Sequence[Period], profile: CycleProfile | None) -> int:
    if profile is not None and profile.menses_length is not None:
        return _clamp(profile.menses_length, 1, MAX_PERIOD_LENGTH)
    lengths = [n for n in map(_logged_length, periods) if n is not None]
    if lengths:
        return _clamp(_round(statistics.fmean(lengths)), 1, MAX_PERIOD_LENGTH)
    return DEFAULT_MENSES_LENGTH


def _luteal_length(profile: CycleProfile | None) -> int:
    if profile is not None and profile.luteal_length is not None:
        return max(profile.luteal_length, MIN_EFFECTIVE_LUTEAL)
    return DEFAULT_LUTEAL_LENGTH


def _prior(profile: CycleProfile | None) -> tuple[float, bool]:
    """Prior cycle length and whether it comes from her profile."""
    if profile is not None and profile.cycle_length is not None:
        return float(_clamp(profile.cycle_length, *PROFILE_CYCLE_RANGE)), True
    return float(POPULATION_CYCLE_LENGTH), False


# ---------------------------------------------------------------------- prediction


def cycle_lengths(starts: Sequence[date]) -> list[int]:
    """Days between consecutive distinct starts, oldest first (input order is free)."""
    ordered = sorted(set(starts))
    return [_days(b, a) for a, b in itertools.pairwise(ordered)]


def split_plausible(lengths: Sequence[int], prior: float) -> tuple[list[int], list[int]]:
    """(plausible, excluded) gaps: excluded ones are likely missed logs or spotting."""
    if not lengths:
        return [], []
    against_prior = [x for x in lengths if x < MISSED_LOG_RATIO * prior]
    if against_prior:
        typical = statistics.median(against_prior)
    elif len(lengths) >= 3:
        typical = statistics.median(lengths)  # consistently long cycles are hers
    else:
        typical = prior
    plausible, excluded = [], []
    for x in lengths:
        ok = SPOTTING_RATIO * typical <= x < MISSED_LOG_RATIO * typical
        (plausible if ok else excluded).append(x)
    return plausible, excluded


def estimate_cycle(lengths: Sequence[int], *, profile: CycleProfile | None = None) -> CycleEstimate:
    """Her next cycle length as a distribution, from past gaps (oldest first)."""
    prior, from_profile = _prior(profile)
    plausible, excluded = split_plausible(list(lengths)[-HISTORY_WINDOW:], prior)
    basis = Basis(
        method=(METHOD_PROFILE if from_profile else METHOD_POPULATION)
        if not plausible
        else (METHOD_HISTORY_PROFILE if from_profile else METHOD_HISTORY),
        cycles_used=len(plausible),
        cycles_excluded=len(excluded),
    )
    spread_sq = WITHIN_WOMAN_SD**2
    centre, n = prior, 0
    if plausible:
        middle = statistics.median(plausible)
        own_sd = MAD_TO_SD * statistics.median(abs(x - middle) for x in plausible)
        spread_sq = (len(plausible) * own_sd**2 + PRIOR_SPREAD_CYCLES * spread_sq) / (
            len(plausible) + PRIOR_SPREAD_CYCLES
        )
    shrink = spread_sq / BETWEEN_WOMAN_SD**2  # the prior's weight, in cycles
    if plausible:
        low, high = TYPICAL_BAND
        core = [x for x in plausible if low * middle <= x <= high * middle] or plausible
        n, own = len(core), statistics.median(core)
        centre = (n * own + shrink * prior) / (n + shrink)
        if abs(centre - prior) > PRIOR_TAIL_START:
            # Huber prior: past PRIOR_TAIL_START the prior's pull stops growing, so a
            # woman far from the population is not dragged back as if she were wrong.
            centre = own - math.copysign(shrink * PRIOR_TAIL_START / n, own - prior)
    # Predictive variance: her spread plus the uncertainty of the centre.
    variance = spread_sq * (1 + 1 / (n + shrink))
    return CycleEstimate(
        centre=centre,
        length=max(1, _round(centre)),
        scale=math.sqrt(variance / 2),  # a Laplace with scale b has variance 2 b^2
        basis=basis,
    )


def _next_period(periods: Sequence[Period], on: date, profile: CycleProfile | None) -> NextPeriod:
    """`periods` already normalised to `on` and not empty."""
    last = periods[-1].start
    estimate = estimate_cycle(cycle_lengths([p.start for p in periods]), profile=profile)
    usual = estimate.length
    elapsed = _days(on, last)  # she has not logged a new start on or before `on`
    tail = (1 - INTERVAL) / 2
    if elapsed < usual:
        start = usual
        earliest = min(start, max(elapsed + 1, _round(estimate.quantile(tail))))
        latest = max(start, _round(estimate.quantile(1 - tail)))
        days_late, status = 0, STATUS_UPCOMING
    else:
        # From the centre on a Laplace tail is exponential: given no start by `on`,
        # the wait from `on` is exponential (memoryless), widened as lateness grows.
        # A start on `on` would have been logged, so the earliest is the day after.
        days_late = elapsed - usual
        status = STATUS_LATE if days_late else STATUS_DUE_TODAY
        scale = estimate.scale + LATE_SPREAD_PER_DAY * days_late
        start = max(elapsed + 1, _round(elapsed + scale * math.log(2)))
        earliest = max(elapsed + 1, _round(elapsed - scale * math.log(1 - tail)))
        earliest = min(earliest, start)
        latest = max(start, _round(elapsed - scale * math.log(tail)))
    return NextPeriod(
        start_date=last + timedelta(days=start),
        earliest=last + timedelta(days=earliest),
        latest=last + timedelta(days=latest),
        interval=INTERVAL,
        days_late=days_late,
        cycle_length=start,
        basis=estimate.basis,
        last_start=last,
        expected_start=last + timedelta(days=usual),
        usual_cycle_length=usual,
        status=status,
    )


def predict_next_period(
    periods: Sequence[Period], *, on: date, profile: CycleProfile | None = None
) -> NextPeriod | None:
    """The next start as of `on` (only periods starting on or before `on` count).

    None when no period has started by `on`.
    """
    known = _normalise(periods, on)
    if not known:
        return None
    return _next_period(known, on, profile)


# ------------------------------------------------------------------------ positions


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

    @property
    def length(self) -> int:
        return _days(self.next_start, self.start)

    def position(self, day: date) -> DayPosition:
        offset = _days(day, self.start)
        gap = _days(day, self.ovulation)
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
            days_until_next=_days(self.next_start, day),
            is_period=is_period,
            is_predicted_period=is_period and self.predicted,
            is_fertile=first_fertile <= day <= last_fertile,
        )


class _Timeline:
    """Her logged cycles up to `on`, then the predicted ones, for fast lookups."""

    def __init__(self, periods: Sequence[Period], on: date, profile: CycleProfile | None):
        self.periods = periods  # normalised, not empty
        self.profile = profile
        self.next_period = _next_period(periods, on, profile)
        self.menses = _menses_length(periods, profile)
        self.usual = self.next_period.usual_cycle_length or self.next_period.cycle_length
        self.first_predicted = self.next_period.start_date

    def _bleeding(self, period: Period, length: int) -> int:
        logged = _logged_length(period)
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
        bleeding = self._bleeding(period, _days(next_start, period.start))
        return _Cycle(
            period.start, next_start, bleeding, self._ovulation(period.start, anchor), False
        )

    def predicted_cycle(self, day: date) -> _Cycle:
        """The predicted cycle containing `day` (day >= first predicted start)."""
        k = _days(day, self.first_predicted) // self.usual
        start = self.first_predicted + timedelta(days=k * self.usual)
        next_start = start + timedelta(days=self.usual)
        bleeding = min(self.menses, self.usual)
        return _Cycle(start, next_start, bleeding, self._ovulation(start, next_start), True)

    def _ovulation(self, start: date, anchor: date) -> date:
        # anchor - luteal, but inside the cycle (a weird profile puts it on day 1).
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
        ahead = _days(cycle.next_start, first.start_date) // self.usual + 1
        widen = math.sqrt(ahead)
        before = _round(_days(first.start_date, first.earliest) * widen)
        after = _round(_days(first.latest, first.start_date) * widen)
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
    periods: Sequence[Period], on: date, profile: CycleProfile | None
) -> _Timeline | None:
    known = _normalise(periods, on)
    return _Timeline(known, on, profile) if known else None


def positions(
    periods: Sequence[Period],
    days: Iterable[date],
    *,
    on: date,
    profile: CycleProfile | None = None,
) -> dict[date, DayPosition | None]:
    """Position of each day (past, today or future) as known on `on`.

    One pass over the sorted days and her periods; a day in a predicted cycle is
    found arithmetically, so far-future forecasts cost the same as past days.
    """
    wanted = sorted(set(days))
    timeline = _timeline(periods, on, profile)
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
    periods: Sequence[Period],
    day: date,
    *,
    on: date,
    profile: CycleProfile | None = None,
) -> DayPosition | None:
    """Position of one day as known on `on`; None before her first period."""
    return positions(periods, [day], on=on, profile=profile)[day]


def current_cycle(
    periods: Sequence[Period],
    *,
    on: date,
    profile: CycleProfile | None = None,
    day: date | None = None,
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
    timeline = _timeline(periods, on, profile)
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
    )


@dataclass(frozen=True)
class UnclosedPeriod:
    """A period still open although it can no longer be going on."""

    start: date
    latest_end: date  # the latest end date a period starting on `start` may have
    assumed_length: int  # the bleeding days the engine counts until she closes it


def unclosed_period(
    periods: Sequence[Period], *, on: date, profile: CycleProfile | None = None
) -> UnclosedPeriod | None:
    """Her latest period left open (no end) although it started ``MAX_PERIOD_LENGTH``
    days or more before `on`; None when there is none.

    The engine counts such a period as her menses length (as any open period),
    cut at the next logged start; telling her lets her set the real end.
    """
    known = _normalise(periods, on)
    menses = _menses_length(known, profile)
    for index in range(len(known) - 1, -1, -1):
        period = known[index]
        if period.end is not None or _days(on, period.start) < MAX_PERIOD_LENGTH:
            continue
        length = menses
        if index + 1 < len(known):
            length = min(length, _days(known[index + 1].start, period.start))
        return UnclosedPeriod(
            start=period.start,
            latest_end=period.start + timedelta(days=MAX_PERIOD_LENGTH - 1),
            assumed_length=length,
        )
    return None


# --------------------------------------------------------------------------- stats


def _one_decimal(x: float | None) -> float | None:
    return None if x is None else _round(x * 10) / 10


def regularity(lengths: Sequence[int]) -> str:
    """FIGO 2018 over the last REGULARITY_WINDOW cycles (raw gaps, as logged)."""
    if len(lengths) < REGULARITY_MIN_CYCLES:
        return "insufficient_data"
    recent = list(lengths)[-REGULARITY_WINDOW:]
    return "regular" if max(recent) - min(recent) <= REGULARITY_MAX_SPREAD else "irregular"


def cycle_stats(periods: Sequence[Period]) -> CycleStats:
    """Summary of everything logged (no `on`: the caller passes what counts)."""
    known = _normalise(periods)
    lengths = cycle_lengths([p.start for p in known])
    period_lengths = [n for n in map(_logged_length, known) if n is not None]
    return CycleStats(
        period_count=len(known),
        cycle_count=len(lengths),
        cycle_lengths=lengths,
        average_cycle_length=_one_decimal(statistics.fmean(lengths)) if lengths else None,
        median_cycle_length=_one_decimal(statistics.median(lengths)) if lengths else None,
        cycle_length_sd=_one_decimal(statistics.stdev(lengths)) if len(lengths) >= 2 else None,
        shortest_cycle=min(lengths) if lengths else None,
        longest_cycle=max(lengths) if lengths else None,
        average_period_length=(
            _one_decimal(statistics.fmean(period_lengths)) if period_lengths else None
        ),
        regularity=regularity(lengths),
    )
