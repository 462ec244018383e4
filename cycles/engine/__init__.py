"""The cycle engine: plain dates in, plain values out (stdlib only; no ORM, no settings).

Everything is computed "as of" a day ``on`` (her today, or the date a prediction is
asked for): periods that start after ``on`` do not exist yet, and a period whose end
is after ``on`` was still ongoing on ``on``.

Where each rule lives (each module's docstring states its rules in full):

* ``values``: what goes in (``LoggedPeriod``, ``CycleProfile``) and what comes out;
* ``periods``: how her logged periods are read (as of ``on``, deduplicated, lengths
  capped), the menses length, the open period she should close, and the day
  arithmetic the other modules share;
* ``prediction``: her next cycle length as a distribution (implausible gaps,
  shrinkage to a prior, the 80% interval), due and late, and ``Basis.method``;
* ``timeline``: what a cycle is, the phase rule, ovulation and the fertile window,
  the position of any day and the current cycle;
* ``stats``: the summary of everything logged, and FIGO regularity;
* ``ovulation``: ovulation detected from her fertility signs (``DailySigns``): an LH
  surge, a Sensiplan temperature shift, peak mucus, how they combine and how sure;
* ``luteal``: her luteal length from the cycles her signs measured, and the next
  start once her signs place ovulation in the current cycle (``"ovulation_detected"``).

Every function that places days (``current_cycle``, ``positions``, ``position_on``)
takes her signs (``signs=``): where they place ovulation, the phases, the fertile
window and the next start follow it, for every caller alike.

Import from here (``from cycles import engine`` or ``from cycles.engine import X``);
the modules import only downwards (values < periods < prediction < luteal < timeline;
stats beside timeline; ovulation below luteal), never the other way.
"""

from .luteal import (
    DETECTION_SD,
    LUTEAL_PRIOR_WEIGHT,
    LUTEAL_WITHIN_SD,
    POPULATION_LUTEAL_LENGTH,
    LutealEstimate,
    cycle_detections,
    estimate_luteal,
    past_luteal_lengths,
)
from .ovulation import (
    CONFIDENCES,
    SIGNS,
    DailySigns,
    OvulationDetection,
    detect_ovulation,
)
from .periods import MAX_PERIOD_LENGTH, cycle_lengths, unclosed_period
from .prediction import (
    BETWEEN_WOMAN_SD,
    HISTORY_WINDOW,
    INTERVAL,
    LATE_SPREAD_PER_DAY,
    MAD_TO_SD,
    MISSED_LOG_RATIO,
    POPULATION_CYCLE_LENGTH,
    PRIOR_SPREAD_CYCLES,
    PRIOR_TAIL_START,
    PROFILE_CYCLE_RANGE,
    SPOTTING_RATIO,
    TYPICAL_BAND,
    WITHIN_WOMAN_SD,
    estimate_cycle,
    predict_next_period,
    split_plausible,
)
from .stats import (
    REGULARITY_MAX_SPREAD,
    REGULARITY_MIN_CYCLES,
    REGULARITY_WINDOW,
    cycle_stats,
    regularity,
)
from .timeline import (
    FERTILE_WINDOW_DAYS,
    MIN_EFFECTIVE_LUTEAL,
    current_cycle,
    fertile_window,
    ovulation_date,
    position_on,
    positions,
)
from .values import (
    Basis,
    CurrentCycle,
    CycleEstimate,
    CycleProfile,
    CycleStats,
    DayPosition,
    LoggedPeriod,
    NextPeriod,
    UnclosedPeriod,
)

__all__ = [
    "BETWEEN_WOMAN_SD",
    "CONFIDENCES",
    "DETECTION_SD",
    "FERTILE_WINDOW_DAYS",
    "HISTORY_WINDOW",
    "INTERVAL",
    "LATE_SPREAD_PER_DAY",
    "LUTEAL_PRIOR_WEIGHT",
    "LUTEAL_WITHIN_SD",
    "MAD_TO_SD",
    "MAX_PERIOD_LENGTH",
    "MIN_EFFECTIVE_LUTEAL",
    "MISSED_LOG_RATIO",
    "POPULATION_CYCLE_LENGTH",
    "POPULATION_LUTEAL_LENGTH",
    "PRIOR_SPREAD_CYCLES",
    "PRIOR_TAIL_START",
    "PROFILE_CYCLE_RANGE",
    "REGULARITY_MAX_SPREAD",
    "REGULARITY_MIN_CYCLES",
    "REGULARITY_WINDOW",
    "SIGNS",
    "SPOTTING_RATIO",
    "TYPICAL_BAND",
    "WITHIN_WOMAN_SD",
    "Basis",
    "CurrentCycle",
    "CycleEstimate",
    "CycleProfile",
    "CycleStats",
    "DailySigns",
    "DayPosition",
    "LoggedPeriod",
    "LutealEstimate",
    "NextPeriod",
    "OvulationDetection",
    "UnclosedPeriod",
    "current_cycle",
    "cycle_detections",
    "cycle_lengths",
    "cycle_stats",
    "detect_ovulation",
    "estimate_cycle",
    "estimate_luteal",
    "fertile_window",
    "ovulation_date",
    "past_luteal_lengths",
    "position_on",
    "positions",
    "predict_next_period",
    "regularity",
    "split_plausible",
    "unclosed_period",
]
