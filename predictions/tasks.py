"""Background retraining. Every path ends in ``services.energy_model_retrain``.

A change to her moods, periods or profile queues one training a few seconds
later (a burst of changes queues one). With a broker, a Celery worker runs it,
a lock keeps two workers from training her at once, and a nightly sweep
catches anything missed. Without a broker, this process runs it on a
background thread (``core.background``), never in the request: her model
row, marked as being trained, keeps two processes from training her at once.
"""

import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils.timezone import now

from core import background

from . import ml, services
from .models import EnergyModel

logger = logging.getLogger(__name__)

# The lock outlives any run (the task time limit) by a margin; a task that finds
# it held retries for longer than that, so a lock left by a killed worker
# delays her training but never cancels it.
LOCK_SECONDS = settings.CELERY_TASK_TIME_LIMIT + 60
LOCK_RETRY_SECONDS = 15
LOCK_RETRIES = LOCK_SECONDS // LOCK_RETRY_SECONDS + 10
# Without a broker: tries of a training that meets database errors, and the
# wait before the next one (times the number of tries so far).
IN_PROCESS_ATTEMPTS = 4
IN_PROCESS_BACKOFF_SECONDS = 10


def runs_in_background() -> bool:
    """True when a broker carries tasks to Celery workers; False when this
    process runs them (on its background thread, see ``retrain_later``)."""
    return not retrain_user_model.app.conf.task_always_eager


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


def queue_retrain(user, *, countdown: int | None = None, if_enough_logs: bool = False) -> bool:
    """Queue one training of her model after the current transaction commits.

    Returns False when one is already waiting: the queued task will read her
    data when it starts, changes of this burst included. ``if_enough_logs``:
    a user with no model row yet is queued only once she has enough logs (a
    row means she had them; should deletions take her below, the task answers
    "insufficient").
    """
    if countdown is None:
        countdown = settings.RETRAIN_DELAY_SECONDS
    # A mark older than the lock is left by a task that was lost (broker restart,
    # retries exhausted): queue again rather than wait for it forever.
    lost = now() - timedelta(seconds=LOCK_SECONDS)
    marked = (
        EnergyModel.objects.filter(user=user)
        .filter(Q(training_queued_at__isnull=True) | Q(training_queued_at__lt=lost))
        .update(training_queued_at=now())
    )
    if not marked and not EnergyModel.objects.filter(user=user).exists():
        if if_enough_logs and user.moods.count() < ml.MIN_SAMPLES:
            return False
        try:
            with transaction.atomic():
                _, marked = EnergyModel.objects.get_or_create(
                    user=user, defaults={"training_queued_at": now()}
                )
        except IntegrityError:  # created by a concurrent request: it queued the task
            marked = False
    if marked:
        user_id = user.pk
        transaction.on_commit(lambda: retrain_later(user_id, countdown))
    return bool(marked)


def retrain_later(user_id: int, countdown: float) -> None:
    """Hand her training to a Celery worker, or without a broker to this
    process's background thread: never to the request that asked for it."""
    if runs_in_background():
        retrain_user_model.apply_async((user_id,), countdown=countdown)
    else:
        background.runner.submit(retrain_in_process, user_id, delay=countdown)


def queue_retrain_on_change(user) -> None:
    """Change listener: her data changed; retrain once she has enough logs.

    On every write of hers, so it is cheap when she is already queued (one
    UPDATE that matches nothing, one EXISTS) or marked now (one UPDATE).
    """
    queue_retrain(user, if_enough_logs=True)


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def retrain_user_model(self, user_id: int, force: bool = False) -> str:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "gone"
    with training_lock(user_id, owner=self.request.id) as acquired:
        if not acquired:
            # Another worker trains her now; look again once it is done.
            raise self.retry(countdown=LOCK_RETRY_SECONDS, max_retries=LOCK_RETRIES)
        # From here on, new changes queue a new task rather than join this one.
        EnergyModel.objects.filter(user=user).update(
            training_queued_at=None, training_started_at=now()
        )
        return train_marked(user, force=force)


def train_marked(user, *, force: bool = False) -> str:
    """Train her, her row already marked as being trained; record a failure;
    unmark her whatever happens."""
    try:
        outcome = services.energy_model_retrain(user=user, force=force)
    except DatabaseError:
        raise  # transient: retried with backoff
    except Exception as error:
        logger.exception("training the energy model of user %s failed", user.pk)
        services.energy_model_record_failure(user=user, error=error)
        raise
    finally:
        EnergyModel.objects.filter(user=user).update(training_started_at=None)
    return outcome.status


def retrain_in_process(user_id: int, attempt: int = 1) -> str:
    """The training job of the background thread (no broker).

    Her row is the lock: the job claims it by setting ``training_started_at``
    where none is set (or where it was left by a process that died), so two
    processes never train her at once; the one that finds her claimed looks
    again later. Database errors (SQLite busy beyond its timeout) are retried
    a few times with backoff.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "gone"
    try:
        lost = now() - timedelta(seconds=LOCK_SECONDS)
        rows = EnergyModel.objects.filter(user=user)
        claimed = rows.filter(
            Q(training_started_at__isnull=True) | Q(training_started_at__lt=lost)
        ).update(training_queued_at=None, training_started_at=now())
        if not claimed and rows.exists():
            if attempt < LOCK_RETRIES:
                background.runner.submit(
                    retrain_in_process, user_id, attempt + 1, delay=LOCK_RETRY_SECONDS
                )
            return "busy"
        return train_marked(user)
    except DatabaseError:
        if attempt >= IN_PROCESS_ATTEMPTS:
            logger.exception("training the energy model of user %s: giving up", user_id)
            return "failed"
        logger.warning("training the energy model of user %s: retrying", user_id, exc_info=True)
        background.runner.submit(
            retrain_in_process, user_id, attempt + 1, delay=IN_PROCESS_BACKOFF_SECONDS * attempt
        )
        return "retrying"
    except Exception:
        return "failed"  # logged and recorded on her row by train_marked


@shared_task
def retrain_stale_models() -> int:
    """The nightly sweep: queue every user whose model is missing or behind her data."""
    users = get_user_model().objects.filter(pk__in=services.stale_user_ids())
    queued = 0
    for user in users.iterator():
        with transaction.atomic():
            queued += queue_retrain(user, countdown=0)
    logger.info("nightly sweep queued %d retraining(s)", queued)
    return queued
