"""Energy predictions: from her rows to the pure ML module and back.

One function retrains a user (``energy_model_retrain``): the API, the admin
action, the ``retrain_models`` command and the Celery task all call it. Serving
(``energy_predict``) reads the probabilities precomputed at training time, then
a per-process cache of loaded estimators, and falls back to her smoothed
per-phase frequencies whenever there is no model it can trust.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import sklearn
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.timezone import now

from core.userdata import user_answers_expire
from core.vocabulary import ENERGY_LABELS, ENERGY_LEVELS
from cycles import engine
from cycles import services as cycle_services
from moods.models import DailyMood

from . import lifecycle, ml
from .models import EnergyModel, PredictionRecord

logger = logging.getLogger(__name__)

# Positions precomputed at training time: the recent past she may look back on
# and the days she is about to live through (predicted cycles repeat positions,
# so the table holds a few hundred entries at most).
TABLE_PAST_DAYS = 60
TABLE_FUTURE_DAYS = 120
ALGORITHM = "RandomForestClassifier blended with smoothed per-phase frequencies"
# A model learns from her most recent logs only: about two years of daily logs.
# A training's cost then stops growing with her history (ten years of logs:
# 0.40 s, against 0.26 s for the window; bench/training_thread.py), and recent
# logs describe her as she is now.
TRAINING_WINDOW_LOGS = 730


# --- From rows to samples -----------------------------------------------------------


def cycle_point(position: engine.DayPosition | None) -> ml.CyclePoint | None:
    if position is None:
        return None
    return ml.CyclePoint(
        day_of_cycle=position.day_of_cycle,
        cycle_length=position.cycle_length,
        days_until_next=position.days_until_next,
        phase=position.phase,
    )


def energy_samples(
    *, user, data: cycle_services.CycleData, until: date | None = None, latest: int | None = None
) -> list[ml.Sample]:
    """Her logs that fall after her first period, with their cycle positions
    (as known ``until`` that day, her today by default); only her ``latest``
    logs if given."""
    moods = DailyMood.objects.for_user(user)
    if until is not None:
        moods = moods.filter(date__lte=until)
    if latest is None:
        logs = list(moods.order_by("date").values_list("date", "energy_level"))
    else:
        logs = list(moods.order_by("-date").values_list("date", "energy_level")[:latest])[::-1]
    positions = engine.positions(
        data.periods,
        [day for day, _ in logs],
        on=until or user.local_today(),
        profile=data.profile,
    )
    samples = []
    for day, level in logs:
        point = cycle_point(positions.get(day))
        if point is not None:
            samples.append(ml.Sample(point=point, level=level))
    return samples


def training_samples(*, user, data: cycle_services.CycleData) -> list[ml.Sample]:
    """What her model learns from: her samples within ``TRAINING_WINDOW_LOGS``."""
    return energy_samples(user=user, data=data, latest=TRAINING_WINDOW_LOGS)


def training_fingerprint(samples) -> str:
    return ml.data_fingerprint(samples, extra=(ml.FORMAT_VERSION, sklearn.__version__))


def point_key(point: ml.CyclePoint) -> str:
    return f"{point.day_of_cycle}:{point.cycle_length}:{point.days_until_next}:{point.phase}"


# --- Training -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetrainOutcome:
    status: str  # "trained" | "skipped" (nothing changed) | "insufficient"
    model: EnergyModel | None
    logs_needed: int = 0


def energy_model_retrain(*, user, force: bool = False) -> RetrainOutcome:
    """Train her model if her data changed (or ``force``); the one retrain function.

    A "queued" mark set before it read her data is answered by this training
    and cleared; one set by a change while it ran stays, for the training
    that change queued.
    """
    started = now()
    data = cycle_services.cycle_data_load(user=user)
    samples = training_samples(user=user, data=data)
    needed = ml.logs_needed(samples)
    row = EnergyModel.objects.filter(user=user).first()
    if needed:
        unmark_queued(user, before=started)
        return RetrainOutcome("insufficient", row, logs_needed=needed)
    fingerprint = training_fingerprint(samples)
    if not force and row is not None and row.is_trained and row.data_fingerprint == fingerprint:
        unmark_queued(user, before=started)
        return RetrainOutcome("skipped", row)

    result = ml.train(samples)
    payload, digest = lifecycle.serialize(result.estimator)
    table = position_table(user=user, data=data, samples=samples, result=result)
    return RetrainOutcome(
        "trained", store_trained_model(user, result, payload, digest, fingerprint, table, started)
    )


def unmark_queued(user, *, before) -> None:
    EnergyModel.objects.filter(user=user, training_queued_at__lte=before).update(
        training_queued_at=None
    )


def position_table(*, user, data, samples, result) -> dict:
    """The served probabilities for the positions of the coming days."""
    today = user.local_today()
    days = [today + timedelta(days=n) for n in range(-TABLE_PAST_DAYS, TABLE_FUTURE_DAYS)]
    positions = engine.positions(data.periods, days, on=today, profile=data.profile)
    points = list({point_key(p): p for p in map(cycle_point, positions.values()) if p}.values())
    if not points:
        return {}
    if result.serves_model:
        probabilities = ml.predict_probabilities(result.estimator, points)
    else:
        probabilities = ml.fallback_probabilities(samples, points)
    return {point_key(point): probs for point, probs in zip(points, probabilities, strict=True)}


def store_trained_model(
    user, result, payload, digest, fingerprint, table, started=None
) -> EnergyModel:
    """Write the new file under a fresh name, point the row at it, then delete
    the old file once that commits: readers see the old model or the new one.

    Her user row is locked first, as every writer of her data does
    (``core.views.user_write_lock``): taking the two rows in the other order
    deadlocks against a mood POST that queues a retrain.
    """
    with transaction.atomic():
        user_answers_expire(user)  # cached forecasts now come from the new model
        row, _ = EnergyModel.objects.select_for_update().get_or_create(user=user)
        old_name, storage = row.file.name, row.file.storage
        row.version += 1
        row.file.save("model.joblib", lifecycle.as_content(payload), save=False)
        new_name = row.file.name
        transaction.on_commit(lambda: lifecycle.delete_file(storage, old_name))
        row.digest = digest
        row.format_version = ml.FORMAT_VERSION
        row.sklearn_version = sklearn.__version__
        row.data_fingerprint = fingerprint
        row.trained_at = now()
        row.n_samples = result.n_samples
        row.classes = list(result.classes)
        row.cv_accuracy = result.cv_accuracy
        row.cv_log_loss = result.cv_log_loss
        row.baseline_accuracy = result.baseline_accuracy
        row.baseline_log_loss = result.baseline_log_loss
        row.fallback_accuracy = result.fallback_accuracy
        row.fallback_log_loss = result.fallback_log_loss
        row.feature_importances = result.feature_importances
        row.serves_model = result.serves_model
        row.reason = result.reason
        row.position_table = table
        if row.training_queued_at and (started is None or row.training_queued_at <= started):
            row.training_queued_at = None
        row.last_error = ""
        row.last_error_at = None
        try:
            row.save()
        except Exception:
            lifecycle.delete_file(storage, new_name)
            raise
    return row


def energy_model_record_failure(*, user, error: BaseException) -> None:
    EnergyModel.objects.update_or_create(
        user=user,
        defaults={
            "last_error": f"{type(error).__name__}: {error}"[:2000],
            "last_error_at": now(),
            "training_queued_at": None,
        },
    )


def energy_model_discard_file(row: EnergyModel, reason: str) -> None:
    """A file we cannot trust: forget it (so the next retrain is not skipped)."""
    logger.warning("energy model of user %s unusable: %s", row.user_id, reason)
    EnergyModel.objects.filter(pk=row.pk, version=row.version).update(
        data_fingerprint="", last_error=f"model file unusable: {reason}"[:2000], last_error_at=now()
    )


def energy_model_discarded(row: EnergyModel) -> bool:
    """Its file was found unusable and it has not been retrained since: neither
    the file nor the table precomputed with it serves (as /model then says)."""
    return not row.data_fingerprint and bool(row.last_error)


# --- Serving ----------------------------------------------------------------------------


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
        usable = row is not None and row.is_trained and not energy_model_discarded(row)
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

    def predict(self, points: list[ml.CyclePoint | None]) -> list[EnergyPrediction | None]:
        wanted = [p for p in points if p is not None]
        served = self._served(wanted) if wanted else {}
        return [served[point_key(p)] if p is not None else None for p in points]

    def _served(self, points):
        row, answers, missing = self.row, {}, []
        if row is not None:
            source = "model" if row.serves_model else "fallback"
            version = row.version if row.serves_model else None
            for point in points:
                probs = row.position_table.get(point_key(point))
                if probs is not None:
                    answers[point_key(point)] = EnergyPrediction(probs, source, version)
                else:
                    missing.append(point)
        else:
            missing = points
        if not missing:
            return answers
        if row is not None and row.serves_model:
            try:
                loaded = lifecycle.load_model(row)
            except lifecycle.ModelFileError as error:
                energy_model_discard_file(row, str(error))
                from .tasks import queue_retrain  # tasks import this module

                queue_retrain(self.user)
                self.row = None
            else:
                probabilities = loaded.predict(missing)
                for point, probs in zip(missing, probabilities, strict=True):
                    answers[point_key(point)] = EnergyPrediction(probs, "model", row.version)
                return answers
        probabilities = ml.fallback_probabilities(self.samples(), missing)
        for point, probs in zip(missing, probabilities, strict=True):
            answers[point_key(point)] = EnergyPrediction(probs, "fallback", None)
        return answers


# --- Status, records ----------------------------------------------------------------


def prediction_record_for(*, user, day: date, make) -> tuple[dict, bool]:
    """The energy served for ``day``: the recorded one if any, else ``make()``.

    A prediction is recorded on its own day only (her today, before she logs it):
    never ahead (a later model may serve that day) nor afterwards (it would not
    be out of sample), so the history says what she was told on the day. The
    first one served wins: a record is never rewritten.
    """
    record = PredictionRecord.objects.filter(user=user, date=day).first()
    if record is not None:
        return record_as_energy(record), True
    prediction = make()
    if prediction is None:
        return None, False
    return prediction_record_today(user=user, day=day, prediction=prediction)


def prediction_record_today(*, user, day: date, prediction) -> tuple[dict, bool]:
    """Record ``prediction`` if ``day`` is her today and she has not logged it yet;
    the energy to serve (the record that won, if one already existed)."""
    if day == user.local_today() and not DailyMood.objects.filter(user=user, date=day).exists():
        record, _ = PredictionRecord.objects.get_or_create(
            user=user,
            date=day,
            defaults={
                "predicted_level": prediction.level,
                "probabilities": prediction.as_dict()["probabilities"],
                "source": prediction.source,
                "model_version": prediction.model_version,
            },
        )
        return record_as_energy(record), True
    return prediction.as_dict(), False


def energies_served(*, user, days: list[date], predictions) -> list[dict | None]:
    """The energy served for each of ``days`` (a forecast): a day with a record
    serves it; her today, without one, records the prediction served now, so
    /current and /forecast give one answer for today whichever comes first."""
    today = user.local_today()
    past = [day for day in days if day <= today]
    records = {}
    if past:
        records = {
            record.date: record
            for record in PredictionRecord.objects.filter(
                user=user, date__gte=min(past), date__lte=max(past)
            )
        }
    served = []
    for day, prediction in zip(days, predictions, strict=True):
        if day in records:
            served.append(record_as_energy(records[day]))
        elif prediction is None:
            served.append(None)
        elif day == today:
            served.append(prediction_record_today(user=user, day=day, prediction=prediction)[0])
        else:
            served.append(prediction.as_dict())
    return served


def record_as_energy(record: PredictionRecord) -> dict:
    return {
        "level": record.predicted_level,
        "label": ENERGY_LABELS[record.predicted_level],
        "probabilities": record.probabilities,
        "confidence": round(max(record.probabilities.values()), 3),
        "source": record.source,
        "model_version": record.model_version,
    }


def stale_user_ids() -> list[int]:
    """Users with enough logs whose model is missing, broken or older than their data."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max

    users = (
        get_user_model()
        .objects.annotate(
            logs=Count("moods", distinct=True),
            latest_mood=Max("moods__updated_at"),
            latest_period=Max("periods__updated_at"),
        )
        .filter(logs__gte=ml.MIN_SAMPLES)
        .select_related("energy_model", "profile")
    )
    stale = []
    for user in users:
        row = getattr(user, "energy_model", None)
        if row is None or not row.is_trained or not row.data_fingerprint:
            stale.append(user.pk)
            continue
        if row.format_version != ml.FORMAT_VERSION or row.sklearn_version != sklearn.__version__:
            stale.append(user.pk)  # an upgrade: its file will be refused
            continue
        profile = getattr(user, "profile", None)
        changes = [user.latest_mood, user.latest_period, profile.updated_at if profile else None]
        if any(change and change > row.trained_at for change in changes):
            stale.append(user.pk)
    return stale


def energy_logs_needed(*, user) -> int:
    data = cycle_services.cycle_data_load(user=user)
    return ml.logs_needed(training_samples(user=user, data=data))


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
    if trained and energy_model_discarded(row):
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


def prediction_history_summary(*, user) -> dict:
    """How often the recorded predictions matched what she then logged."""
    actual = DailyMood.objects.filter(user=OuterRef("user"), date=OuterRef("date")).values(
        "energy_level"
    )[:1]
    evaluated = (
        PredictionRecord.objects.for_user(user)
        .annotate(actual_level=Subquery(actual))
        .filter(actual_level__isnull=False)
        .aggregate(
            evaluated=Count("pk"),
            correct=Count("pk", filter=Q(actual_level=F("predicted_level"))),
        )
    )
    count = evaluated["evaluated"]
    return {
        "evaluated": count,
        "accuracy": round(evaluated["correct"] / count, 3) if count else None,
    }


# --- Account export and deletion -------------------------------------------------------


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
