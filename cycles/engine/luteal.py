"""Her luteal length, and the next start once her signs place ovulation in this cycle.

Once ovulation has happened, what remains of the cycle is the luteal phase, which
varies far less than the follicular one (Bull et al. 2019: 12.4 days on average,
95% range 7-17; Fehring et al. 2006: the follicular phase carries most of the
variability of a cycle). So the next start is *ovulation + her luteal length*.

Luteal length
-------------
Here the luteal length is ``next start - ovulation`` in days (the profile's
``luteal_length`` means the same: the calendar places ovulation on ``next start -
luteal_length``). Her past luteal lengths come from her completed cycles whose
ovulation her signs placed (``detect_ovulation`` over that cycle's signs): the last
``HISTORY_WINDOW`` such cycles; a length outside ``LUTEAL_PLAUSIBLE`` (3-30 days) is
a sign misread or a missed period log and is left out (``Basis.cycles_excluded``).
A tighter range (the profile's 5-25) did worse on real cycles: a short luteal
phase that recurs is hers.

Her luteal length is their mean shrunk toward the prior (her profile's
``luteal_length``, else ``POPULATION_LUTEAL_LENGTH``, Bull et al.'s 12.4):
``(sum + k * prior) / (n + k)`` with ``k = LUTEAL_PRIOR_WEIGHT`` cycles (chosen by
cross-validation over women, README "Ovulation from her signs").

The next start and its interval
-------------------------------
The next start is ``ovulation + luteal`` rounded half up. Its spread is a Laplace
(as the calendar's, ``cycles.engine.prediction``) with variance ``s^2 (1 + 1/(n+k))
+ d^2``: ``s^2`` her luteal spread (her sample variance blended with
``LUTEAL_WITHIN_SD`` as if it were ``LUTEAL_PRIOR_SPREAD_CYCLES`` extra cycles),
the uncertainty of her mean, and ``d`` how far the detected day may be from the
true one (``DETECTION_SD`` by the most precise agreeing sign: an LH surge, else the
temperature shift, else peak mucus). The 80% interval is ``centre +/- b ln 5``.
As for the calendar, a start on or before ``on`` would have been logged: from the
expected start on, the answer is "given she has not started by ``on``" (an
exponential wait whose scale grows with lateness), and ``earliest`` is after ``on``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.vocabulary import (
    LUTEAL_LENGTH,
    METHOD_OVULATION,
    STATUS_DUE_TODAY,
    STATUS_LATE,
    STATUS_UPCOMING,
)

from .ovulation import SIGN_BBT, SIGN_LH, SIGN_MUCUS, DailySigns, OvulationDetection
from .ovulation import detect_ovulation as _detect
from .periods import clamp, days_between, round_half_up
from .prediction import HISTORY_WINDOW, INTERVAL, LATE_SPREAD_PER_DAY
from .values import Basis, CycleProfile, LoggedPeriod, NextPeriod

POPULATION_LUTEAL_LENGTH = 12.4  # Bull et al. 2019, 612,613 cycles
LUTEAL_PRIOR_WEIGHT = 1.0  # the prior's weight, in cycles (cross-validated over women)
LUTEAL_WITHIN_SD = 1.2  # her cycle-to-cycle luteal SD before she has any (cross-validated)
LUTEAL_PLAUSIBLE = (3, 30)  # a measured luteal length outside it is left out
LUTEAL_PRIOR_SPREAD_CYCLES = 3  # weight of LUTEAL_WITHIN_SD against her own spread
# How far the detected day may be from the true one, by the sign that placed it.
DETECTION_SD = {SIGN_LH: 0.5, SIGN_BBT: 1.0, SIGN_MUCUS: 1.5}


@dataclass(frozen=True)
class LutealEstimate:
    """Her luteal length (next start - ovulation) as a distribution."""

    centre: float  # days
    spread_sq: float  # her cycle-to-cycle variance, days^2
    cycles_used: int
    cycles_excluded: int
    prior: float
    measured_mean: float | None = None  # the plain mean of her measured lengths
    prior_weight: float = LUTEAL_PRIOR_WEIGHT  # k, in cycles

    @property
    def length(self) -> int:
        return round_half_up(self.centre)

    @property
    def known(self) -> bool:
        """Whether any cycle of hers measured it (else it is the prior)."""
        return self.cycles_used > 0


def luteal_prior(profile: CycleProfile | None) -> float:
    if profile is not None and profile.luteal_length is not None:
        return float(clamp(profile.luteal_length, *LUTEAL_LENGTH))
    return POPULATION_LUTEAL_LENGTH


def estimate_luteal(
    lengths: Sequence[int],
    *,
    profile: CycleProfile | None = None,
    prior_weight: float = LUTEAL_PRIOR_WEIGHT,
    within_sd: float = LUTEAL_WITHIN_SD,
) -> LutealEstimate:
    """Her luteal length from past measured ones (oldest first), shrunk to the prior."""
    prior = luteal_prior(profile)
    recent = list(lengths)[-HISTORY_WINDOW:]
    low, high = LUTEAL_PLAUSIBLE
    used = [x for x in recent if low <= x <= high]
    n = len(used)
    spread_sq = within_sd**2
    if n >= 2:
        own = statistics.variance(used)
        spread_sq = (n * own + LUTEAL_PRIOR_SPREAD_CYCLES * spread_sq) / (
            n + LUTEAL_PRIOR_SPREAD_CYCLES
        )
    centre = (sum(used) + prior_weight * prior) / (n + prior_weight)
    return LutealEstimate(
        centre=centre,
        spread_sq=spread_sq,
        cycles_used=n,
        cycles_excluded=len(recent) - n,
        prior=prior,
        measured_mean=statistics.fmean(used) if used else None,
        prior_weight=prior_weight,
    )


def detection_sd(detection: OvulationDetection) -> float:
    for sign in (SIGN_LH, SIGN_BBT, SIGN_MUCUS):
        if sign in detection.signs:
            return DETECTION_SD[sign]
    return max(DETECTION_SD.values())


def cycle_detections(
    periods: Sequence[LoggedPeriod], signs: Sequence[DailySigns], on: date
) -> list[OvulationDetection | None]:
    """Ovulation as her signs place it in each cycle of ``periods`` (normalised, as
    known on ``on``): a completed cycle from its own signs, the current one from
    her signs up to ``on``. Only the last ``HISTORY_WINDOW`` + 1 cycles are read."""
    result: list[OvulationDetection | None] = [None] * len(periods)
    if not signs:
        return result
    first = max(0, len(periods) - HISTORY_WINDOW - 1)
    ordered = sorted(signs, key=lambda s: s.date)
    for index in range(first, len(periods)):
        start = periods[index].start
        if index + 1 < len(periods):
            last_day = min(on, periods[index + 1].start - timedelta(days=1))
        else:
            last_day = on
        within = [s for s in ordered if start <= s.date <= last_day]
        if within:
            result[index] = _detect(within, cycle_start=start, on=last_day)
    return result


def past_luteal_lengths(
    periods: Sequence[LoggedPeriod], detections: Sequence[OvulationDetection | None]
) -> list[int]:
    """next start - detected ovulation of each completed cycle with a detection."""
    return [
        days_between(periods[index + 1].start, detection.date)
        for index, detection in enumerate(detections[:-1])
        if detection is not None
    ]


def next_period_from_ovulation(
    *,
    last_start: date,
    detection: OvulationDetection,
    luteal: LutealEstimate,
    on: date,
    usual_cycle_length: int,
) -> NextPeriod:
    """The next start once her signs placed ovulation in the current cycle."""
    ovulation = detection.date
    n_eff = luteal.cycles_used + luteal.prior_weight
    variance = luteal.spread_sq * (1 + 1 / n_eff) + detection_sd(detection) ** 2
    scale = math.sqrt(variance / 2)
    centre = luteal.centre
    expected = max(1, round_half_up(centre))  # days after ovulation
    elapsed = days_between(on, ovulation)  # may be -1: an LH positive on `on`
    tail = (1 - INTERVAL) / 2
    if elapsed < expected:
        start = expected
        quantile_low = centre + scale * math.log(2 * tail)
        quantile_high = centre - scale * math.log(2 * tail)
        earliest = min(start, max(elapsed + 1, round_half_up(quantile_low)))
        latest = max(start, round_half_up(quantile_high))
        days_late, status = 0, STATUS_UPCOMING
    else:
        days_late = elapsed - expected
        status = STATUS_LATE if days_late else STATUS_DUE_TODAY
        scale += LATE_SPREAD_PER_DAY * days_late
        start = max(elapsed + 1, round_half_up(elapsed + scale * math.log(2)))
        earliest = max(elapsed + 1, round_half_up(elapsed - scale * math.log(1 - tail)))
        earliest = min(earliest, start)
        latest = max(start, round_half_up(elapsed - scale * math.log(tail)))
    start_date = ovulation + timedelta(days=start)
    # Never on or before the cycle's first day (a sign misread on day 1).
    start_date = max(start_date, last_start + timedelta(days=1))
    return NextPeriod(
        start_date=start_date,
        earliest=max(ovulation + timedelta(days=earliest), last_start + timedelta(days=1)),
        latest=max(ovulation + timedelta(days=latest), start_date),
        interval=INTERVAL,
        days_late=days_late,
        cycle_length=days_between(start_date, last_start),
        basis=Basis(
            method=METHOD_OVULATION,
            cycles_used=luteal.cycles_used,
            cycles_excluded=luteal.cycles_excluded,
        ),
        last_start=last_start,
        expected_start=ovulation + timedelta(days=expected),
        usual_cycle_length=usual_cycle_length,
        status=status,
    )


# A temperature shift (or mucus peak) without an LH surge that puts the next start
# this many days or more before the calendar's earliest is taken for noise.
UNCONFIRMED_GUARD_DAYS = 2


def trusted(
    detection: OvulationDetection, from_ovulation: NextPeriod, calendar: NextPeriod
) -> bool:
    """Whether the next start from `detection` replaces the calendar's (module docstring)."""
    if SIGN_LH in detection.signs:
        return True
    return (calendar.earliest - from_ovulation.start_date).days < UNCONFIRMED_GUARD_DAYS
