import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from predictions import training


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
        counts = dict.fromkeys(["trained", "skipped", "insufficient", "busy", "failed"], 0)
        total = len(users)
        for index, user in enumerate(users, start=1):
            counts[self.retrain_one(user, force=options["force"])] += 1
            self.progress(index, total)
        summary = self.summary(counts, seconds=time.monotonic() - started)
        if counts["failed"]:
            raise CommandError(summary)
        # Too few logs is no fault, but those users get no model: worth a look.
        style = self.style.WARNING if counts["insufficient"] else self.style.SUCCESS
        self.stdout.write(style(summary))

    @staticmethod
    def summary(counts: dict[str, int], *, seconds: float) -> str:
        """``trained 2, skipped 6 (4 unchanged since their last training, 2 with too
        few logs), failed 0 in 1.2s``: every skip says why."""
        busy = counts.get("busy", 0)
        skipped = counts["skipped"] + counts["insufficient"] + busy
        reasons = [
            f"{counts['skipped']} unchanged since their last training" if counts["skipped"] else "",
            f"{counts['insufficient']} with too few logs" if counts["insufficient"] else "",
            f"{busy} being trained elsewhere" if busy else "",
        ]
        why = ", ".join(reason for reason in reasons if reason)
        return (
            f"trained {counts['trained']}, skipped {skipped}{f' ({why})' if why else ''}, "
            f"failed {counts['failed']} in {seconds:.1f}s"
        )

    def select_users(self, options):
        users = get_user_model().objects.order_by("pk")
        if options["user"]:
            users = users.filter(email__iexact=options["user"])
            if not users.exists():
                raise CommandError(f"No user with email {options['user']}.")
            return list(users)
        if options["all"]:
            return list(users)
        return list(users.filter(pk__in=training.stale_user_ids()))

    def retrain_one(self, user, *, force: bool) -> str:
        """'trained', 'skipped' (unchanged), 'insufficient' (too few logs), 'busy'
        (another worker trains her now) or 'failed' (recorded on her row)."""
        try:
            outcome = training.retrain(user, force=force)
        except Exception as error:  # one user's failure must not stop the others
            self.stderr.write(f"\n{user.email}: {type(error).__name__}: {error}")
            return "failed"
        return outcome.status

    def progress(self, index: int, total: int) -> None:
        """A plain bar on stdout, for a person at a terminal only (not in logs or pipes)."""
        if not total or not self.stdout.isatty():
            return
        width = 30
        filled = width * index // total
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {index}/{total}", ending="\n" if index == total else "")
        self.stdout.flush()
