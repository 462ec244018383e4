"""Her logged periods as every rule reads them, and the day arithmetic the rules share.

As of ``on`` (see the package docstring), periods are deduplicated by start date
and sorted: a duplicate start keeps the longest known end, and an end before its
start, or after ``on``, reads as "ongoing". A logged bleeding counts at most
``MAX_PERIOD_LENGTH`` days. The menses length of an ongoing or predicted period
(``usual_menses_length``) and the open period she should close (``unclosed_period``)
follow the rules stated in ``cycles.engine.timeline``.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from core.vocabulary import DEFAULT_MENSES_LENGTH, MAX_PERIOD_DAYS

from .values import CycleProfile, LoggedPeriod, UnclosedPeriod

MAX_PERIOD_LENGTH = MAX_PERIOD_DAYS  # longest bleeding the API accepts; caps malformed input


def round_half_up(x: float) -> int:
    """Round half up (Python's round() is half-to-even)."""
    return math.floor(x + 0.5)


def clamp(x: int, low: int, high: int) -> int:
    return max(low, min(high, x))


def days_between(later: date, earlier: date) -> int:
    return (later - earlier).days


def known_periods(periods: Iterable[LoggedPeriod], on: date | None = None) -> list[LoggedPeriod]:
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
    return [LoggedPeriod(start, ends[start]) for start in sorted(ends)]


def logged_length(period: LoggedPeriod) -> int | None:
    if period.end is None:
        return None
    return min(days_between(period.end, period.start) + 1, MAX_PERIOD_LENGTH)


def usual_menses_length(periods: Sequence[LoggedPeriod], profile: CycleProfile | None) -> int:
    if profile is not None and profile.menses_length is not None:
        return clamp(profile.menses_length, 1, MAX_PERIOD_LENGTH)
    lengths = [n for n in map(logged_length, periods) if n is not None]
    if lengths:
        return clamp(round_half_up(statistics.fmean(lengths)), 1, MAX_PERIOD_LENGTH)
    return DEFAULT_MENSES_LENGTH


def cycle_lengths(starts: Sequence[date]) -> list[int]:
    """Days between consecutive distinct starts, oldest first (input order is free)."""
    ordered = sorted(set(starts))
    return [days_between(b, a) for a, b in itertools.pairwise(ordered)]


def unclosed_period(
    periods: Sequence[LoggedPeriod], *, on: date, profile: CycleProfile | None = None
) -> UnclosedPeriod | None:
    """Her latest period left open (no end) although it started ``MAX_PERIOD_LENGTH``
    days or more before `on`; None when there is none.

    The engine counts such a period as her menses length (as any open period),
    cut at the next logged start; telling her lets her set the real end.
    """
    known = known_periods(periods, on)
    menses = usual_menses_length(known, profile)
    for index in range(len(known) - 1, -1, -1):
        period = known[index]
        if period.end is not None or days_between(on, period.start) < MAX_PERIOD_LENGTH:
            continue
        length = menses
        if index + 1 < len(known):
            length = min(length, days_between(known[index + 1].start, period.start))
        return UnclosedPeriod(
            start=period.start,
            latest_end=period.start + timedelta(days=MAX_PERIOD_LENGTH - 1),
            assumed_length=length,
        )
    return None
