"""The energy model: pure functions, no database, no Django."""

import dataclasses
import io
import random
from datetime import date, timedelta

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.vocabulary import ENERGY_LABELS, HIGH, LOW, MEDIUM, PHASES
from predictions import ml
from predictions.ml import (
    MIN_SAMPLES,
    NotEnoughData,
    Sample,
    data_fingerprint,
    fallback_probabilities,
    feature_names,
    logs_needed,
    predict_probabilities,
    train,
)
from predictions.synthetic import make_user_history
from predictions.tests.factories import day_position

TODAY = date(2026, 3, 14)


def _point(day_of_cycle, cycle_length=28, luteal=14, menses=5):
    """A day position by the engine's rule, for hand-made samples."""
    days_until_next = cycle_length - day_of_cycle + 1
    ovulation_day = cycle_length - luteal + 1  # day_of_cycle of ovulation
    if day_of_cycle <= menses:
        phase = "menstrual"
    elif abs(day_of_cycle - ovulation_day) <= 1:
        phase = "ovulatory"
    elif day_of_cycle < ovulation_day:
        phase = "follicular"
    else:
        phase = "luteal"
    return day_position(day_of_cycle, cycle_length, days_until_next, phase)


def _samples(levels, cycle_length=28):
    """One sample a day from day 1 of a cycle on, with the given levels."""
    return [
        Sample(_point(i % cycle_length + 1, cycle_length), level) for i, level in enumerate(levels)
    ]


def _history(seed, days, **kwargs):
    return make_user_history(random.Random(seed), days=days, today=TODAY, **kwargs)


def _as_array(probabilities):
    return np.array([[p[label] for label in ENERGY_LABELS] for p in probabilities])


@pytest.fixture(scope="module")
def trained():
    """A user with half a year of logs and her trained model (trained once: it costs)."""
    history = _history(seed=1, days=180)
    return history, train(history.samples(), random_state=0)


def _any_points():
    return st.builds(
        day_position,
        day_of_cycle=st.integers(1, 90),
        cycle_length=st.integers(15, 60),
        days_until_next=st.integers(-40, 60),
        phase=st.sampled_from(PHASES),
    )


# --- logs_needed and NotEnoughData -----------------------------------------------------


def test_it_needs_the_minimum_number_of_logs_before_training():
    assert logs_needed([]) == MIN_SAMPLES
    assert logs_needed(_samples([0, 1] * 6 + [2])) == 1
    assert logs_needed(_samples([0, 1] * 7)) == 0
    assert logs_needed(_samples([0, 1, 2] * 30)) == 0


def test_it_asks_for_at_least_one_more_log_when_every_log_has_the_same_level():
    assert logs_needed(_samples([1] * 40)) == 1
    # Fewer than the minimum: the count of missing logs already covers it.
    assert logs_needed(_samples([1] * 5)) == MIN_SAMPLES - 5


def test_training_with_too_few_logs_raises_not_enough_data_with_how_many_are_needed():
    with pytest.raises(NotEnoughData) as raised:
        train(_samples([0, 1, 2] * 3 + [1]))
    assert isinstance(raised.value, ValueError)
    assert raised.value.needed == MIN_SAMPLES - 10


def test_training_on_a_single_level_raises_not_enough_data():
    with pytest.raises(NotEnoughData) as raised:
        train(_samples([2] * 60))
    assert raised.value.needed == 1


def test_training_rejects_levels_outside_low_medium_high():
    with pytest.raises(ValueError, match="levels"):
        train(_samples([0, 1, 3] * 10))


def test_an_unknown_phase_is_rejected():
    with pytest.raises(ValueError, match="phase"):
        fallback_probabilities([], [day_position(3, 28, 26, "menses")])


# --- Training ------------------------------------------------------------------------------


def test_training_is_deterministic_for_a_seed(trained):
    history, result = trained
    again = train(history.samples(), random_state=0)
    points = [s.point for s in history.samples()]
    assert dataclasses.replace(again, estimator=None) == dataclasses.replace(result, estimator=None)
    assert predict_probabilities(again.estimator, points) == predict_probabilities(
        result.estimator, points
    )


