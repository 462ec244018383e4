"""Factories and data builders for the predictions tests.

The synthetic histories are pure values, built once per process and shared by
every test (``functools.cache``); ``store_history`` writes one as a user's rows.
"""

import functools
import random
from datetime import date, timedelta

import factory

from accounts.tests.factories import UserFactory
from core.vocabulary import HIGH, LOW, MEDIUM
from cycles.engine import DayPosition
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions import seeding, synthetic
from predictions.models import EnergyModel, NextPeriodPrediction, PredictionRecord

# Every test that cares about dates runs at this instant (her today is TODAY, UTC).
FROZEN_NOW = "2026-03-15 12:00:00+00:00"
TODAY = date(2026, 3, 15)

# Regular 28-day cycles; today (2026-03-15) is day 16 of the cycle that began on
# 2026-02-28, the next period is due 2026-03-28 and ovulation is on 2026-03-14.
REGULAR_STARTS = (date(2025, 12, 6), date(2026, 1, 3), date(2026, 1, 31), date(2026, 2, 28))
LUTEAL_LENGTH = 14
MENSES_LENGTH = 5


def day_position(
    day_of_cycle: int, cycle_length: int, days_until_next: int, phase: str, *, on: date = TODAY
) -> DayPosition:
    """A hand-made day position: the four fields the model reads, the others
    filled in plausibly (the model never reads them)."""
    return DayPosition(
        date=on,
        day_of_cycle=day_of_cycle,
        phase=phase,
        cycle_start=on - timedelta(days=day_of_cycle - 1),
        cycle_length=cycle_length,
        days_until_next=days_until_next,
        is_period=phase == "menstrual",
        is_predicted_period=False,
        is_fertile=False,
    )


class EnergyModelFactory(factory.django.DjangoModelFactory):
    """A model row as left by a queued or failed training: no file yet."""

    class Meta:
        model = EnergyModel

    user = factory.SubFactory(UserFactory)


class PredictionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PredictionRecord

    user = factory.SubFactory(UserFactory)
    date = factory.Sequence(lambda n: TODAY - timedelta(days=n + 1))
    predicted_level = 1
    probabilities = factory.LazyFunction(lambda: {"low": 0.2, "medium": 0.5, "high": 0.3})
    source = PredictionRecord.Source.FALLBACK
    model_version = None


class NextPeriodPredictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NextPeriodPrediction

    user = factory.SubFactory(UserFactory)
    cycle_start = factory.Sequence(lambda n: date(2020, 1, 1) + timedelta(days=28 * n))
    served_on = factory.LazyAttribute(lambda row: row.cycle_start + timedelta(days=3))
    predicted_start = factory.LazyAttribute(lambda row: row.cycle_start + timedelta(days=28))
    earliest = factory.LazyAttribute(lambda row: row.predicted_start - timedelta(days=2))
    latest = factory.LazyAttribute(lambda row: row.predicted_start + timedelta(days=2))
    method = "history"


def regular_cycles(user, *, starts=REGULAR_STARTS, weight_kg="63.50"):
    """Her profile (165 cm, 28-day cycles) and a 5-day period at each start."""
    ProfileFactory(
        user=user,
        height_cm=165,
        weight_kg=weight_kg,
        cycle_length=28,
        luteal_length=LUTEAL_LENGTH,
        menses_length=MENSES_LENGTH,
    )
    for start in starts:
        PeriodFactory(
            user=user, start_date=start, end_date=start + timedelta(days=MENSES_LENGTH - 1)
        )


def log_moods(user, count, *, first=date(2026, 1, 3), levels=(0, 1, 2)):
    """``count`` daily logs from ``first`` on, cycling through ``levels``."""
    return [
        DailyMoodFactory(
            user=user, date=first + timedelta(days=i), energy_level=levels[i % len(levels)]
        )
        for i in range(count)
    ]


def trainable_user(user, *, moods=20):
    """Regular cycles and enough logs (after her first period) to train a model."""
    regular_cycles(user)
    log_moods(user, moods)


def energy_follows_early_cycle(point) -> int:
    """High on days 6-10, low after day 20, medium otherwise: a pattern the
    per-phase fallback cannot express, so her forest beats it."""
    if 6 <= point.day_of_cycle <= 10:
        return HIGH
    return LOW if point.day_of_cycle > 20 else MEDIUM


@functools.cache
def cycle_bound_history(days: int = 90, seed: int = 1) -> synthetic.SyntheticHistory:
    """Energy fully determined by the cycle: the model serves after training."""
    return synthetic.make_user_history(
        random.Random(seed),
        days=days,
        today=TODAY,
        cycle_effect=3.0,
        rule=energy_follows_early_cycle,
    )


@functools.cache
def plain_history(days: int, seed: int = 2) -> synthetic.SyntheticHistory:
    """A typical user: energy mildly tied to the cycle, 10% of days unlogged."""
    return synthetic.make_user_history(random.Random(seed), days=days, today=TODAY)


def store_history(user, history=None, *, log_today=False):
    """Her rows from a synthetic history; without today's log by default, so
    today's prediction is still out of sample (and gets recorded)."""
    seeding.history_store(user=user, history=history or cycle_bound_history())
    if not log_today:
        DailyMood.objects.filter(user=user, date=history.today if history else TODAY).delete()
