"""Celery tasks: the mail jobs of ``accounts.mail``, when a broker is configured,
and the daily flush of expired refresh tokens (beat, ``CELERY_BEAT_SCHEDULE``).

A mail server that fails (refused, timed out, a 4xx answer: smtplib's errors
are OSErrors) is tried again with backoff.
"""

from celery import shared_task
from django.core.management import call_command

from . import mail

RETRIES = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RETRIES)
def send_password_reset(email: str) -> str:
    return mail.send_password_reset(email)


@shared_task(**RETRIES)
def send_verification(user_id: int) -> str:
    return mail.send_verification(user_id)


@shared_task
def flush_expired_tokens() -> None:
    """Drop refresh tokens past their expiry from the blacklist tables: they are
    refused by their ``exp`` anyway, and the rows name her."""
    call_command("flushexpiredtokens")
