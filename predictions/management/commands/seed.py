import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.timezone import now

from predictions import training
from predictions.seeding import history_replay
from predictions.synthetic import early_cycle_rule, make_signs, make_user_history

DEMO_PASSWORD = "planher-demo-2026"
# The days at the end of her history replayed one by one (served, then logged).
MAX_REPLAY_DAYS = 60


@dataclass(frozen=True)
class Persona:
    name: str
    story: str
    history: dict  # make_user_history's options
    signs: bool  # she charts her temperature, LH tests and mucus


# Demo users take these in turn (demo4 is demo1's kind again, and so on).
PERSONAS = (
    Persona(
        "Demo 1 (energy by day of cycle)",
        "high on days 6-10 and low after day 20: a pattern phases alone cannot express, "
        "so her forest serves",
        {"cycle_effect": 1.6, "rule": early_cycle_rule},
        signs=True,
    ),
    Persona(
        "Demo 2 (energy by phase)",
        "low in her period and late luteal days, high around ovulation",
        {"cycle_effect": 1.6},
        signs=True,
    ),
    Persona(
        "Demo 3 (no cycle effect)",
        "energy that does not follow her cycle",
        {"cycle_effect": 0.0},
        signs=False,
    ),
)


def persona_of(number: int) -> Persona:
    return PERSONAS[(number - 1) % len(PERSONAS)]


def demo_email(number: int) -> str:
    return f"demo{number}@planher.test"


class Command(BaseCommand):
    help = (
        "Create realistic demo users (varied cycles; energy that follows the day of her "
        "cycle, her phases, or nothing; signs for some; some days missing), replay their "
        "last days (up to 60) through the code that serves /predictions/current, so their "
        "history holds what was served and what they then logged, and train their models. "
        "Idempotent: demo users who already exist are kept as they are, with their data; "
        "--reset recreates them."
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
        persona = persona_of(number)
        user, created = get_user_model().objects.get_or_create(
            email=demo_email(number), defaults={"name": persona.name, "is_demo": True}
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
        user.name, user.is_demo = persona.name, True
        user.save(update_fields=["password", "name", "is_demo"])
        rng = random.Random(f"{seed}:{number}")
        # Her last logged day is yesterday, so today's energy is still to log.
        history = make_user_history(
            rng, days=days, today=today - timedelta(days=1), **persona.history
        )
        signs = make_signs(rng, history) if persona.signs else None
        served = history_replay(
            user=user,
            history=history,
            signs=signs,
            replay_days=min(MAX_REPLAY_DAYS, days // 2),
        )
        outcome = training.retrain(user)
        serving = "the model" if outcome.model and outcome.model.serves_model else "the fallback"
        self.stdout.write(
            f"{user.email}: {persona.story}; {len(history.levels)} logs, "
            f"{len(signs or ())} days of signs, {served} days served and recorded, "
            f"model {outcome.status} (serving {serving})"
        )
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
