"""Realistic synthetic users: for tests, demo seeding (`manage.py seed`) and benchmarks.

Pure and deterministic for a given `random.Random`. A user gets her own cycle
(mean length 24-35 days, standard deviation 1-4 days, menses 3-7 days, luteal phase
11-16 days), her own base rates of low/medium/high energy, and daily energy drawn from

    P(level) = (1 - s) * base_rates + s * onehot(rule level)

where the rule is low in menses and in the last LATE_LUTEAL_DAYS days before a period,
high in the ovulatory phase and medium otherwise, and s = cycle_effect * her
sensitivity (0.35-0.65). cycle_effect=0 gives energy independent of the cycle.

The history knows the true period starts, so `SyntheticHistory.point(day)` gives the
day position of any day without the cycle engine (actual cycle length, days until the
actual next start, phase by the engine's rule).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.vocabulary import (
    ENERGY_LABELS,
    FOLLICULAR,
    HIGH,
    LH_NEGATIVE,
    LH_POSITIVE,
    LOW,
    LUTEAL,
    MEDIUM,
    MENSTRUAL,
    MUCUS_CREAMY,
    MUCUS_DRY,
    MUCUS_EGGWHITE,
    MUCUS_STICKY,
    MUCUS_WATERY,
    OVULATORY,
)
from cycles.engine import FERTILE_WINDOW_DAYS, DayPosition, LoggedPeriod

from .ml import LATE_LUTEAL_DAYS, Sample

MIN_CYCLE_LENGTH, MAX_CYCLE_LENGTH = 18, 50


def rule_level(point: DayPosition) -> int:
    """The latent rule: low in menses and late luteal, high around ovulation."""
    if point.phase == MENSTRUAL or (
        point.phase == LUTEAL and point.days_until_next <= LATE_LUTEAL_DAYS
    ):
        return LOW
    if point.phase == OVULATORY:
        return HIGH
    return MEDIUM


def early_cycle_rule(point: DayPosition) -> int:
    """High on days 6-10, low after day 20, medium otherwise: energy tied to the
    day of her cycle in a way the four phases cannot express (her forest can)."""
    if 6 <= point.day_of_cycle <= 10:
        return HIGH
    return LOW if point.day_of_cycle > 20 else MEDIUM


@dataclass(frozen=True)
class TrueCycle:
    start: date
    length: int  # days until the next start
    menses_length: int
    luteal_length: int  # ovulation = next start - luteal_length

    @property
    def next_start(self) -> date:
        return self.start + timedelta(days=self.length)

    @property
    def ovulation(self) -> date:
        return self.next_start - timedelta(days=self.luteal_length)


@dataclass(frozen=True)
class SyntheticProfile:
    """A plausible profile to seed alongside the history."""

    height_cm: float
    weight_kg: float
    cycle_length: int  # her usual cycle length
    luteal_length: int
    menses_length: int


@dataclass(frozen=True)
class SyntheticHistory:
    today: date
    first_day: date  # first day of the history (logs are in [first_day, today])
    cycles: tuple[TrueCycle, ...]  # every true cycle overlapping the history, in order
    # What she would have logged: periods started by today (the first may start before
    # first_day).
    periods: tuple[LoggedPeriod, ...]
    levels: dict[date, int] = field(repr=False)  # logged energy; missing days absent
    profile: SyntheticProfile
    base_rates: tuple[float, ...]  # her P(low, medium, high) without the cycle
    cycle_strength: float  # s in the module docstring
    rule: Callable[[DayPosition], int] = field(default=rule_level, repr=False)

    def point(self, day: date) -> DayPosition:
        """Where `day` sits in its true cycle, by the engine's phase rule."""
        return _point(self.cycles, day)

    def samples(self, start: date | None = None, end: date | None = None) -> list[Sample]:
        """Her logged days in [start, end] (whole history by default), in date order."""
        return [
            Sample(point=self.point(day), level=level)
            for day, level in sorted(self.levels.items())
            if (start is None or day >= start) and (end is None or day <= end)
        ]

    def true_probabilities(self, day: date) -> dict[str, float]:
        """The distribution her energy on `day` was drawn from."""
        probabilities = _level_probabilities(
            self.base_rates, self.cycle_strength, self.rule(self.point(day))
        )
        return dict(zip(ENERGY_LABELS, probabilities, strict=True))


