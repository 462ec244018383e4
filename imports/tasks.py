"""The Celery task of an import (with a broker; without one the background
thread runs ``services.import_run_job``)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_import(import_id: int) -> str:
    return services.import_run_job(import_id)
