"""Celery tasks of accounts (scheduled by beat, ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def flush_expired_tokens() -> None:
    """Drop refresh tokens past their expiry from the blacklist tables: they are
    refused by their ``exp`` anyway, and the rows name her."""
    call_command("flushexpiredtokens")
