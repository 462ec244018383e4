import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.timezone import now

from predictions import training
from predictions.seeding import history_store
from predictions.synthetic import make_user_history

DEMO_PASSWORD = "planher-demo-2026"


def demo_email(number: int) -> str:
    return f"demo{number}@planher.test"


class Command(BaseCommand):
    help = (
        "Create realistic demo users (varied cycles, energy that depends on the cycle plus "
        "noise, some days missing) and train their models. Idempotent: demo users who "
        "already exist are kept as they are, with their data; --reset recreates them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=3, help="How many demo users (3).")
        parser.add_argument("--days", type=int, default=180, help="Days of history each (180).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the existing demo users' periods, moods and predictions and "
            "seed them afresh (their password too).",
        )

    def handle(self, *args, users, days, seed, reset, **options):
        today = now().date()
        created = 0
        for number in range(1, users + 1):
            created += self.seed_user(number, days=days, seed=seed, today=today, reset=reset)
        kept = f", kept {users - created} as they were" if users - created else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {created} demo user(s){kept}. "
                f"Log in with {demo_email(1)} / {DEMO_PASSWORD}"
            )
        )

    def seed_user(self, number: int, *, days: int, seed: int, today, reset: bool) -> bool:
        """Creates her (or, with ``reset``, recreates her data); True when seeded."""
        user, created = get_user_model().objects.get_or_create(
            email=demo_email(number), defaults={"name": f"Demo {number}"}
        )
        if not created and not reset:
            self.keep_user(user)
            return False
        if not created:
            self.stdout.write(
                self.style.WARNING(
                    f"{user.email}: --reset deletes her periods, moods and predictions "
                    "and seeds her afresh"
                )
            )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        rng = random.Random(f"{seed}:{number}")
        # Her last logged day is yesterday, so today's energy is still to log.
        history = make_user_history(rng, days=days, today=today - timedelta(days=1))
        history_store(user=user, history=history)
        outcome = training.retrain(user)
        self.stdout.write(f"{user.email}: {len(history.levels)} logs, model {outcome.status}")
        return True

    def keep_user(self, user) -> None:
        """A demo user who exists keeps her data and password: someone may be using her."""
        outcome = training.retrain(user)  # only if her data changed
        self.stdout.write(
            f"{user.email}: exists, kept as she is ({user.moods.count()} logs, "
            f"{user.periods.count()} periods, model {outcome.status}); "
            "`seed --reset` seeds her afresh"
        )
        if not user.check_password(DEMO_PASSWORD):
            self.stdout.write(
                self.style.WARNING(
                    f"{user.email}: her password is no longer {DEMO_PASSWORD}; "
                    "`seed --reset` restores it"
                )
            )
