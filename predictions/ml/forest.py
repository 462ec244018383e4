"""The blended forest: what gets pickled, how it is fitted, how it predicts."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from core.vocabulary import ENERGY_LEVELS
from cycles.engine import DayPosition

from .fallback import as_dicts, choose_shrink, fallback_table, groups_of, log_loss, loo_fallback
from .features import features

# Energy logs are noisy and short (14 to ~730 per user): a few dozen shallow trees
# with large leaves generalise better than a big forest, and keep the compressed
# joblib file well under 100 KB for two years of daily logs (bench/ml_model_size.py).
N_ESTIMATORS = 25
MAX_DEPTH = 5
MIN_SAMPLES_LEAF = 5
# Leaves grow with the data so that trees stay small and robust on long histories.
LEAF_FRACTION = 0.02
# Candidate weights of the forest in the blend; ties go to the smaller weight. The
# fallback always keeps at least 10%, so no level she has logged ever gets 0.
BLEND_WEIGHTS = tuple(w / 10 for w in range(10))


@dataclass
class BlendedForest:
    """What gets pickled: the fitted forest, its blend weight and the fallback table.

    Probabilities are `weight * forest + (1 - weight) * fallback`, where the fallback
    table was computed from the same training samples. Files pickled before ml
    became a package name it ``predictions.ml.BlendedForest``, which re-exports it.
    """

    forest: RandomForestClassifier
    weight: float
    fallback_table: np.ndarray  # shape (len(GROUPS), len(ENERGY_LEVELS))


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


def forest_probabilities(forest: RandomForestClassifier, x: np.ndarray) -> np.ndarray:
    """predict_proba with one column per level, 0.0 for levels it never saw."""
    out = np.zeros((len(x), len(ENERGY_LEVELS)))
    if len(x):
        out[:, forest.classes_.astype(int)] = forest.predict_proba(x)
    return out


def fit(x: np.ndarray, groups: np.ndarray, y: np.ndarray, random_state: int) -> BlendedForest:
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

    shrink = choose_shrink(groups, y)
    table = fallback_table(groups, y, shrink)
    loo = loo_fallback(groups, y, shrink)
    weight = 0.0
    if has_oob.any():
        losses = [
            log_loss(w * oob[has_oob] + (1 - w) * loo[has_oob], y[has_oob]) for w in BLEND_WEIGHTS
        ]
        weight = BLEND_WEIGHTS[int(np.argmin(losses))]  # first minimum: smaller weight
    return BlendedForest(forest=forest, weight=weight, fallback_table=table)


def blend(model: BlendedForest, x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    fallback = model.fallback_table[groups]
    if model.weight == 0.0:
        return fallback
    return model.weight * forest_probabilities(model.forest, x) + (1 - model.weight) * fallback


def predict_probabilities(
    estimator: BlendedForest | RandomForestClassifier, positions: Sequence[DayPosition]
) -> list[dict[str, float]]:
    """Probabilities for each position, in one predict_proba call for all of them.

    Every dict has all ENERGY_LABELS. A bare classifier gives 0.0 to a level it never saw;
    a BlendedForest gives such a level the small probability its fallback table
    (smoothed toward the population prior) has for it.
    """
    if not positions:
        return []
    x = features(positions)
    if isinstance(estimator, BlendedForest):
        probabilities = blend(estimator, x, groups_of(positions))
    else:
        probabilities = forest_probabilities(estimator, x)
    return as_dicts(probabilities)
