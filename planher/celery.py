"""The Celery app. Without CELERY_BROKER_URL no task goes through Celery: the
callers hand them to this process's background thread (``core.background``;
``predictions.queueing.retrain_later``), so nothing opens a broker connection (nor
logs kombu's "No hostname was supplied")."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planher.settings")

app = Celery("planher")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
