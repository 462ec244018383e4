"""A training queued for later: after her change commits, never in the request.

A change to her moods, periods or profile queues one training a few seconds
later (a burst of changes queues one). With a broker, a Celery worker runs it
(``predictions.tasks``) and a nightly sweep catches anything missed. Without a
broker, this process runs it on a background thread (``core.background``).
Either way the job calls ``training.retrain``, whose claim keeps two workers or
processes from training her at once.

The Celery task is sent by name, so this module does not import ``tasks``
(which imports it, for the sweep).
"""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils.timezone import now

from core import background

from . import ml, training
from .models import EnergyModel

logger = logging.getLogger(__name__)

RETRAIN_TASK = "predictions.tasks.retrain_user_model"
LOCK_RETRY_SECONDS = 15
# A job that finds her claimed looks again for longer than a claim can last.
LOCK_RETRIES = training.LOCK_SECONDS // LOCK_RETRY_SECONDS + 10
# Without a broker: tries of a training that meets database errors, and the
# wait before the next one (times the number of tries so far).
IN_PROCESS_ATTEMPTS = 4
IN_PROCESS_BACKOFF_SECONDS = 10


def runs_in_background() -> bool:
    """True when a broker carries tasks to Celery workers; False when this
    process runs them (on its background thread, see ``retrain_later``)."""
    return not current_app.conf.task_always_eager


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
    # A mark older than the claim is left by a task that was lost (broker restart,
    # retries exhausted): queue again rather than wait for it forever.
    lost = now() - timedelta(seconds=training.LOCK_SECONDS)
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


def queue_retrain_on_change(user) -> None:
    """Change listener: her data changed; retrain once she has enough logs.

    On every write of hers, so it is cheap when she is already queued (one
    UPDATE that matches nothing, one EXISTS) or marked now (one UPDATE).
    """
    queue_retrain(user, if_enough_logs=True)


def retrain_later(user_id: int, countdown: float) -> None:
    """Hand her training to a Celery worker, or without a broker to this
    process's background thread: never to the request that asked for it."""
    if runs_in_background():
        send_to_worker(user_id, countdown)
    else:
        background.runner.submit(retrain_in_process, user_id, delay=countdown)


def send_to_worker(user_id: int, countdown: float) -> None:
    current_app.send_task(RETRAIN_TASK, (user_id,), countdown=countdown)


def retrain_in_process(user_id: int, attempt: int = 1) -> str:
    """The training job of the background thread (no broker).

    The one that finds her claimed (another process trains her) looks again
    later. Database errors (SQLite busy beyond its timeout) are retried a few
    times with backoff.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "gone"
    try:
        outcome = training.retrain(user)
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
        return "failed"  # logged and recorded on her row by training.retrain
    if outcome.status == "busy" and attempt < LOCK_RETRIES:
        background.runner.submit(retrain_in_process, user_id, attempt + 1, delay=LOCK_RETRY_SECONDS)
    return outcome.status
