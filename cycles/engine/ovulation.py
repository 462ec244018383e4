"""Ovulation detected from her fertility signs: an LH surge, a temperature shift, peak mucus.

``detect_ovulation(signs, cycle_start=S, on=D)`` reads her signs (one ``DailySigns``
a day) and answers ``None`` or an ``OvulationDetection``. Only signs of her current
cycle logged up to the day asked about count: days before ``S`` (her last period
start on or before ``D``) and days after ``D`` are ignored, so nothing is detected
from the future and a sign logged tomorrow never changes today's answer. Input order
does not matter; a date given twice keeps its last entry. A value outside the
contract's words (or a non-finite temperature) reads as not logged.

LH test (``"lh"``)
------------------
A *surge* is a run of positive tests (on consecutive days, or with a day untested
between them). Its last positive places ovulation the next day (the LH peak
precedes ovulation by about 24-36 h), and the *last* surge of the cycle counts: an
earlier surge followed by a later one (common with PCOS) is superseded. Together
this is simply the day after her last positive test of the cycle. A positive on
``D`` itself already counts: ovulation is then expected on ``D + 1`` (a date after
``D``; the surge may go on, and a positive logged the next day moves it one day
on). No surge has to "end" with a negative first: that would only delay the
answer by a day, and the day after the last positive is the best guess either way.

Temperature (``"bbt"``, Sensiplan's temperature rule)
-----------------------------------------------------
Readings are compared in hundredths of a degree (as logged). Going through her
readings of the cycle in order, the first reading higher than each of the ``LOW_READINGS`` (6)
readings before it starts a *shift*, and the *cover line* is the highest of those six:

1. the six low readings are the six latest readings before it; missing days are
   skipped, as long as the six span at most ``LOW_SPAN_DAYS`` (9) days (up to 3
   missing days); otherwise that reading cannot start a shift;
2. the shift needs ``HIGH_READINGS`` (3) readings in a row above the cover line,
   each at most ``MAX_HIGH_GAP_DAYS`` (2) days after the one before (one missing
   day skipped between two high readings; a longer gap, or a reading on or below
   the line, ends the attempt);
3. the third high reading must be at least ``MIN_RISE`` (0.20 °C) above the cover
   line. *Exception* (Sensiplan's first exception rule): if it is above the line
   but by less than 0.20 °C, a fourth reading above the line (any amount, same gap
   rule) confirms the shift instead. Sensiplan's second exception (one high
   reading allowed to fall back on the line) is not implemented: it would confirm
   more noise.

The first shift confirmed in the cycle places ovulation on the *last low day*: the
day before its first high reading (the day the rise starts from, whether or not a
temperature was logged on it). A shift is confirmed only once its last reading is
logged, so during the three days after ovulation the temperature says nothing yet.

Cervical mucus (``"mucus"``, peak day)
--------------------------------------
``watery`` and ``eggwhite`` are fertile-quality mucus; ``dry``, ``sticky`` and
``creamy`` are drier. The *peak* is the last fertile-quality day logged in the
cycle up to ``D``; it is confirmed once ``PEAK_DRIER_DAYS`` (3) drier observations
are logged after it within ``PEAK_CONFIRM_SPAN_DAYS`` (4) days (one day without an
observation allowed). An unconfirmed last patch places nothing: fertile mucus
that returns means ovulation may still be ahead. Ovulation is placed on the peak
day itself (ovulation falls within a day or two of it in most cycles).

Combination and how sure
------------------------
Each sign places a date (or nothing). The temperature's date is her first
confirmed shift, except that when an LH surge is logged and a later confirmed
shift agrees with it (within ``AGREE_DAYS``, 2 days), that shift is the one (noise
can fake an early shift; the scan goes on past it). The answer's date is:

* the LH date when there is one and either no temperature shift, a shift within
  ``AGREE_DAYS`` of it (LH is the most precise sign), or only a shift *before* the
  surge by more than 2 days: the rise of progesterone that the shift shows follows
  the LH surge, so a shift before it is taken as noise until a later one agrees;
* the temperature date when LH is absent, or when the shift comes more than 2 days
  *after* the surge (a surge may come to nothing, and ovulation come later);
* the mucus date when it is the only sign.

Measured on simulated cycles (baseline 36.4 °C, noise SD 0.07 °C, a rise of
0.3 °C after ovulation day ``d``; ``cycles/tests/test_ovulation.py``): with an LH
positive on ``d - 1`` and the question asked on ``d + 1``, ovulation is placed
within a day of ``d`` in about 100% of cycles; with temperatures alone, a shift is
confirmed from ``d + 4`` in about 98% of cycles, about 92% within a day of ``d``.
On flat cycles (no rise) the temperature rule confirms a false shift in about 6%
of 28-day cycles, nearly all through the exception rule (without it, 0.1%, but
only about 65% of real shifts would be confirmed).

``signs`` lists, in the order ``("lh", "bbt", "mucus")``, every sign whose date is
within ``AGREE_DAYS`` of the answer's date. ``confidence`` is ``"confirmed"`` when
the temperature shift is among them (the shift confirms ovulation happened) and
``"probable"`` otherwise (an LH surge or peak mucus alone, or both, predict
ovulation but do not prove it). ``lh``, ``bbt`` and ``mucus`` keep the date each
sign placed, agreeing or not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.vocabulary import (
    LH_POSITIVE,
    MUCUS_CREAMY,
    MUCUS_DRY,
    MUCUS_EGGWHITE,
    MUCUS_STICKY,
    MUCUS_WATERY,
)

# Words, as the contract's /signs/ spells them.
FERTILE_MUCUS = frozenset({MUCUS_WATERY, MUCUS_EGGWHITE})
DRIER_MUCUS = frozenset({MUCUS_DRY, MUCUS_STICKY, MUCUS_CREAMY})

SIGN_LH = "lh"
SIGN_BBT = "bbt"
SIGN_MUCUS = "mucus"
SIGNS = (SIGN_LH, SIGN_BBT, SIGN_MUCUS)

CONFIRMED = "confirmed"  # the temperature shift agrees
PROBABLE = "probable"  # LH and/or mucus only
CONFIDENCES = (CONFIRMED, PROBABLE)

# Temperature (Sensiplan)
LOW_READINGS = 6
LOW_SPAN_DAYS = 9  # the six low readings may skip up to 3 missing days
HIGH_READINGS = 3
MAX_HIGH_GAP_DAYS = 2  # one missing day allowed between two high readings
MIN_RISE = 0.20  # °C above the cover line, for the third high reading

# Mucus
PEAK_DRIER_DAYS = 3
PEAK_CONFIRM_SPAN_DAYS = 4

# Combination
AGREE_DAYS = 2


@dataclass(frozen=True)
class DailySigns:
    """Her signs on one day; any of them may be None (not logged)."""

    date: date
    bbt_celsius: float | None = None  # a Decimal (as the model stores it) reads the same
    lh_test: str | None = None  # "negative" | "positive"
    cervical_mucus: str | None = None  # "dry" | "sticky" | "creamy" | "watery" | "eggwhite"


@dataclass(frozen=True)
class OvulationDetection:
    """Ovulation as her signs place it (see ``cycles.engine.ovulation``)."""

    date: date
    signs: tuple[str, ...]  # the agreeing signs, in the order of SIGNS
    confidence: str  # "confirmed" | "probable"
    # The date each sign placed, agreeing or not (None: that sign placed nothing);
    # ``bbt`` is the shift the combination used (see "Combination").
    lh: date | None = None
    bbt: date | None = None
    mucus: date | None = None


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _hundredths(celsius: float | None) -> int | None:
    if celsius is None:
        return None
    try:
        value = float(celsius)
    except (TypeError, ValueError):
        return None
    return round(value * 100) if math.isfinite(value) else None


def _cycle_signs(signs: Iterable[DailySigns], cycle_start: date, on: date) -> list[DailySigns]:
    """Her signs from `cycle_start` to `on`, one per date (the last given), sorted."""
    by_date = {s.date: s for s in signs if cycle_start <= s.date <= on}
    return [by_date[day] for day in sorted(by_date)]


def lh_ovulation(days: Sequence[DailySigns]) -> date | None:
    """The day after the last positive of her last LH surge (rule: module docstring).

    The last positive of the cycle is the last positive of its last surge, so runs
    need not be grouped.
    """
    positives = [d.date for d in days if d.lh_test == LH_POSITIVE]
    return positives[-1] + _days(1) if positives else None


def _high_run_confirms(highs: Sequence[tuple[date, int]], line: int) -> bool:
    """Whether the readings from a shift's start confirm it (rules 2 and 3)."""
    for count, (day, reading) in enumerate(highs, start=1):
        if count > 1 and (day - highs[count - 2][0]).days > MAX_HIGH_GAP_DAYS:
            return False
        if reading <= line:
            return False
        if count == HIGH_READINGS and reading - line >= round(MIN_RISE * 100):
            return True
        if count == HIGH_READINGS + 1:
            return True  # the exception: a fourth reading above the line
    return False