def _point(cycles: tuple[TrueCycle, ...], day: date) -> DayPosition:
    cycle = next((c for c in cycles if c.start <= day < c.next_start), None)
    if cycle is None:
        raise ValueError(f"{day} is outside the generated cycles.")
    day_of_cycle = (day - cycle.start).days + 1
    if day_of_cycle <= cycle.menses_length:
        phase = MENSTRUAL
    elif abs((day - cycle.ovulation).days) <= 1:
        phase = OVULATORY
    elif day < cycle.ovulation:
        phase = FOLLICULAR
    else:
        phase = LUTEAL
    # The engine's fertile window: the 6 days ending on ovulation.
    fertile_from = cycle.ovulation - timedelta(days=FERTILE_WINDOW_DAYS - 1)
    return DayPosition(
        date=day,
        day_of_cycle=day_of_cycle,
        phase=phase,
        cycle_start=cycle.start,
        cycle_length=cycle.length,
        days_until_next=(cycle.next_start - day).days,
        is_period=day_of_cycle <= cycle.menses_length,
        is_predicted_period=False,
        is_fertile=fertile_from <= day <= cycle.ovulation,
    )


def _level_probabilities(
    base_rates: tuple[float, ...], strength: float, rule_says: int
) -> list[float]:
    return [
        (1 - strength) * p + (strength if level == rule_says else 0.0)
        for level, p in enumerate(base_rates)
    ]


def _base_rates(rng: random.Random) -> tuple[float, ...]:
    # A Dirichlet draw: medium is the most common level on average, each user has
    # her own mix.
    draws = [rng.gammavariate(alpha, 1.0) for alpha in (3.0, 5.0, 3.0)]
    return tuple(d / sum(draws) for d in draws)


def make_user_history(
    rng: random.Random,
    *,
    days: int,
    today: date,
    cycle_effect: float = 1.0,
    missing_rate: float = 0.1,
    base_rates: tuple[float, float, float] | None = None,
    rule: Callable[[DayPosition], int] = rule_level,
) -> SyntheticHistory:
    """A user with `days` days of history ending on `today`.

    cycle_effect scales her drawn sensitivity to the cycle (0.35-0.65): 0 makes her
    energy ignore the cycle, above 1 strengthens the effect (s is capped at 1). Each
    day is left unlogged with probability missing_rate. base_rates overrides her drawn
    P(low, medium, high) without the cycle. rule replaces the latent rule_level
    (e.g. a pattern the per-phase fallback cannot express, to exercise the forest).
    """
    if days < 1:
        raise ValueError("days must be positive.")
    mean_length = rng.uniform(24, 35)
    sd_length = rng.uniform(1, 4)
    usual_menses = rng.randint(3, 7)
    usual_luteal = rng.randint(11, 16)
    drawn_rates = _base_rates(rng)
    sensitivity = rng.uniform(0.35, 0.65)
    height = rng.gauss(165, 7)
    bmi = min(max(rng.gauss(23, 3.5), 17.0), 40.0)

    first_day = today - timedelta(days=days - 1)
    drawn_cycles: list[TrueCycle] = []
    start = None
    # Cycles up to the one holding today, so every day of the history knows its next start.
    while start is None or start <= today:
        menses = min(max(usual_menses + rng.choice((-1, 0, 0, 0, 1)), 3), 7)
        luteal = min(max(usual_luteal + rng.choice((-1, 0, 0, 1)), 10), 17)
        # Room for menses, a follicular day and the ovulatory days.
        shortest = max(MIN_CYCLE_LENGTH, menses + luteal + 3)
        length = min(max(round(rng.gauss(mean_length, sd_length)), shortest), MAX_CYCLE_LENGTH)
        if start is None:  # the history opens somewhere inside her first cycle
            start = first_day - timedelta(days=rng.randrange(length))
        drawn_cycles.append(TrueCycle(start, length, menses, luteal))
        start += timedelta(days=length)

    cycles = tuple(drawn_cycles)
    rates = base_rates or drawn_rates
    strength = min(max(cycle_effect * sensitivity, 0.0), 1.0)
    levels: dict[date, int] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        # Draw both numbers every day so the missing pattern does not depend on levels.
        logged, u = rng.random() >= missing_rate, rng.random()
        if logged:
            probabilities = _level_probabilities(rates, strength, rule(_point(cycles, day)))
            levels[day] = _draw(probabilities, u)
    return SyntheticHistory(
        today=today,
        first_day=first_day,
        cycles=cycles,
        periods=tuple(
            LoggedPeriod(
                c.start,
                end if (end := c.start + timedelta(days=c.menses_length - 1)) <= today else None,
            )
            for c in cycles
            if c.start <= today
        ),
        levels=levels,
        profile=SyntheticProfile(
            height_cm=round(height, 1),
            weight_kg=round(bmi * (height / 100) ** 2, 1),
            cycle_length=round(mean_length),
            luteal_length=usual_luteal,
            menses_length=usual_menses,
        ),
        base_rates=rates,
        cycle_strength=strength,
        rule=rule,
    )


