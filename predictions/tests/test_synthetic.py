"""Synthetic users: pure, no database."""

import itertools
import random
from collections import Counter
from datetime import date, timedelta
from statistics import mean

import pytest

from core.vocabulary import ENERGY_LABELS, PHASES
from predictions.synthetic import (
    HIGH,
    LOW,
    MEDIUM,
    make_signs,
    make_user_history,
    rule_level,
)

TODAY = date(2026, 3, 14)


def _history(seed=0, **kwargs):
    kwargs.setdefault("days", 365)
    return make_user_history(random.Random(seed), today=TODAY, **kwargs)


def test_it_is_deterministic_for_a_given_rng():
    assert _history(seed=5) == _history(seed=5)
    assert _history(seed=5).levels == _history(seed=5).levels
    assert _history(seed=5).levels != _history(seed=6).levels


def test_logs_lie_within_the_history_and_some_days_are_missing():
    history = _history(days=400, missing_rate=0.2)
    assert min(history.levels) >= history.first_day == TODAY - timedelta(days=399)
    assert max(history.levels) <= TODAY
    assert set(history.levels.values()) <= {LOW, MEDIUM, HIGH}
    assert 0.13 < 1 - len(history.levels) / 400 < 0.27


def test_no_day_is_missing_at_a_zero_missing_rate():
    assert len(_history(days=50, missing_rate=0).levels) == 50


def test_cycles_are_contiguous_and_plausible():
    for seed in range(30):
        history = _history(seed=seed, days=500)
        cycles = history.cycles
        assert cycles[0].start <= history.first_day
        assert cycles[-1].start <= TODAY < cycles[-1].next_start  # today knows its next start
        for cycle, following in itertools.pairwise(cycles):
            assert cycle.next_start == following.start
        assert all(3 <= c.menses_length <= 7 for c in cycles)
        assert all(18 <= c.length <= 50 for c in cycles)
        mean = sum(c.length for c in cycles) / len(cycles)
        assert 22 <= mean <= 37


def test_cycle_lengths_vary_between_users():
    means = {_history(seed=seed).profile.cycle_length for seed in range(20)}
    assert len(means) >= 5


def test_periods_are_what_she_would_have_logged_by_today():
    history = _history(days=120)
    assert all(p.start <= TODAY for p in history.periods)
    assert [p.start for p in history.periods] == [
        c.start for c in history.cycles if c.start <= TODAY
    ]
    for period in history.periods[:-1]:
        assert period.end is not None and period.end >= period.start


def test_a_period_still_running_today_has_no_end():
    # Find a user whose last period began yesterday or today: she is still bleeding.
    for seed in range(200):
        history = _history(seed=seed, days=60)
        last = history.periods[-1]
        if (TODAY - last.start).days < 2:
            assert last.end is None
            return
    pytest.fail("no synthetic user starts a period in the last two days")


def test_points_follow_the_engine_phase_rule():
    history = _history(days=200)
    for cycle in history.cycles[1:-1]:
        days = [cycle.start + timedelta(days=i) for i in range(cycle.length)]
        points = [history.point(day) for day in days]
        assert [p.day_of_cycle for p in points] == list(range(1, cycle.length + 1))
        assert all(p.cycle_length == cycle.length for p in points)
        assert [p.days_until_next for p in points] == list(range(cycle.length, 0, -1))
        phases = [p.phase for p in points]
        assert phases[: cycle.menses_length] == ["menstrual"] * cycle.menses_length
        ovulation_index = days.index(cycle.ovulation)
        assert phases[ovulation_index - 1 : ovulation_index + 2] == ["ovulatory"] * 3
        assert set(phases[cycle.menses_length : ovulation_index - 1]) == {"follicular"}
        assert set(phases[ovulation_index + 2 :]) == {"luteal"}
        assert set(phases) <= set(PHASES)


def test_samples_can_be_cut_by_date():
    history = _history(days=100)
    middle = TODAY - timedelta(days=40)
    before, after = history.samples(end=middle - timedelta(days=1)), history.samples(start=middle)
    assert len(before) + len(after) == len(history.levels)
    assert [s.level for s in before + after] == [
        level for _, level in sorted(history.levels.items())
    ]


def _levels_by_rule(histories):
    counts = {level: Counter() for level in (LOW, MEDIUM, HIGH)}
    for history in histories:
        for day, level in history.levels.items():
            counts[rule_level(history.point(day))][level] += 1
    return counts


def _share(counter, level):
    return counter[level] / sum(counter.values())


def test_energy_follows_the_latent_rule_with_a_cycle_effect():
    counts = _levels_by_rule(_history(seed=seed, days=200) for seed in range(20))
    assert _share(counts[LOW], LOW) > _share(counts[MEDIUM], LOW) + 0.2
    assert _share(counts[HIGH], HIGH) > _share(counts[MEDIUM], HIGH) + 0.2


def test_energy_ignores_the_cycle_without_a_cycle_effect():
    histories = [_history(seed=seed, days=200, cycle_effect=0) for seed in range(20)]
    assert all(h.cycle_strength == 0 for h in histories)
    counts = _levels_by_rule(histories)
    for level in (LOW, MEDIUM, HIGH):
        shares = [_share(counts[rule], level) for rule in (LOW, MEDIUM, HIGH)]
        assert max(shares) - min(shares) < 0.05


def test_true_probabilities_are_her_base_rates_without_a_cycle_effect():
    history = _history(days=30, cycle_effect=0, base_rates=(0.2, 0.5, 0.3))
    for day in history.levels:
        assert history.true_probabilities(day) == pytest.approx(
            dict(zip(ENERGY_LABELS, (0.2, 0.5, 0.3), strict=True))
        )


def test_a_custom_rule_replaces_the_latent_rule():
    history = _history(days=300, cycle_effect=10, rule=lambda point: HIGH)
    assert set(history.levels.values()) == {HIGH}
    assert history.true_probabilities(TODAY)["high"] == 1


def test_the_profile_is_plausible():
    for seed in range(30):
        history = _history(seed=seed, days=30)
        profile = history.profile
        bmi = profile.weight_kg / (profile.height_cm / 100) ** 2
        assert 140 < profile.height_cm < 195
        assert 16.5 < bmi < 40.5
        assert 24 <= profile.cycle_length <= 35
        assert 11 <= profile.luteal_length <= 16
        assert 3 <= profile.menses_length <= 7


def test_a_history_needs_at_least_one_day():
    with pytest.raises(ValueError):
        _history(days=0)


def test_generated_signs_follow_her_true_ovulation_as_a_charting_user_logs_them():
    """Temperatures rise after ovulation (the Sensiplan shift), an LH test is
    positive only the day before ovulation or on it, egg-white mucus only in the
    3 days ending on it, and no mucus is noted on a bleeding day."""
    rng = random.Random(11)
    history = make_user_history(rng, days=150, today=TODAY)
    signs = make_signs(rng, history)
    before, after = [], []
    for day, sign in signs.items():
        cycle = next(c for c in history.cycles if c.start <= day < c.next_start)
        relative = (day - cycle.ovulation).days
        if sign.bbt_celsius is not None:
            (after if relative >= 1 else before).append(sign.bbt_celsius)
        if sign.lh_test == "positive":
            assert relative in (-1, 0)
        if sign.cervical_mucus == "eggwhite":
            assert -2 <= relative <= 0
        if sign.cervical_mucus is not None:
            assert (day - cycle.start).days >= cycle.menses_length
    assert 0.2 < mean(after) - mean(before) < 0.45
    assert 0.7 < len(before + after) / 150 < 0.9
