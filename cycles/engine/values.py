"""The engine's plain values: what goes in (logged periods, a profile) and what comes out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from core.vocabulary import STATUS_UPCOMING

if TYPE_CHECKING:
    from .ovulation import OvulationDetection


@dataclass(frozen=True)
class LoggedPeriod:
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
    """What a prediction rests on (``method``: see ``cycles.engine.prediction``)."""

    method: str
    cycles_used: int
    cycles_excluded: int


@dataclass(frozen=True)
class NextPeriod:
    start_date: date  # always after the query date `on`
    earliest: date
    latest: date  # [earliest, latest] is an `interval` interval, inclusive
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
    is_ovulation: bool = False  # her cycle's ovulation day (the fertile window's last day)


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
    # Added (defaults keep hand-built instances working): how her signs placed
    # `ovulation_date` (None: the calendar predicts it), and her own luteal length
    # (next start - ovulation, shrunk) once her signs measured it in past cycles.
    ovulation: OvulationDetection | None = None
    luteal_length: int | None = None


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
    # Added: her luteal length as her signs measured it (None: no cycle measured it).
    luteal_length: float | None = None
    luteal_cycle_count: int = 0


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


@dataclass(frozen=True)
class UnclosedPeriod:
    """A period still open although it can no longer be going on."""

    start: date
    latest_end: date  # the latest end date a period starting on `start` may have
    assumed_length: int  # the bleeding days the engine counts until she closes it