def _draw(probabilities: list[float], u: float) -> int:
    cumulative = 0.0
    for level, p in enumerate(probabilities):
        cumulative += p
        if u < cumulative:
            return level
    return len(probabilities) - 1


@dataclass(frozen=True)
class SyntheticSign:
    """Her fertility signs on one day (None: not measured or not observed)."""

    bbt_celsius: float | None
    lh_test: str | None
    cervical_mucus: str | None


def make_signs(
    rng: random.Random,
    history: SyntheticHistory,
    *,
    bbt_rate: float = 0.8,
    mucus_rate: float = 0.6,
) -> dict[date, SyntheticSign]:
    """Signs that follow her true ovulation, as a charting user logs them.

    Temperature (on ``bbt_rate`` of days): her baseline (36.2-36.5 °C) before
    ovulation, about 0.3 °C higher from the day after it to her next period
    (the Sensiplan shift), with 0.08 °C of day-to-day noise. LH tests from five
    days before ovulation to the day after: positive the day before ovulation
    and, half the time, on the day. Mucus (on ``mucus_rate`` of days outside her
    period): dry after the period, creamy then watery as ovulation nears, egg
    white on the 3 days ending on it, sticky then dry after.
    """
    baseline = rng.uniform(36.2, 36.5)
    rise = rng.uniform(0.25, 0.4)
    signs: dict[date, SyntheticSign] = {}
    day = history.first_day
    while day <= history.today:
        cycle = next(c for c in history.cycles if c.start <= day < c.next_start)
        relative = (day - cycle.ovulation).days
        bleeding = (day - cycle.start).days < cycle.menses_length
        bbt = None
        if rng.random() < bbt_rate:
            bbt = round(baseline + (rise if relative >= 1 else 0.0) + rng.gauss(0, 0.08), 2)
        lh = None
        if -5 <= relative <= 1:
            positive = relative == -1 or (relative == 0 and rng.random() < 0.5)
            lh = LH_POSITIVE if positive else LH_NEGATIVE
        mucus = None
        if not bleeding and rng.random() < mucus_rate:
            if -2 <= relative <= 0:
                mucus = MUCUS_EGGWHITE
            elif -4 <= relative <= -3:
                mucus = MUCUS_WATERY
            elif -7 <= relative <= -5:
                mucus = MUCUS_CREAMY
            elif 1 <= relative <= 4:
                mucus = MUCUS_STICKY
            else:
                mucus = MUCUS_DRY
        if bbt is not None or lh is not None or mucus is not None:
            signs[day] = SyntheticSign(bbt, lh, mucus)
        day += timedelta(days=1)
    return signs
