"""Prediction of the next start: her next cycle length as a distribution, and lateness.

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

import math
import statistics
from collections.abc import Sequence
from datetime import date, timedelta

from core.vocabulary import (
    CYCLE_LENGTH,
    METHOD_HISTORY,
    METHOD_HISTORY_PROFILE,
    METHOD_POPULATION,
    METHOD_PROFILE,
    STATUS_DUE_TODAY,
    STATUS_LATE,
    STATUS_UPCOMING,
)

from .periods import clamp, cycle_lengths, days_between, known_periods, round_half_up
from .values import Basis, CycleEstimate, CycleProfile, LoggedPeriod, NextPeriod

POPULATION_CYCLE_LENGTH = 29
INTERVAL = 0.8
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


def _prior(profile: CycleProfile | None) -> tuple[float, bool]:
    """Prior cycle length and whether it comes from her profile."""
    if profile is not None and profile.cycle_length is not None:
        return float(clamp(profile.cycle_length, *PROFILE_CYCLE_RANGE)), True
    return float(POPULATION_CYCLE_LENGTH), False


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
        length=max(1, round_half_up(centre)),
        scale=math.sqrt(variance / 2),  # a Laplace with scale b has variance 2 b^2
        basis=basis,
    )


def next_period_from_known(
    periods: Sequence[LoggedPeriod], on: date, profile: CycleProfile | None
) -> NextPeriod:
    """The next start from `periods` as `known_periods(..., on)` returns them (not empty)."""
    last = periods[-1].start
    estimate = estimate_cycle(cycle_lengths([p.start for p in periods]), profile=profile)
    usual = estimate.length
    elapsed = days_between(on, last)  # she has not logged a new start on or before `on`
    tail = (1 - INTERVAL) / 2
    if elapsed < usual:
        start = usual
        earliest = min(start, max(elapsed + 1, round_half_up(estimate.quantile(tail))))
        latest = max(start, round_half_up(estimate.quantile(1 - tail)))
        days_late, status = 0, STATUS_UPCOMING
    else:
        # From the centre on a Laplace tail is exponential: given no start by `on`,
        # the wait from `on` is exponential (memoryless), widened as lateness grows.
        # A start on `on` would have been logged, so the earliest is the day after.
        days_late = elapsed - usual
        status = STATUS_LATE if days_late else STATUS_DUE_TODAY
        scale = estimate.scale + LATE_SPREAD_PER_DAY * days_late
        start = max(elapsed + 1, round_half_up(elapsed + scale * math.log(2)))
        earliest = max(elapsed + 1, round_half_up(elapsed - scale * math.log(1 - tail)))
        earliest = min(earliest, start)
        latest = max(start, round_half_up(elapsed - scale * math.log(tail)))
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
    periods: Sequence[LoggedPeriod], *, on: date, profile: CycleProfile | None = None
) -> NextPeriod | None:
    """The next start as of `on` (only periods starting on or before `on` count).

    None when no period has started by `on`.
    """
    known = known_periods(periods, on)
    if not known:
        return None
    return next_period_from_known(known, on, profile)