def bbt_shifts(days: Sequence[DailySigns]) -> list[date]:
    """The last low day of each confirmed temperature shift, in order (rule: docstring)."""
    readings = [(d.date, t) for d in days if (t := _hundredths(d.bbt_celsius)) is not None]
    shifts: list[date] = []
    for i in range(LOW_READINGS, len(readings)):
        first_day, first = readings[i]
        lows = readings[i - LOW_READINGS : i]
        if (lows[-1][0] - lows[0][0]).days >= LOW_SPAN_DAYS:
            continue
        line = max(t for _, t in lows)
        if first <= line or (first_day - lows[-1][0]).days > MAX_HIGH_GAP_DAYS:
            continue
        if _high_run_confirms(readings[i : i + HIGH_READINGS + 1], line):
            shifts.append(first_day - _days(1))
    return shifts


def bbt_ovulation(days: Sequence[DailySigns]) -> date | None:
    """The last low day of her first confirmed temperature shift (rule: module docstring)."""
    shifts = bbt_shifts(days)
    return shifts[0] if shifts else None


def mucus_ovulation(days: Sequence[DailySigns]) -> date | None:
    """Her confirmed peak day (rule: module docstring)."""
    observed = [d for d in days if d.cervical_mucus in FERTILE_MUCUS | DRIER_MUCUS]
    fertile = [i for i, d in enumerate(observed) if d.cervical_mucus in FERTILE_MUCUS]
    if not fertile:
        return None
    peak = observed[fertile[-1]].date
    drier = [
        d for d in observed[fertile[-1] + 1 :] if (d.date - peak).days <= PEAK_CONFIRM_SPAN_DAYS
    ]
    return peak if len(drier) >= PEAK_DRIER_DAYS else None


