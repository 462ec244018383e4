"""PlanHer's Celery app for the fault checks, with time compressed on request.

Redis hands an unacknowledged task back to a worker only once its
``visibility_timeout`` has passed (kombu's default: one hour; PlanHer sets
900 s). With ``FAULTS_VISIBILITY_TIMEOUT`` set, the worker started by
``celery_kill.py --mode worker`` uses that many seconds instead, and
``FAULTS_LOCK_SECONDS`` shortens the training lock (600 s) in proportion, so
the check sees in a minute what production sees in an hour: the timeout still
outlasts the lock, as in production. Without these variables it is exactly
``planher.celery.app``.
"""

import os
import time

from celery import signals

from planher.celery import app

__all__ = ["app"]

VISIBILITY_TIMEOUT = os.environ.get("FAULTS_VISIBILITY_TIMEOUT")
LOCK_SECONDS = os.environ.get("FAULTS_LOCK_SECONDS")

if VISIBILITY_TIMEOUT:
    app.conf.broker_transport_options = {
        "visibility_timeout": int(VISIBILITY_TIMEOUT),
        # Look for expired messages every second rather than every ~100 s.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


def _shorten_lock(**kwargs):
    if LOCK_SECONDS:
        from predictions import training

        training.LOCK_SECONDS = int(LOCK_SECONDS)


TRAINING_SECONDS = os.environ.get("FAULTS_TRAINING_SECONDS")


def _stretch_training(**kwargs):
    """Make every training last at least FAULTS_TRAINING_SECONDS longer."""
    from predictions import ml

    if not TRAINING_SECONDS or getattr(ml.train, "stretched", False):
        return
    train = ml.train

    def stretched(*args, **options):
        time.sleep(float(TRAINING_SECONDS))
        return train(*args, **options)

    stretched.stretched = True
    ml.train = stretched


# In the main process before the pool forks, and in every pool child after.
signals.worker_init.connect(_shorten_lock, weak=False)
signals.worker_process_init.connect(_shorten_lock, weak=False)
signals.worker_init.connect(_stretch_training, weak=False)
signals.worker_process_init.connect(_stretch_training, weak=False)