def test_the_training_result_describes_the_model(trained):
    history, result = trained
    assert result.n_samples == len(history.levels)
    assert result.classes == sorted(set(history.levels.values()))
    assert 2 <= result.n_splits <= 5
    for accuracy in (result.cv_accuracy, result.baseline_accuracy, result.fallback_accuracy):
        assert 0 <= accuracy <= 1
    for loss in (result.cv_log_loss, result.baseline_log_loss, result.fallback_log_loss):
        assert 0 < loss < 3
    assert 0 <= result.blend_weight <= 1
    assert list(result.feature_importances) == feature_names()
    assert sum(result.feature_importances.values()) == pytest.approx(1)
    assert result.reason
    assert "random forest" in result.algorithm


def test_the_fallback_beats_her_majority_level_when_energy_follows_the_cycle(trained):
    _, result = trained
    assert result.fallback_log_loss < result.baseline_log_loss
    assert result.fallback_accuracy > result.baseline_accuracy


def test_cross_validation_uses_fewer_folds_when_a_level_is_rare():
    rare_twice = _samples([1, 2] * 20 + [0, 0])
    assert train(rare_twice).n_splits == 2
    # A level logged once cannot be in every fold; training still works.
    rare_once = train(_samples([1, 2] * 20 + [0]))
    assert rare_once.n_splits == 2
    assert rare_once.classes == [0, 1, 2]


def test_it_falls_back_when_the_model_does_not_beat_the_prior():
    # Energy that ignores the cycle: the forest can only fit noise.
    history = _history(seed=3, days=180, cycle_effect=0)
    result = train(history.samples())
    assert not result.serves_model
    assert "fallback" in result.reason


def test_it_serves_the_model_when_the_forest_finds_a_pattern_the_phases_miss():
    # High energy on cycle days 6-11 only: inside the follicular phase, so the per-phase
    # fallback cannot express it; the forest can.
    def mid_follicular_high(point):
        return HIGH if 6 <= point.day_of_cycle <= 11 else MEDIUM

    history = _history(seed=2, days=240, cycle_effect=1.6, rule=mid_follicular_high)
    result = train(history.samples())
    assert result.serves_model
    assert result.blend_weight > 0
    assert result.cv_log_loss < result.fallback_log_loss
    assert result.reason.startswith("model beats the fallback")


def test_a_forest_without_weight_is_cross_validated_as_the_fallback_it_is():
    result = train(_history(seed=3, days=180, cycle_effect=0).samples())
    assert result.blend_weight == 0
    assert (result.cv_accuracy, result.cv_log_loss) == (
        result.fallback_accuracy,
        result.fallback_log_loss,
    )
    assert (
        result.reason
        == "the forest adds nothing to the fallback (per-phase frequencies) on her data"
    )


def test_every_level_she_logged_keeps_some_probability_however_sure_the_forest_is(trained):
    history, result = trained
    surest = dataclasses.replace(result.estimator, weight=max(ml.BLEND_WEIGHTS))
    points = [s.point for s in history.samples()]
    probabilities = _as_array(predict_probabilities(surest, points))
    assert probabilities[:, result.classes].min() > 0


def test_the_model_file_stays_under_100_kb_for_two_years_of_logs():
    result = train(_history(seed=4, days=730).samples())
    buffer = io.BytesIO()
    joblib.dump(result.estimator, buffer, compress=3)
    assert buffer.getbuffer().nbytes <= 100 * 1024


def test_the_estimator_predicts_the_same_after_a_joblib_round_trip(trained):
    history, result = trained
    buffer = io.BytesIO()
    joblib.dump(result.estimator, buffer, compress=3)
    buffer.seek(0)
    points = [s.point for s in history.samples()]
    assert predict_probabilities(joblib.load(buffer), points) == predict_probabilities(
        result.estimator, points
    )


# --- Predictions -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(points=st.lists(_any_points(), min_size=1, max_size=20))
def test_predictions_have_every_label_and_sum_to_one(trained, points):
    _, result = trained
    blended = dataclasses.replace(result.estimator, weight=0.5)  # exercise the forest too
    for probabilities in (
        predict_probabilities(blended, points),
        predict_probabilities(result.estimator.forest, points),
        fallback_probabilities([], points),
    ):
        assert len(probabilities) == len(points)
        for p in probabilities:
            assert tuple(p) == ENERGY_LABELS
            assert all(0 <= value <= 1 for value in p.values())
            assert sum(p.values()) == pytest.approx(1)