def detect_ovulation(
    signs: Iterable[DailySigns], *, cycle_start: date, on: date
) -> OvulationDetection | None:
    """Ovulation in the cycle starting `cycle_start`, from her signs up to `on`, or None."""
    days = _cycle_signs(signs, cycle_start, on)
    lh, shifts, mucus = lh_ovulation(days), bbt_shifts(days), mucus_ovulation(days)
    bbt = shifts[0] if shifts else None
    if lh is not None and shifts:
        # A shift that agrees with her surge beats an earlier one (noise can fake a shift).
        nearest = min(shifts, key=lambda shift: abs((shift - lh).days))
        if abs((nearest - lh).days) <= AGREE_DAYS:
            bbt = nearest
    # LH on its own, agreeing with the shift, or after it (see "Combination").
    if lh is not None and (bbt is None or (lh - bbt).days >= -AGREE_DAYS):
        ovulation = lh
    elif bbt is not None:
        ovulation = bbt
    elif mucus is not None:
        ovulation = mucus
    else:
        return None
    placed = {SIGN_LH: lh, SIGN_BBT: bbt, SIGN_MUCUS: mucus}
    agreeing = tuple(
        sign
        for sign in SIGNS
        if placed[sign] is not None and abs((placed[sign] - ovulation).days) <= AGREE_DAYS
    )
    return OvulationDetection(
        date=ovulation,
        signs=agreeing,
        confidence=CONFIRMED if SIGN_BBT in agreeing else PROBABLE,
        lh=lh,
        bbt=bbt,
        mucus=mucus,
    )
