"""How her model is trained: ``retrain`` is the one entry point.

The API, the admin action, the ``retrain_models`` command, the Celery task and
the background thread all call ``retrain``: it claims her training (so two
workers or processes never train her at once), trains if her data changed,
records a failure on her row, and releases the claim whatever happens.
Queueing a training for later is ``predictions.queueing``.
"""

import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sklearn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Count, Max, Q
from django.utils.timezone import now

from core.userdata import user_answers_expire
from cycles import services as cycle_services

from . import lifecycle, ml
from .models import EnergyModel
from .samples import position_key, training_fingerprint, training_samples

logger = logging.getLogger(__name__)

# Positions precomputed at training time: the recent past she may look back on
# and the days she is about to live through (predicted cycles repeat positions,
# so the table holds a few hundred entries at most).
TABLE_PAST_DAYS = 60
TABLE_FUTURE_DAYS = 120

# The claim outlives any run (the task time limit) by a margin; a task that finds
# it held retries for longer than that, so a claim left by a killed worker
# delays her training but never cancels it.
LOCK_SECONDS = settings.CELERY_TASK_TIME_LIMIT + 60


@dataclass(frozen=True)
class RetrainOutcome:
    # "trained" | "skipped" (nothing changed) | "insufficient" | "busy" (another
    # worker or process trains her now)
    status: str
    model: EnergyModel | None
    logs_needed: int = 0


# --- The one retrain ------------------------------------------------------------------


def retrain(user, *, force: bool = False, owner: str | None = None) -> RetrainOutcome:
    """Claim her training, train her if her data changed (or ``force``), record a
    failure on her row, release the claim. ``owner``: the Celery task id (see
    ``training_claim``). Database errors are raised unrecorded: they are transient
    and the caller retries them."""
    with training_claim(user, owner=owner) as claimed:
        if not claimed:
            return RetrainOutcome("busy", EnergyModel.objects.filter(user=user).first())
        try:
            outcome = energy_model_retrain(user=user, force=force)
        except DatabaseError:
            raise
        except Exception as error:
            logger.exception("training the energy model of user %s failed", user.pk)
            energy_model_record_failure(user=user, error=error)
            raise
        if outcome.status == "trained":
            row = outcome.model
            logger.info(
                "trained the energy model of user %s: version %s on %s logs, serving %s",
                user.pk,
                row.version,
                row.n_samples,
                "the model" if row.serves_model else "the fallback",
            )
        return outcome


@contextmanager
def training_lock(user_id: int, owner: str | None = None):
    """Held by the one worker training her; shared through the cache (Redis in
    production, so it spans workers and machines).

    ``owner`` is the task id: a task redelivered after its worker was killed
    mid-training keeps its id, finds its own lock and takes it back at once.
    """
    key = f"predictions:training-lock:{user_id}"
    owner = owner or uuid.uuid4().hex
    acquired = cache.add(key, owner, timeout=LOCK_SECONDS)
    if not acquired and cache.get(key) == owner:
        cache.set(key, owner, timeout=LOCK_SECONDS)
        acquired = True
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(key)


@contextmanager
def training_claim(user, *, owner: str | None = None):
    """Her training, claimed: the cache lock, then her row marked as being trained.

    Without a broker each process may have its own cache, so her row is the lock
    that spans processes: it is claimed only where no training is marked (or where
    the mark was left by a process that died). A Celery task (``owner`` given)
    holds the shared lock already, so a mark on her row is its own, left by its
    killed predecessor: it takes the row over. From the claim on, new changes
    queue a new training rather than join this one.
    """
    with training_lock(user.pk, owner) as locked:
        if not locked:
            yield False
            return
        rows = EnergyModel.objects.filter(user=user)
        free = Q()
        if owner is None:
            lost = now() - timedelta(seconds=LOCK_SECONDS)
            free = Q(training_started_at__isnull=True) | Q(training_started_at__lt=lost)
        claimed = rows.filter(free).update(training_queued_at=None, training_started_at=now())
        if not claimed and rows.exists():
            yield False
            return
        try:
            yield True
        finally:
            rows.update(training_started_at=None)


# --- Training ---------------------------------------------------------------------------


def energy_model_retrain(*, user, force: bool = False) -> RetrainOutcome:
    """Train her model if her data changed (or ``force``), unclaimed and unrecorded:
    call ``retrain`` instead, except in tests and benchmarks of the training itself.

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
    positions = data.positions(days, on=today)
    distinct = {position_key(p): p for p in positions.values() if p is not None}
    if not distinct:
        return {}
    points = list(distinct.values())
    if result.serves_model:
        probabilities = ml.predict_probabilities(result.estimator, points)
    else:
        probabilities = ml.fallback_probabilities(samples, points)
    return dict(zip(distinct, probabilities, strict=True))


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


def energy_logs_needed(*, user) -> int:
    data = cycle_services.cycle_data_load(user=user)
    return ml.logs_needed(training_samples(user=user, data=data))


# --- The stale sweep ------------------------------------------------------------------


def stale_user_ids() -> list[int]:
    """Users with enough logs whose model is missing, broken or older than their data."""
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
