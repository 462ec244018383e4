import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.timezone import now

from predictions import services
from predictions.seeding import history_store
from predictions.synthetic import make_user_history

DEMO_PASSWORD = "planher-demo-2026"


def demo_email(number: int) -> str:
    return f"demo{number}@planher.test"


class Command(BaseCommand):
    help = (
        "Create realistic demo users (varied cycles, energy that depends on the cycle plus "
        "noise, some days missing) and train their models. Idempotent: the same arguments "
        "give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=3, help="How many demo users (3).")
        parser.add_argument("--days", type=int, default=180, help="Days of history each (180).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")

    def handle(self, *args, users, days, seed, **options):
        today = now().date()
        for number in range(1, users + 1):
            self.seed_user(number, days=days, seed=seed, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {users} demo user(s). Log in with {demo_email(1)} / {DEMO_PASSWORD}"
            )
        )

    def seed_user(self, number: int, *, days: int, seed: int, today) -> None:
        rng = random.Random(f"{seed}:{number}")
        user, created = get_user_model().objects.get_or_create(
            email=demo_email(number), defaults={"name": f"Demo {number}"}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # Her last logged day is yesterday, so today's energy is still to log.
        history = make_user_history(rng, days=days, today=today - timedelta(days=1))
        history_store(user=user, history=history)
        outcome = services.energy_model_retrain(user=user)
        self.stdout.write(f"{user.email}: {len(history.levels)} logs, model {outcome.status}")
