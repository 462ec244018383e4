import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports import services
from imports.models import Import
from imports.parsers import FORMATS


class Command(BaseCommand):
    help = (
        "Import a history file (drip, Clue, Flo, Apple Health, Ovumcy, PlanHer) into a "
        "user's account, in this process: the same rules as POST /imports/ (all or nothing, "
        "her entries kept). The file is read, not deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", metavar="EMAIL", required=True, help="Her account.")
        parser.add_argument("file", type=Path, help="The export file.")
        parser.add_argument(
            "--format", choices=FORMATS, help="The app that wrote it (detected when absent)."
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        user = get_user_model().objects.filter(email__iexact=options["user"]).first()
        if user is None:
            raise CommandError(f"No user with email {options['user']}.")
        size = path.stat().st_size
        record = Import.objects.create(
            user=user,
            requested_format=options["format"] or "",
            filename=path.name[:255],
            size_bytes=size,
        )
        started = time.monotonic()
        record = services.import_run(
            import_id=record.pk, path=path, progress=lambda done: self.progress(done, size)
        )
        seconds = time.monotonic() - started
        for problem in record.errors:
            self.stderr.write(f"{problem['record']}: {problem['message']}")
        summary = self.summary(record, seconds=seconds)
        if record.status != Import.Status.DONE:
            raise CommandError(summary)
        style = self.style.WARNING if record.error_count else self.style.SUCCESS
        self.stdout.write(style(summary))

    @staticmethod
    def summary(record: Import, *, seconds: float) -> str:
        """``import 7 done (apple_health): created 12 periods, 0 moods, 340 signs;
        skipped 0 periods, 0 moods, 2 signs; 1 record left out in 4.2s``"""

        def counts(values: dict) -> str:
            return ", ".join(f"{values.get(key, 0)} {key}" for key in ("periods", "moods", "signs"))

        left_out = record.error_count if record.status == Import.Status.DONE else 0
        return (
            f"import {record.pk} {record.status} ({record.format or 'format unknown'}): "
            f"created {counts(record.created)}; skipped {counts(record.skipped)}; "
            f"{left_out} record{'' if left_out == 1 else 's'} left out in {seconds:.1f}s"
        )

    def progress(self, done: int, total: int) -> None:
        """A plain bar on stdout, for a person at a terminal only (not in logs or pipes)."""
        if not total or not self.stdout.isatty():
            return
        width = 30
        filled = min(width, width * done // total)
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done // 1024**2}/{total // 1024**2} MB", ending="")
        self.stdout.flush()
