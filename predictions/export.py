"""Her predictions data in the account export, and her model file at deletion."""

from . import lifecycle
from .models import EnergyModel, NextPeriodPrediction, PredictionRecord


def predictions_export(user) -> list[dict]:
    return [
        {
            "date": record.date.isoformat(),
            "predicted_level": record.predicted_level,
            "probabilities": record.probabilities,
            "source": record.source,
            "model_version": record.model_version,
            "created_at": record.created_at.isoformat(),
        }
        for record in PredictionRecord.objects.for_user(user).order_by("date")
    ]


def next_period_predictions_export(user) -> list[dict]:
    return [
        {
            "cycle_start": row.cycle_start.isoformat(),
            "served_on": row.served_on.isoformat(),
            "predicted_start": row.predicted_start.isoformat(),
            "earliest": row.earliest.isoformat(),
            "latest": row.latest.isoformat(),
            "method": row.method,
            "created_at": row.created_at.isoformat(),
        }
        for row in NextPeriodPrediction.objects.for_user(user).order_by("cycle_start")
    ]


def energy_model_export(user) -> dict | None:
    row = EnergyModel.objects.filter(user=user).first()
    if row is None:
        return None
    return {
        "version": row.version,
        "trained_at": row.trained_at.isoformat() if row.trained_at else None,
        "n_samples": row.n_samples,
        "classes": row.classes,
        "cv_accuracy": row.cv_accuracy,
        "baseline_accuracy": row.baseline_accuracy,
        "feature_importances": row.feature_importances,
        "serves_model": row.serves_model,
        "reason": row.reason,
        "format_version": row.format_version,
        "sklearn_version": row.sklearn_version,
    }


def energy_model_before_delete(user):
    """Collect her model file so it is deleted once her rows are gone."""
    names = list(
        EnergyModel.objects.filter(user=user).exclude(file="").values_list("file", flat=True)
    )
    if not names:
        return None
    storage = EnergyModel._meta.get_field("file").storage

    def delete_files():
        for name in names:
            lifecycle.delete_file(storage, name)

    return delete_files
