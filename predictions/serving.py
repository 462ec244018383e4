"""How an answer is served: her energy probabilities for any days' positions.

``EnergyPredictor`` trusts, in order: the table precomputed when she was last
trained, her loaded estimator (``lifecycle.load_model``), her smoothed
per-phase frequencies. A file it cannot trust is marked unusable, the fallback
serves, and a retrain is queued. ``records`` keeps what was served on each day.
"""

from dataclasses import dataclass
from datetime import date

from core.vocabulary import ENERGY_LABELS, ENERGY_LEVELS
from cycles import engine
from cycles import services as cycle_services

from . import lifecycle, ml, queueing
from .models import EnergyModel
from .samples import energy_samples, position_key, training_fingerprint, training_samples

ALGORITHM = "RandomForestClassifier blended with smoothed per-phase frequencies"


@dataclass(frozen=True)
class EnergyPrediction:
    probabilities: dict[str, float]
    source: str  # "model" | "fallback"
    model_version: int | None

    @property
    def level(self) -> int:
        return max(ENERGY_LEVELS, key=lambda level: self.probabilities[ENERGY_LABELS[level]])

    @property
    def label(self) -> str:
        return ENERGY_LABELS[self.level]

    @property
    def confidence(self) -> float:
        return round(max(self.probabilities.values()), 3)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "label": self.label,
            "probabilities": {label: round(p, 3) for label, p in self.probabilities.items()},
            "confidence": self.confidence,
            "source": self.source,
            "model_version": self.model_version,
        }


class EnergyPredictor:
    """Serves one user's energy probabilities for any cycle positions.

    Order of trust: the table precomputed when she was last trained; her
    loaded estimator (cached per process); her smoothed per-phase frequencies.

    ``as_of`` a past day, only what she had logged by then counts: her model,
    trained on later logs, stays out, and the fallback learns from her logs up
    to that day.
    """

    def __init__(
        self,
        *,
        user,
        data: cycle_services.CycleData,
        row: EnergyModel | None,
        as_of: date | None = None,
    ):
        self.user = user
        self.data = data
        self.as_of = as_of
        usable = row is not None and row.is_trained and not lifecycle.discarded(row)
        self.row = row if usable and as_of is None else None
        self._samples = None

    @classmethod
    def for_user(cls, *, user, data, as_of: date | None = None):
        row = None if as_of is not None else EnergyModel.objects.filter(user=user).first()
        return cls(user=user, data=data, row=row, as_of=as_of)

    def samples(self):
        if self._samples is None:
            self._samples = energy_samples(user=self.user, data=self.data, until=self.as_of)
        return self._samples

    def predict(self, positions: list[engine.DayPosition | None]) -> list[EnergyPrediction | None]:
        wanted = [p for p in positions if p is not None]
        served = self._served(wanted) if wanted else {}
        return [served[position_key(p)] if p is not None else None for p in positions]

    def _served(self, positions):
        row, answers, missing = self.row, {}, []
        if row is not None:
            source = "model" if row.serves_model else "fallback"
            version = row.version if row.serves_model else None
            for position in positions:
                key = position_key(position)
                probs = row.position_table.get(key)
                if probs is not None:
                    answers[key] = EnergyPrediction(probs, source, version)
                else:
                    missing.append(position)
        else:
            missing = positions
        if not missing:
            return answers
        if row is not None and row.serves_model:
            estimator = lifecycle.load_model(row)
            if estimator is not None:
                probabilities = ml.predict_probabilities(estimator, missing)
                for position, probs in zip(missing, probabilities, strict=True):
                    answers[position_key(position)] = EnergyPrediction(probs, "model", row.version)
                return answers
            queueing.queue_retrain(self.user)
            self.row = None
        probabilities = ml.fallback_probabilities(self.samples(), missing)
        for position, probs in zip(missing, probabilities, strict=True):
            answers[position_key(position)] = EnergyPrediction(probs, "fallback", None)
        return answers


def energy_model_summary(*, user) -> dict:
    """The body of GET /predictions/model."""
    row = EnergyModel.objects.filter(user=user).first()
    trained = row is not None and row.is_trained
    data = cycle_services.cycle_data_load(user=user)
    samples = training_samples(user=user, data=data)
    needed = ml.logs_needed(samples)
    if row is not None and row.is_training:
        state = "training"
    elif not trained:
        state = "none"
    else:
        state = "fresh" if training_fingerprint(samples) == row.data_fingerprint else "stale"
    serving = "model" if trained and row.serves_model else "fallback"
    if trained:
        detail = row.reason
    elif needed:
        detail = (
            f"No model yet: {needed} more mood log(s) needed. Until then, predictions come "
            "from your per-phase frequencies smoothed toward a population prior."
        )
    else:
        detail = "No model yet: a training is due."
    if trained and lifecycle.discarded(row):
        detail = f"{row.last_error}. Serving the fallback until it is retrained."
        serving = "fallback"
    return {
        "status": state,
        "version": row.version if trained else None,
        "trained_at": row.trained_at if trained else None,
        "n_samples": row.n_samples if trained else len(samples),
        "classes": row.classes if trained else sorted({sample.level for sample in samples}),
        "cv_accuracy": row.cv_accuracy if trained else None,
        "baseline_accuracy": row.baseline_accuracy if trained else None,
        "fallback_accuracy": row.fallback_accuracy if trained else None,
        "cv_log_loss": row.cv_log_loss if trained else None,
        "baseline_log_loss": row.baseline_log_loss if trained else None,
        "fallback_log_loss": row.fallback_log_loss if trained else None,
        "feature_importances": row.feature_importances if trained else {},
        "algorithm": ALGORITHM,
        "serving": serving,
        "detail": detail,
        "logs_needed": needed,
        "last_error": row.last_error if row else "",
        "last_error_at": row.last_error_at if row else None,
    }
