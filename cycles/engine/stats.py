"""Summary statistics of everything she logged (GET /periods/stats)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from .luteal import cycle_detections, estimate_luteal, past_luteal_lengths
from .ovulation import DailySigns
from .periods import cycle_lengths, known_periods, logged_length, round_half_up
from .values import CycleStats, LoggedPeriod

REGULARITY_WINDOW = 12  # FIGO 2018 looks at the last year: about 12 cycles
REGULARITY_MAX_SPREAD = 7  # regular: shortest and longest recent cycles differ <= 7 days
REGULARITY_MIN_CYCLES = 3


def _one_decimal(x: float | None) -> float | None:
    return None if x is None else round_half_up(x * 10) / 10


def regularity(lengths: Sequence[int]) -> str:
    """FIGO 2018 over the last REGULARITY_WINDOW cycles (raw gaps, as logged)."""
    if len(lengths) < REGULARITY_MIN_CYCLES:
        return "insufficient_data"
    recent = list(lengths)[-REGULARITY_WINDOW:]
    return "regular" if max(recent) - min(recent) <= REGULARITY_MAX_SPREAD else "irregular"


def cycle_stats(periods: Sequence[LoggedPeriod], signs: Sequence[DailySigns] = ()) -> CycleStats:
    """Summary of everything logged (no `on`: the caller passes what counts).

    ``luteal_length``: the mean of her luteal lengths (next start - ovulation) in the
    completed cycles her signs measured (the ones the predictions use, see
    ``cycles.engine.luteal``), None when none did; ``luteal_cycle_count`` counts them.
    """
    known = known_periods(periods)
    luteal = None
    if known and signs:
        last_day = max([known[-1].start, *(s.date for s in signs)])
        detections = cycle_detections(known, signs, last_day)
        luteal = estimate_luteal(past_luteal_lengths(known, detections))
    lengths = cycle_lengths([p.start for p in known])
    period_lengths = [n for n in map(logged_length, known) if n is not None]
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
        luteal_length=_one_decimal(luteal.measured_mean) if luteal and luteal.known else None,
        luteal_cycle_count=luteal.cycles_used if luteal else 0,
    )
