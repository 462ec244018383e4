"""An import, from the upload to her rows: stored until its task runs, read by
the format's parser (``imports.parsers``, pure), checked against her today and
PlanHer's ranges, and written in one transaction under her write lock.

All or nothing: a file that cannot be read, or a write that fails, leaves her
data as it was (the import is ``failed`` with the reason). Her own entries are
never overwritten: a period that shares a day with one of hers, or a day she
already logged, is skipped and counted. So importing the same file again
creates nothing. Records PlanHer cannot keep (a future date, a value out of
range) are named one by one in ``errors`` and left out; the rest is imported.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils.timezone import now

from core import background
from core.views import user_write_lock
from core.vocabulary import MAX_PERIOD_DAYS
from cycles.models import Period
from moods.models import DailyMood
from signs.models import Sign

from . import parsers
from .models import MAX_ERRORS_KEPT, Import, no_counts

logger = logging.getLogger(__name__)

RUN_TASK = "imports.tasks.run_import"
BATCH_SIZE = 500
UPLOAD_CHUNK = 1024 * 1024
# A claim older than this was left by a worker that died mid-import: taken over.
STALE_RUN = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


# --- Upload and queue ----------------------------------------------------------------


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def import_create(*, user, upload, requested_format: str = "") -> Import:
    """Keep the upload where its task finds it (under MEDIA_ROOT, readable by
    this user only) and queue the import once the row is committed."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.upload"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stored:
            for chunk in upload.chunks(UPLOAD_CHUNK):
                stored.write(chunk)
        with transaction.atomic():
            record = Import.objects.create(
                user=user,
                requested_format=requested_format or "",
                filename=(upload.name or "")[:255],
                size_bytes=upload.size or 0,
                upload=path.name,
            )
            transaction.on_commit(lambda: queue_import(record.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return record


def queue_import(import_id: int) -> None:
    """A Celery worker runs it when a broker is configured; else this
    process's background thread (never the request)."""
    from celery import current_app

    if not current_app.conf.task_always_eager:
        current_app.send_task(RUN_TASK, (import_id,))
    else:
        background.runner.submit(import_run_job, import_id)


def import_run_job(import_id: int) -> str:
    """Run it; its status, or "gone" (her account deleted, or run by another worker)."""
    record = import_run(import_id=import_id)
    return record.status if record is not None else "gone"


# --- Running one import ----------------------------------------------------------------


class ProgressFile:
    """A binary file that reports how far it has been read."""

    def __init__(self, raw, progress):
        self._raw, self._progress = raw, progress

    def read(self, size=-1):
        data = self._raw.read(size)
        self._progress(self._raw.tell())
        return data

    def __getattr__(self, name):
        return getattr(self._raw, name)


def import_run(*, import_id: int, path: Path | None = None, progress=None) -> Import:
    """Run one queued import: read the file (its stored upload, or ``path``
    for an operator's file, which is left in place), write what it holds and
    record the outcome. Never raises for a bad file: the row says why."""
    stale = now() - STALE_RUN
    claimed = (
        Import.objects.filter(pk=import_id)
        .filter(
            Q(status=Import.Status.QUEUED) | Q(status=Import.Status.RUNNING, started_at__lt=stale)
        )
        .update(status=Import.Status.RUNNING, started_at=now())
    )
    record = Import.objects.select_related("user").filter(pk=import_id).first()
    if record is None or not claimed:
        return record  # gone with her account, or run by another worker
    stored = upload_dir() / record.upload if record.upload else None
    try:
        history_format, history = read_file(path or stored, record.requested_format, progress)
        history = parsers.validated(history, today=record.user.local_today())
        created, skipped = history_save(user=record.user, history=history)
    except parsers.UnreadableFile as error:
        finish(record, Import.Status.FAILED, problems=[parsers.Problem("file", str(error))])
    except Exception as error:  # nothing was written: she is told why, and we log it
        message = failure_message(import_id, error)
        finish(record, Import.Status.FAILED, problems=[parsers.Problem("file", message)])
    else:
        record.format = history_format
        finish(
            record, Import.Status.DONE, problems=history.problems, created=created, skipped=skipped
        )
    finally:
        if stored is not None:
            stored.unlink(missing_ok=True)
    return record


def read_file(path: Path | None, requested_format: str, progress) -> tuple[str, parsers.History]:
    try:
        if path is None:
            raise FileNotFoundError
        raw = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError:
        raise parsers.UnreadableFile(
            "The uploaded file is no longer here (the server restarted before the import "
            "ran): send it again."
        ) from None
    with raw:
        stream = ProgressFile(raw, progress) if progress else raw
        return parsers.parse(stream, requested_format or None)


def failure_message(import_id: int, error: Exception) -> str:
    """What she is told when writing her file failed (logged here, by kind)."""
    if isinstance(error, (IntegrityError, ValidationError)):
        logger.warning("import %s: refused by the database: %s", import_id, error)
        return (
            "It clashes with entries of yours written meanwhile: nothing was imported; "
            "send it again."
        )
    if isinstance(error, DatabaseError):
        logger.exception("import %s: database error", import_id, exc_info=error)
        return (
            "The database was not available: nothing was imported; send it again in a few minutes."
        )
    logger.exception("import %s failed", import_id, exc_info=error)
    return (
        "PlanHer could not finish this import (a fault on our side, logged): nothing was imported."
    )


def finish(record: Import, status, *, problems, created=None, skipped=None) -> None:
    record.status = status
    record.errors = [{"record": p.record, "message": p.message} for p in problems[:MAX_ERRORS_KEPT]]
    record.error_count = len(problems)
    record.created = created or no_counts()
    record.skipped = skipped or no_counts()
    record.finished_at = now()
    record.upload = ""
    record.save()


def last_day(start, end):
    """A period's last day; an open one may run ``MAX_PERIOD_DAYS`` (as the
    overlap rule of ``cycles.models.PeriodQuerySet.overlapping`` counts it)."""
    return end or start + timedelta(days=MAX_PERIOD_DAYS - 1)


def history_save(*, user, history: parsers.History) -> tuple[dict, dict]:
    """Write her records in one transaction, under her write lock (her API
    writes wait; her change is announced once: her model is retrained after the
    commit). What she already has is kept and counted as skipped."""
    created, skipped = no_counts(), no_counts()
    with user_write_lock(user):
        taken = [
            (start, last_day(start, end))
            for start, end in Period.objects.for_user(user).values_list("start_date", "end_date")
        ]
        new_periods = []
        for period in history.periods:
            last = last_day(period.start, period.end)
            if any(start <= last and period.start <= end for start, end in taken):
                skipped["periods"] += 1
                continue
            taken.append((period.start, last))
            new_periods.append(Period(user=user, start_date=period.start, end_date=period.end))
        Period.objects.bulk_create(new_periods, batch_size=BATCH_SIZE)
        created["periods"] = len(new_periods)

        for key, model, records, fields in (
            ("moods", DailyMood, history.moods, ("energy_level", "notes")),
            ("signs", Sign, history.signs, ("bbt_celsius", "lh_test", "cervical_mucus", "notes")),
        ):
            logged = set(model.objects.for_user(user).values_list("date", flat=True))
            rows = []
            for item in records:
                if item.date in logged:
                    skipped[key] += 1
                    continue
                logged.add(item.date)
                rows.append(
                    model(user=user, date=item.date, **{f: getattr(item, f) for f in fields})
                )
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            created[key] = len(rows)
    return created, skipped


# --- Her export and deletion -----------------------------------------------------------


def imports_export(user) -> list[dict]:
    return [
        {
            "id": record.pk,
            "status": record.status,
            "format": record.format or None,
            "filename": record.filename,
            "created": record.created,
            "skipped": record.skipped,
            "errors": record.errors,
            "created_at": record.created_at.isoformat(),
            "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        }
        for record in Import.objects.for_user(user).order_by("created_at")
    ]


def imports_before_delete(user):
    """Uploads still waiting for their task go once her deletion commits."""
    names = [n for n in Import.objects.for_user(user).values_list("upload", flat=True) if n]

    def remove():
        for name in names:
            (upload_dir() / name).unlink(missing_ok=True)

    return remove if names else None
