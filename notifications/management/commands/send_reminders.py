from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import is_naive, now

from notifications.dispatch import reminders_send


def instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--at {text!r}: write an ISO-8601 instant, e.g. 2026-03-29T09:05Z"
        ) from None
    if is_naive(value):
        raise CommandError(f"--at {text!r}: give its offset (Z or +01:00): times are instants")
    return value


class Command(BaseCommand):
    help = (
        "Send the reminders due at an instant (default now): each at most once per user, "
        "kind and day, in her time zone; a reminder whose time passed earlier in her day "
        "is caught up, never the next day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", type=instant, help="ISO-8601 instant with its offset")

    def handle(self, *args, at=None, **options):
        summary = reminders_send(at=at or now())
        self.stdout.write(str(summary))