def test_it_predicts_late_days(trained):
    _, result = trained
    late = [day_position(day, 28, 29 - day, "luteal") for day in range(29, 45)]
    assert all(p.days_until_next <= 0 for p in late)
    probabilities = _as_array(predict_probabilities(result.estimator, late))
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(len(late)))
    # Late days are the last days before a period: the fallback treats them as such.
    fallback = _as_array(fallback_probabilities([], late))
    assert fallback[:, LOW] == pytest.approx(ml.PRIOR[ml.GROUPS.index("late_luteal"), LOW])


def test_it_predicts_nothing_for_no_points(trained):
    _, result = trained
    assert predict_probabilities(result.estimator, []) == []
    assert fallback_probabilities([], []) == []


def test_it_calls_predict_proba_once_for_all_points(trained, monkeypatch):
    _, result = trained
    blended = dataclasses.replace(result.estimator, weight=0.5)
    calls = []
    original = blended.forest.predict_proba
    monkeypatch.setattr(
        blended.forest, "predict_proba", lambda x: calls.append(len(x)) or original(x)
    )
    predict_probabilities(blended, [_point(day) for day in range(1, 29)] * 3)
    assert calls == [84]


def test_a_level_she_never_logged_gets_all_labels_and_little_probability():
    # She only ever logged medium and high.
    levels = [MEDIUM, HIGH, MEDIUM] * 20
    result = train(_samples(levels))
    assert result.classes == [MEDIUM, HIGH]
    points = [_point(day) for day in range(1, 29)]
    blended = _as_array(predict_probabilities(result.estimator, points))
    assert blended[:, LOW].max() < 0.1
    # The bare forest has no column for "low": it reads 0.0.
    forest = predict_probabilities(result.estimator.forest, points)
    assert all(p["low"] == 0.0 for p in forest)


# --- Fallback --------------------------------------------------------------------------------


def test_the_fallback_without_logs_is_the_population_prior():
    menses, follicular, ovulation, luteal, late = (
        _point(2),
        _point(8),
        _point(15),
        _point(20),
        _point(27),
    )
    assert [menses.phase, follicular.phase, ovulation.phase, luteal.phase, late.phase] == [
        "menstrual",
        "follicular",
        "ovulatory",
        "luteal",
        "luteal",
    ]
    p = _as_array(fallback_probabilities([], [menses, follicular, ovulation, luteal, late]))
    assert p == pytest.approx(ml.PRIOR)
    assert p[0, LOW] > p[1, LOW] and p[4, LOW] > p[3, LOW]  # low in menses and late luteal
    assert p[2, HIGH] > max(p[1, HIGH], p[3, HIGH])  # a mild high around ovulation


def test_the_fallback_follows_her_own_logs_when_she_has_many():
    # Against the prior: she feels great during her period, low otherwise.
    levels = [HIGH if day % 28 < 5 else LOW for day in range(28 * 8)]
    p = _as_array(fallback_probabilities(_samples(levels), [_point(2), _point(12)]))
    assert p[0, HIGH] > 0.8
    assert p[1, LOW] > 0.8


def test_the_fallback_stays_near_her_base_rates_when_her_energy_ignores_the_cycle():
    history = _history(seed=8, days=365, cycle_effect=0, base_rates=(0.2, 0.6, 0.2))
    points = [history.point(TODAY - timedelta(days=d)) for d in range(28)]
    p = _as_array(fallback_probabilities(history.samples(), points))
    assert np.abs(p - [0.2, 0.6, 0.2]).max() < 0.08


# --- Fingerprint -----------------------------------------------------------------------------


def test_the_fingerprint_is_stable_and_ignores_the_order_of_samples():
    samples = _samples([0, 1, 2, 1, 1, 0] * 5)
    fingerprint = data_fingerprint(samples)
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0
    assert data_fingerprint(list(samples)) == fingerprint
    assert data_fingerprint(reversed(samples)) == fingerprint
    assert data_fingerprint(random.Random(0).sample(samples, len(samples))) == fingerprint


