"""Celery tasks: thin wrappers around ``training`` and ``queueing``.

Queueing a training (and running it without a broker) is
``predictions.queueing``; the training itself is ``training.retrain``.
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from . import queueing, training

logger = logging.getLogger(__name__)


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
    outcome = training.retrain(user, force=force, owner=self.request.id)
    if outcome.status == "busy":
        # Another worker trains her now; look again once it is done.
        raise self.retry(countdown=queueing.LOCK_RETRY_SECONDS, max_retries=queueing.LOCK_RETRIES)
    return outcome.status


@shared_task
def retrain_stale_models() -> int:
    """The nightly sweep: queue every user whose model is missing or behind her data."""
    users = get_user_model().objects.filter(pk__in=training.stale_user_ids())
    queued = 0
    for user in users.iterator():
        with transaction.atomic():
            queued += queueing.queue_retrain(user, countdown=0)
    logger.info("nightly sweep queued %d retraining(s)", queued)
    return queued
