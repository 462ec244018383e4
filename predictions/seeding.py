"""Store a synthetic history (``synthetic.py``) as a user's rows: for demo
users (``manage.py seed``), tests and benchmarks."""

from decimal import Decimal

from django.db import transaction

from core.userdata import user_answers_expire
from cycles.models import Period, Profile
from moods.models import DailyMood

from .models import EnergyModel, PredictionRecord
from .synthetic import SyntheticHistory


def history_store(*, user, history: SyntheticHistory) -> None:
    """Replace her periods, moods and profile with the history's (idempotent)."""
    with transaction.atomic():
        Period.objects.filter(user=user).delete()
        DailyMood.objects.filter(user=user).delete()
        PredictionRecord.objects.filter(user=user).delete()
        EnergyModel.objects.filter(user=user).update(data_fingerprint="")
        Period.objects.bulk_create(
            Period(user=user, start_date=period.start, end_date=period.end)
            for period in history.periods
        )
        DailyMood.objects.bulk_create(
            DailyMood(user=user, date=day, energy_level=level)
            for day, level in sorted(history.levels.items())
        )
        profile = history.profile
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "height_cm": round(profile.height_cm),
                "weight_kg": Decimal(str(round(profile.weight_kg, 1))),
                "cycle_length": profile.cycle_length,
                "luteal_length": profile.luteal_length,
                "menses_length": profile.menses_length,
            },
        )
        user_answers_expire(user)
