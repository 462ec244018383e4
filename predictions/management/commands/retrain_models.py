import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from predictions import services


class Command(BaseCommand):
    help = (
        "Retrain users' energy models in this process (the same function as "
        "POST /predictions/retrain). Default: --stale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", metavar="EMAIL", help="Only this user.")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--stale", action="store_true", help="Users whose model is missing or behind (default)."
        )
        which.add_argument("--all", action="store_true", help="Every user.")
        parser.add_argument(
            "--force", action="store_true", help="Train even when her data has not changed."
        )

    def handle(self, *args, **options):
        users = self.select_users(options)
        started = time.monotonic()
        counts = {"trained": 0, "skipped": 0, "failed": 0}
        total = len(users)
        for index, user in enumerate(users, start=1):
            counts[self.retrain_one(user, force=options["force"])] += 1
            self.progress(index, total)
        seconds = time.monotonic() - started
        summary = (
            f"trained {counts['trained']}, skipped {counts['skipped']}, "
            f"failed {counts['failed']} in {seconds:.1f}s"
        )
        if counts["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def select_users(self, options):
        users = get_user_model().objects.order_by("pk")
        if options["user"]:
            users = users.filter(email__iexact=options["user"])
            if not users.exists():
                raise CommandError(f"No user with email {options['user']}.")
            return list(users)
        if options["all"]:
            return list(users)
        return list(users.filter(pk__in=services.stale_user_ids()))

    def retrain_one(self, user, *, force: bool) -> str:
        """'trained', 'skipped' (unchanged or too few logs) or 'failed'."""
        try:
            outcome = services.energy_model_retrain(user=user, force=force)
        except Exception as error:  # one user's failure must not stop the others
            services.energy_model_record_failure(user=user, error=error)
            self.stderr.write(f"\n{user.email}: {type(error).__name__}: {error}")
            return "failed"
        return "trained" if outcome.status == "trained" else "skipped"

    def progress(self, index: int, total: int) -> None:
        if not total:
            return
        width = 30
        filled = width * index // total
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if index == total else ""
        stream = self.stderr if sys.stderr.isatty() else None
        if stream is not None:
            stream.write(f"\r[{bar}] {index}/{total}", ending=end)