def test_the_fingerprint_changes_with_the_data():
    samples = _samples([0, 1, 2, 1, 1, 0] * 5)
    fingerprint = data_fingerprint(samples)
    changed_level = [*samples[:-1], dataclasses.replace(samples[-1], level=2)]
    longer_cycle = [Sample(dataclasses.replace(s.point, cycle_length=30), s.level) for s in samples]
    assert data_fingerprint(changed_level) != fingerprint
    assert data_fingerprint(longer_cycle) != fingerprint
    assert data_fingerprint(samples[:-1]) != fingerprint
    assert data_fingerprint([*samples, samples[0]]) != fingerprint  # a repeated day counts
    assert data_fingerprint(samples, extra=["1.9.1"]) != fingerprint
    assert data_fingerprint(samples, extra=["1.9.1"]) == data_fingerprint(samples, ["1.9.1"])


# --- Quality, out of sample, over many synthetic users -------------------------------------


def _smoothed_per_phase(train_samples, test_points):
    """Add-one smoothed per-phase frequencies; their argmax is the per-phase majority."""
    counts = {phase: np.zeros(3) for phase in PHASES}
    for sample in train_samples:
        counts[sample.point.phase][sample.level] += 1
    return np.array([(counts[p.phase] + 1) / (counts[p.phase].sum() + 3) for p in test_points])


def _served(result, train_samples, test_points):
    """What the service would answer: the model when it serves, else the fallback."""
    if result.serves_model:
        return _as_array(predict_probabilities(result.estimator, test_points))
    return _as_array(fallback_probabilities(train_samples, test_points))


def _accuracy(probabilities, levels):
    return float((probabilities.argmax(axis=1) == levels).mean())


def _log_loss(probabilities, levels):
    p = np.clip(probabilities[np.arange(len(levels)), levels], 1e-3, 1)
    return float(-np.log(p).mean())


def _evaluate(users, train_days, test_days, cycle_effect, seed=100):
    """Train on her first train_days, score on the next test_days; one row per user."""
    rows = []
    for user in range(users):
        history = _history(seed + user, train_days + test_days, cycle_effect=cycle_effect)
        split = history.first_day + timedelta(days=train_days)
        train_samples = history.samples(end=split - timedelta(days=1))
        test_samples = history.samples(start=split)
        points = [s.point for s in test_samples]
        levels = np.array([s.level for s in test_samples])
        served = _served(train(train_samples, random_state=user), train_samples, points)
        smoothed = _smoothed_per_phase(train_samples, points)
        base_rates = np.array(history.base_rates)
        overall = np.bincount([s.level for s in train_samples], minlength=3) + 1.0
        overall /= overall.sum()
        rows.append(
            {
                "served_accuracy": _accuracy(served, levels),
                "served_log_loss": _log_loss(served, levels),
                "majority_accuracy": _accuracy(smoothed, levels),  # same argmax
                "smoothed_log_loss": _log_loss(smoothed, levels),
                # How far from her true base rates (total variation), served and for
                # her own overall frequencies, the best one can hope for without a cycle.
                "served_distance": float(np.abs(served - base_rates).sum(axis=1).mean() / 2),
                "overall_distance": float(np.abs(overall - base_rates).sum() / 2),
            }
        )
    return {key: float(np.mean([row[key] for row in rows])) for key in rows[0]}


def test_served_predictions_beat_per_phase_baselines_when_energy_follows_the_cycle():
    figures = _evaluate(users=40, train_days=90, test_days=60, cycle_effect=1.0)
    assert figures["served_accuracy"] >= figures["majority_accuracy"]
    assert figures["served_log_loss"] <= figures["smoothed_log_loss"]


def test_served_probabilities_stay_near_her_base_rates_without_a_cycle_effect():
    figures = _evaluate(users=40, train_days=90, test_days=60, cycle_effect=0.0)
    assert figures["served_distance"] < 0.1
    assert figures["served_distance"] < figures["overall_distance"] + 0.03


@pytest.mark.slow
@pytest.mark.parametrize("train_days", [30, 365])
@pytest.mark.parametrize("cycle_effect", [0.5, 1.0])
def test_served_predictions_beat_per_phase_baselines_from_one_month_to_one_year_of_logs(
    train_days, cycle_effect
):
    # A month of logs is the hardest case; a weak effect (0.5) the closest contest.
    figures = _evaluate(
        users=40, train_days=train_days, test_days=90, cycle_effect=cycle_effect, seed=500
    )
    assert figures["served_accuracy"] >= figures["majority_accuracy"]
    assert figures["served_log_loss"] <= figures["smoothed_log_loss"]
