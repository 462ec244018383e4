"""The Celery beat task that sends due reminders (``REMINDERS_EVERY_SECONDS``)."""

from celery import shared_task
from django.utils.timezone import now

from .dispatch import reminders_send


@shared_task
def send_due_reminders() -> str:
    return str(reminders_send(at=now()))
