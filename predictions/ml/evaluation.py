"""Training: fit her model, cross-validate it against her majority level and the
fallback, and decide whether it serves."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from core.vocabulary import ENERGY_LEVELS

from .fallback import fallback_for, groups_of, log_loss
from .features import Sample, feature_names, features, levels_of
from .forest import MAX_DEPTH, N_ESTIMATORS, BlendedForest, blend, fit

MIN_SAMPLES = 14  # about two weeks of logs ...
MIN_LEVELS = 2  # ... covering at least two levels (a forest needs two classes)
MAX_FOLDS = 5
# The model serves only when its cross-validated log-loss beats the fallback's by at
# least this much (and its accuracy is not worse): below it the difference is noise.
LOG_LOSS_MARGIN = 0.005


class NotEnoughData(ValueError):
    """Too few logs (or a single level) to train; `needed` more logs are required."""

    def __init__(self, needed: int):
        self.needed = needed
        super().__init__(f"{needed} more energy log(s) needed to train a model.")


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
    y = levels_of(samples)
    positions = [s.point for s in samples]
    x = features(positions)
    groups = groups_of(positions)

    final = fit(x, groups, y, random_state)
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
            fallback = fallback_for(groups[train_idx], y[train_idx])
            model = fallback[test_groups]
        else:
            fold_model = fit(x[train_idx], groups[train_idx], y[train_idx], random_state)
            fallback = fold_model.fallback_table
            model = blend(fold_model, test_x, test_groups)
        frequencies = np.bincount(y[train_idx], minlength=len(ENERGY_LEVELS)) / len(train_idx)
        predictions = {
            "model": model,
            # Majority baseline: predicts her most frequent level, with her frequencies
            # as probabilities (like DummyClassifier(strategy="prior")).
            "baseline": np.tile(frequencies, (len(test_idx), 1)),
            "fallback": fallback[test_groups],
        }
        for name, probabilities in predictions.items():
            scores[name].append((_accuracy(probabilities, test_y), log_loss(probabilities, test_y)))
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
