"""Summary statistics of everything she logged (GET /periods/stats)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

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


def cycle_stats(periods: Sequence[LoggedPeriod]) -> CycleStats:
    """Summary of everything logged (no `on`: the caller passes what counts)."""
    known = known_periods(periods)
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
    )
