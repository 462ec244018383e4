"""The Celery task of an import (with a broker; without one the background
thread runs ``services.import_run_job``)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_import(import_id: int) -> str:
    record = services.import_run(import_id=import_id)
    return record.status if record is not None else "gone"
