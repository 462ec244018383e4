"""Per-user energy prediction: plain values in, plain values out (no ORM, no settings).

A user logs her energy once a day (0 low, 1 medium, 2 high). The cycle engine tells,
for each date, where the day sits in her cycle (``cycles.engine.DayPosition``; the
model reads its day of cycle, cycle length, days until the next period and phase).
From her own `Sample`s this package trains a small random forest, blends its
probabilities with a smoothed per-phase table (the *fallback*), and says, from
cross-validation, whether the blend predicts better than the fallback alone
(`TrainingResult.serves_model`).

Why a blend: forests trained on ~50 noisy labels give spiky probabilities (0 or 1 in
whole regions of the cycle). Mixing them with the fallback keeps them calibrated; the
weight is chosen on the training data only (out-of-bag forest probabilities against
leave-one-out fallback probabilities), so the cross-validated figures stay honest.

Why no profile features (BMI, luteal and menses length, unusual bleeding, number of
peak days): the forest is trained per user, and those fields are constant for one
user, so a tree can never split on them; they would only inflate the file. Their
effect reaches the model through the engine's day position (e.g. the phase depends
on her luteal and menses lengths).

By topic: ``features`` (what the model sees of a day, the fingerprint), ``fallback``
(the smoothed per-phase frequencies), ``forest`` (the blended forest and its
predictions), ``evaluation`` (training, cross-validation, the serving decision).
The service layer persists `TrainingResult.estimator` (a `BlendedForest`) with joblib
and calls `predict_probabilities` with it; without a serving model it calls
`fallback_probabilities` with her samples.
"""

from .evaluation import (
    LOG_LOSS_MARGIN,
    MAX_FOLDS,
    MIN_LEVELS,
    MIN_SAMPLES,
    NotEnoughData,
    TrainingResult,
    logs_needed,
    train,
)
from .fallback import GROUPS, LATE_LUTEAL_DAYS, PRIOR, PRIOR_OVERALL, fallback_probabilities
from .features import FORMAT_VERSION, Sample, data_fingerprint, feature_names, position_features
from .forest import (
    BLEND_WEIGHTS,
    MAX_DEPTH,
    N_ESTIMATORS,
    BlendedForest,
    predict_probabilities,
)

__all__ = [
    "BLEND_WEIGHTS",
    "FORMAT_VERSION",
    "GROUPS",
    "LATE_LUTEAL_DAYS",
    "LOG_LOSS_MARGIN",
    "MAX_DEPTH",
    "MAX_FOLDS",
    "MIN_LEVELS",
    "MIN_SAMPLES",
    "N_ESTIMATORS",
    "PRIOR",
    "PRIOR_OVERALL",
    "BlendedForest",  # also where files pickled before the split find it
    "NotEnoughData",
    "Sample",
    "TrainingResult",
    "data_fingerprint",
    "fallback_probabilities",
    "feature_names",
    "logs_needed",
    "position_features",
    "predict_probabilities",
    "train",
]
