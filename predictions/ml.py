"""Per-user energy prediction: plain values in, plain values out (no ORM, no settings).

A user logs her energy once a day (0 low, 1 medium, 2 high). The cycle engine tells,
for each date, where the day sits in her cycle (a `CyclePoint`). From her own
`Sample`s this module trains a small random forest, blends its probabilities with a
smoothed per-phase table (the *fallback*), and says, from cross-validation, whether
the blend predicts better than the fallback alone (`TrainingResult.serves_model`).

Why a blend: forests trained on ~50 noisy labels give spiky probabilities (0 or 1 in
whole regions of the cycle). Mixing them with the fallback keeps them calibrated; the
weight is chosen on the training data only (out-of-bag forest probabilities against
leave-one-out fallback probabilities), so the cross-validated figures stay honest.

Why no profile features (BMI, luteal and menses length, unusual bleeding, number of
peak days): the forest is trained per user, and those fields are constant for one
user, so a tree can never split on them; they would only inflate the file. Their
effect reaches the model through the engine's `CyclePoint` (e.g. the phase depends on
her luteal and menses lengths).

The service layer persists `TrainingResult.estimator` (a `BlendedForest`) with joblib
and calls `predict_probabilities` with it; without a serving model it calls
`fallback_probabilities` with her samples.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from core.vocabulary import ENERGY_LABELS, ENERGY_LEVELS, LUTEAL, PHASES

MIN_SAMPLES = 14  # about two weeks of logs ...
MIN_LEVELS = 2  # ... covering at least two levels (a forest needs two classes)

# Version of the estimator layout and features; the service deletes (and retrains) a
# stored file whose version differs.
#   1: random forest on day_of_cycle, days_until_next, cycle_fraction and the phase
#      one-hot, blended with the smoothed per-group table (BlendedForest).
FORMAT_VERSION = 1

# --- Forest hyperparameters -------------------------------------------------------
# Energy logs are noisy and short (14 to ~730 per user): a few dozen shallow trees
# with large leaves generalise better than a big forest, and keep the compressed
# joblib file well under 100 KB for two years of daily logs (bench/ml_model_size.py).
N_ESTIMATORS = 25
MAX_DEPTH = 5
MIN_SAMPLES_LEAF = 5
# Leaves grow with the data so that trees stay small and robust on long histories.
LEAF_FRACTION = 0.02

# --- Cross-validation ---------------------------------------------------------------
MAX_FOLDS = 5
# Probabilities are clipped before taking logs, so one level never seen in a training
# fold costs a bounded penalty (-log 1e-3 ~ 6.9) instead of infinity.
PROBABILITY_CLIP = 1e-3
# Candidate weights of the forest in the blend; ties go to the smaller weight. The
# fallback always keeps at least 10%, so no level she has logged ever gets 0.
BLEND_WEIGHTS = tuple(w / 10 for w in range(10))
# The model serves only when its cross-validated log-loss beats the fallback's by at
# least this much (and its accuracy is not worse): below it the difference is noise.
LOG_LOSS_MARGIN = 0.005

# --- Fallback: per-phase frequencies smoothed toward a population prior -------------
# The fallback splits the luteal phase: the last days before a period behave like
# menses (lower energy), the rest of the luteal phase does not.
LATE_LUTEAL_DAYS = 4  # days_until_next <= 4 (and late days, <= 0)
GROUPS = (*PHASES, "late_luteal")
# Population prior P(low, medium, high) per group: an assumption, not fitted data.
# Lower energy in menses and the last days before a period, a mild high around
# ovulation. Deliberately mild, so a user without a cycle effect soon looks like
# herself.
PRIOR = np.array(
    [
        [0.40, 0.42, 0.18],  # menstrual
        [0.22, 0.48, 0.30],  # follicular
        [0.18, 0.44, 0.38],  # ovulatory
        [0.25, 0.50, 0.25],  # luteal
        [0.38, 0.44, 0.18],  # late_luteal
    ]
)
# Share of an average cycle (~28 days) spent in each group, to derive the overall prior.
_GROUP_DAYS = np.array([5.0, 9.0, 3.0, 7.0, 4.0])
PRIOR_OVERALL = _GROUP_DAYS @ PRIOR / _GROUP_DAYS.sum()
# Her overall frequencies lean on the population prior with the weight of
# OVERALL_PSEUDO_LOGS logs. Each group's frequencies lean on a target: her overall
# frequencies tilted by the prior's effect for that group, (PRIOR / PRIOR_OVERALL)**tilt,
# with the weight of `strength` logs. (strength, tilt) are chosen per user from the
# grids below by leave-one-out log-loss on her own logs (empirical Bayes): a user
# whose energy ignores her cycle gets strong shrinkage toward her overall frequencies
# and no tilt; one whose energy follows it gets her own per-group frequencies.
OVERALL_PSEUDO_LOGS = 3.0
SHRINK_STRENGTHS = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
PRIOR_TILTS = (0.0, 0.5, 1.0)
# Used when there are too few logs to choose (and with no logs: exactly PRIOR).
DEFAULT_SHRINK = (8.0, 1.0)
MIN_LOGS_TO_CHOOSE_SHRINK = 10


@dataclass(frozen=True)
class CyclePoint:
    """Where a day sits in her cycle (from the cycle engine)."""

    day_of_cycle: int  # 1 on a period's start date
    cycle_length: int  # actual length of that cycle if known, else predicted
    days_until_next: int  # may be <= 0 when the period is late
    phase: str  # one of PHASES


@dataclass(frozen=True)
class Sample:
    point: CyclePoint
    level: int  # one of ENERGY_LEVELS


class NotEnoughData(ValueError):
    """Too few logs (or a single level) to train; `needed` more logs are required."""

    def __init__(self, needed: int):
        self.needed = needed
        super().__init__(f"{needed} more energy log(s) needed to train a model.")


@dataclass
class BlendedForest:
    """What gets pickled: the fitted forest, its blend weight and the fallback table.

    Probabilities are `weight * forest + (1 - weight) * fallback`, where the fallback
    table was computed from the same training samples.
    """

    forest: RandomForestClassifier
    weight: float
    fallback_table: np.ndarray  # shape (len(GROUPS), len(ENERGY_LEVELS))


@dataclass
class TrainingResult:
    estimator: BlendedForest  # what gets pickled
    classes: list[int]  # levels she has logged (the forest's classes)
    n_samples: int
    n_splits: int  # folds used in cross-validation
    cv_accuracy: float  # the model (forest blended with the fallback), out of fold
    cv_log_loss: float
    baseline_accuracy: float  # her majority level (probabilities: her frequencies)
    baseline_log_loss: float
    fallback_accuracy: float  # smoothed per-phase table, same folds
    fallback_log_loss: float
    blend_weight: float  # forest's weight in the final blend (0 = pure fallback)
    feature_importances: dict[str, float]
    serves_model: bool  # True only when the blend beats the fallback in CV
    reason: str  # why, for GET /predictions/model
    algorithm: str


# --- Features -------------------------------------------------------------------------


def feature_names() -> list[str]:
    return [
        "day_of_cycle",
        "days_until_next",
        "cycle_fraction",
        *(f"phase_{phase}" for phase in PHASES),
    ]


def _check_point(point: CyclePoint) -> None:
    if point.phase not in PHASES:
        raise ValueError(f"Unknown phase {point.phase!r}; expected one of {PHASES}.")
    if point.cycle_length < 1:
        raise ValueError(f"cycle_length must be positive, got {point.cycle_length}.")


def _features(points: Sequence[CyclePoint]) -> np.ndarray:
    """One row per point, columns as in feature_names().

    cycle_length itself is left out: within one user it varies by a few days from
    cycle to cycle, so splits on it fit noise; its information is kept relative to
    the day through cycle_fraction and days_until_next.
    """
    rows = np.zeros((len(points), 3 + len(PHASES)))
    for i, point in enumerate(points):
        _check_point(point)
        rows[i, 0] = point.day_of_cycle
        rows[i, 1] = point.days_until_next
        rows[i, 2] = (point.day_of_cycle - 1) / point.cycle_length
        rows[i, 3 + PHASES.index(point.phase)] = 1.0
    return rows


def _group(point: CyclePoint) -> int:
    _check_point(point)
    if point.phase == LUTEAL and point.days_until_next <= LATE_LUTEAL_DAYS:
        return GROUPS.index("late_luteal")
    return GROUPS.index(point.phase)


def _groups(points: Iterable[CyclePoint]) -> np.ndarray:
    return np.array([_group(p) for p in points], dtype=int)


def _levels(samples: Sequence[Sample]) -> np.ndarray:
    levels = np.array([s.level for s in samples], dtype=int)
    if not np.isin(levels, ENERGY_LEVELS).all():
        raise ValueError(f"Energy levels must be in {ENERGY_LEVELS}.")
    return levels


# --- Fallback ---------------------------------------------------------------------------


def _smooth(
    group_counts: np.ndarray,
    total_counts: np.ndarray,
    group_prior: np.ndarray,
    strength: float,
    tilt: float,
) -> np.ndarray:
    """Row-wise P(level | group) from counts: see the constants above."""
    overall = (total_counts + OVERALL_PSEUDO_LOGS * PRIOR_OVERALL) / (
        total_counts.sum(axis=-1, keepdims=True) + OVERALL_PSEUDO_LOGS
    )
    target = overall * (group_prior / PRIOR_OVERALL) ** tilt
    target /= target.sum(axis=-1, keepdims=True)
    return (group_counts + strength * target) / (
        group_counts.sum(axis=-1, keepdims=True) + strength
    )


def _counts(groups: np.ndarray, levels: np.ndarray) -> np.ndarray:
    counts = np.zeros((len(GROUPS), len(ENERGY_LEVELS)))
    np.add.at(counts, (groups, levels), 1.0)
    return counts


def _fallback_table(
    groups: np.ndarray, levels: np.ndarray, shrink: tuple[float, float]
) -> np.ndarray:
    """P(level | group) from her logs, shape (len(GROUPS), len(ENERGY_LEVELS)).

    With no logs (and DEFAULT_SHRINK) this is exactly PRIOR.
    """
    counts = _counts(groups, levels)
    return _smooth(counts, counts.sum(axis=0), PRIOR, *shrink)


def _loo_fallback(
    groups: np.ndarray, levels: np.ndarray, shrink: tuple[float, float]
) -> np.ndarray:
    """Leave-one-out fallback probabilities, one row per sample.

    The fallback is made of counts, so leaving a sample out is exact and cheap.
    """
    counts = _counts(groups, levels)
    own = np.eye(len(ENERGY_LEVELS))[levels]  # each sample's own count, to take out
    return _smooth(counts[groups] - own, counts.sum(axis=0) - own, PRIOR[groups], *shrink)


def _choose_shrink(groups: np.ndarray, levels: np.ndarray) -> tuple[float, float]:
    """(strength, tilt) with the best leave-one-out log-loss on her logs."""
    if len(levels) < MIN_LOGS_TO_CHOOSE_SHRINK:
        return DEFAULT_SHRINK
    candidates = [(k, t) for k in SHRINK_STRENGTHS for t in PRIOR_TILTS]
    losses = [_log_loss(_loo_fallback(groups, levels, c), levels) for c in candidates]
    return candidates[int(np.argmin(losses))]


def _fallback_for(groups: np.ndarray, levels: np.ndarray) -> np.ndarray:
    return _fallback_table(groups, levels, _choose_shrink(groups, levels))


def _as_dicts(probabilities: np.ndarray) -> list[dict[str, float]]:
    return [dict(zip(ENERGY_LABELS, map(float, row), strict=True)) for row in probabilities]


def fallback_probabilities(
    samples: Sequence[Sample], points: Sequence[CyclePoint]
) -> list[dict[str, float]]:
    """Per-group frequencies of her logs smoothed toward the population prior.

    Works with no samples at all (pure prior). One dict per point, keys ENERGY_LABELS.
    """
    groups, levels = _groups(s.point for s in samples), _levels(samples)
    table = _fallback_for(groups, levels)
    return _as_dicts(table[_groups(points)])


# --- Training ---------------------------------------------------------------------------


def logs_needed(samples: Sequence[Sample]) -> int:
    """0 when `samples` can train a model, else how many more logs are needed.

    MIN_SAMPLES logs covering MIN_LEVELS levels are needed. When every log has the same
    level the answer is at least 1: one log of another level may suffice (if there
    are enough logs), though nobody can promise which level she will log next.
    """
    missing = max(0, MIN_SAMPLES - len(samples))
    distinct = len({s.level for s in samples})
    if distinct < MIN_LEVELS:
        missing = max(missing, MIN_LEVELS - distinct)
    return missing


def _forest(n_samples: int, random_state: int) -> RandomForestClassifier:
    return RandomForestClassifier(
        n_estimators=N_ESTIMATORS,
        max_depth=MAX_DEPTH,
        min_samples_leaf=max(MIN_SAMPLES_LEAF, round(LEAF_FRACTION * n_samples)),
        max_features="sqrt",
        oob_score=True,  # for the blend weight; the arrays are dropped after use
        random_state=random_state,
        n_jobs=1,
    )


def _forest_probabilities(forest: RandomForestClassifier, x: np.ndarray) -> np.ndarray:
    """predict_proba with one column per level, 0.0 for levels it never saw."""
    out = np.zeros((len(x), len(ENERGY_LEVELS)))
    if len(x):
        out[:, forest.classes_.astype(int)] = forest.predict_proba(x)
    return out


def _fit(x: np.ndarray, groups: np.ndarray, y: np.ndarray, random_state: int) -> BlendedForest:
    """Fit the forest and choose its blend weight on the training data only."""
    forest = _forest(len(y), random_state)
    with warnings.catch_warnings():
        # On small data a few samples are in every bootstrap and get no OOB estimate
        # (a row of zeros, NaN in older scikit-learn): left out of the weight choice.
        warnings.filterwarnings("ignore", "Some inputs do not have OOB scores", UserWarning)
        forest.fit(x, y)
    oob = np.zeros((len(y), len(ENERGY_LEVELS)))
    oob[:, forest.classes_.astype(int)] = np.nan_to_num(forest.oob_decision_function_)
    has_oob = oob.sum(axis=1) > 0
    # Not needed to predict, and they would grow the file with the training set.
    del forest.oob_decision_function_, forest.oob_score_

    shrink = _choose_shrink(groups, y)
    table = _fallback_table(groups, y, shrink)
    loo = _loo_fallback(groups, y, shrink)
    weight = 0.0
    if has_oob.any():
        losses = [
            _log_loss(w * oob[has_oob] + (1 - w) * loo[has_oob], y[has_oob]) for w in BLEND_WEIGHTS
        ]
        weight = BLEND_WEIGHTS[int(np.argmin(losses))]  # first minimum: smaller weight
    return BlendedForest(forest=forest, weight=weight, fallback_table=table)


def _blend(model: BlendedForest, x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    fallback = model.fallback_table[groups]
    if model.weight == 0.0:
        return fallback
    return model.weight * _forest_probabilities(model.forest, x) + (1 - model.weight) * fallback


def _log_loss(probabilities: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(probabilities[np.arange(len(y)), y], PROBABILITY_CLIP, 1.0)
    return float(-np.log(p).mean())


def _accuracy(probabilities: np.ndarray, y: np.ndarray) -> float:
    return float((probabilities.argmax(axis=1) == y).mean())


def _n_splits(y: np.ndarray) -> int:
    """Stratified folds: up to MAX_FOLDS, fewer when a level is rare.

    With k folds every level should appear in each test fold, so k is at most the count
    of her rarest level (but at least 2). A level logged only once then sits in one
    test fold and is missing from that fold's training set, which the clipped
    log-loss prices in.
    """
    return int(np.clip(np.bincount(y)[np.unique(y)].min(), 2, MAX_FOLDS))


def train(samples: Sequence[Sample], *, random_state: int = 0) -> TrainingResult:
    """Fit her model and cross-validate it against her majority level and the fallback.

    Raises NotEnoughData when logs_needed(samples) > 0. The same samples and
    random_state give identical results.
    """
    needed = logs_needed(samples)
    if needed:
        raise NotEnoughData(needed)
    y = _levels(samples)
    points = [s.point for s in samples]
    x = _features(points)
    groups = _groups(points)

    final = _fit(x, groups, y, random_state)
    n_splits = _n_splits(y)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    scores = {"model": [], "baseline": [], "fallback": []}
    with warnings.catch_warnings():
        # A level logged once is handled: see _n_splits.
        warnings.filterwarnings("ignore", "The least populated class", UserWarning)
        splits = list(folds.split(x, y))
    for train_idx, test_idx in splits:
        test_x, test_groups, test_y = x[test_idx], groups[test_idx], y[test_idx]
        if final.weight == 0.0:
            # On all her data the blend gives the forest no weight: the model she would
            # be served is the fallback, so there is no forest to cross-validate.
            fallback = _fallback_for(groups[train_idx], y[train_idx])
            model = fallback[test_groups]
        else:
            fold_model = _fit(x[train_idx], groups[train_idx], y[train_idx], random_state)
            fallback = fold_model.fallback_table
            model = _blend(fold_model, test_x, test_groups)
        frequencies = np.bincount(y[train_idx], minlength=len(ENERGY_LEVELS)) / len(train_idx)
        predictions = {
            "model": model,
            # Majority baseline: predicts her most frequent level, with her frequencies
            # as probabilities (like DummyClassifier(strategy="prior")).
            "baseline": np.tile(frequencies, (len(test_idx), 1)),
            "fallback": fallback[test_groups],
        }
        for name, probabilities in predictions.items():
            scores[name].append(
                (_accuracy(probabilities, test_y), _log_loss(probabilities, test_y))
            )
    (cv_acc, cv_ll), (base_acc, base_ll), (fb_acc, fb_ll) = (
        np.mean(scores[name], axis=0) for name in ("model", "baseline", "fallback")
    )

    serves, reason = _serving_decision(n_splits, final.weight, cv_acc, cv_ll, fb_acc, fb_ll)
    return TrainingResult(
        estimator=final,
        classes=[int(c) for c in final.forest.classes_],
        n_samples=len(y),
        n_splits=n_splits,
        cv_accuracy=float(cv_acc),
        cv_log_loss=float(cv_ll),
        baseline_accuracy=float(base_acc),
        baseline_log_loss=float(base_ll),
        fallback_accuracy=float(fb_acc),
        fallback_log_loss=float(fb_ll),
        blend_weight=final.weight,
        feature_importances=dict(
            zip(feature_names(), map(float, final.forest.feature_importances_), strict=True)
        ),
        serves_model=serves,
        reason=reason,
        algorithm=(
            f"random forest ({N_ESTIMATORS} trees, depth <= {MAX_DEPTH}) blended "
            f"{final.weight:.0%} with smoothed per-phase frequencies"
        ),
    )


def _serving_decision(
    n_splits: int, weight: float, acc: float, ll: float, fb_acc: float, fb_ll: float
) -> tuple[bool, str]:
    """The model serves when, out of fold, its log-loss beats the fallback's by
    LOG_LOSS_MARGIN and its accuracy is not worse; calibration comes first."""
    figures = f"log-loss {ll:.3f} vs {fb_ll:.3f}, accuracy {acc:.0%} vs {fb_acc:.0%}"
    if weight == 0.0:
        return False, "the forest adds nothing to the fallback (per-phase frequencies) on her data"
    if ll <= fb_ll - LOG_LOSS_MARGIN and acc >= fb_acc:
        return True, f"model beats the fallback in {n_splits}-fold CV ({figures})"
    return False, f"the model does not clearly beat the fallback in {n_splits}-fold CV ({figures})"


# --- Prediction -------------------------------------------------------------------------


def predict_probabilities(
    estimator: BlendedForest | RandomForestClassifier, points: Sequence[CyclePoint]
) -> list[dict[str, float]]:
    """Probabilities for each point, in one predict_proba call for all of them.

    Every dict has all ENERGY_LABELS. A bare classifier gives 0.0 to a level it never saw;
    a BlendedForest gives such a level the small probability its fallback table
    (smoothed toward the population prior) has for it.
    """
    if not points:
        return []
    x = _features(points)
    if isinstance(estimator, BlendedForest):
        probabilities = _blend(estimator, x, _groups(points))
    else:
        probabilities = _forest_probabilities(estimator, x)
    return _as_dicts(probabilities)


def data_fingerprint(samples: Iterable[Sample], extra: Iterable = ()) -> str:
    """sha256 hex of the training data, so unchanged data skips retraining.

    The order of the samples does not matter (their multiset does); `extra` (e.g. the
    scikit-learn version or a random seed) is hashed in the order given and must be
    JSON-serialisable. FORMAT_VERSION is included, so a format change retrains.
    """
    rows = sorted(
        (
            s.point.day_of_cycle,
            s.point.cycle_length,
            s.point.days_until_next,
            s.point.phase,
            s.level,
        )
        for s in samples
    )
    payload = json.dumps(
        {"format": FORMAT_VERSION, "samples": rows, "extra": list(extra)},
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
