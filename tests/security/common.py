"""What the security tests share: clients, and two people with data."""

from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from cycles.models import Period, Profile
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions.models import EnergyModel, PredictionRecord
from predictions.tests.factories import (
    EnergyModelFactory,
    PredictionRecordFactory,
)

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
STRONG = "a-much-better-passphrase-42"


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(client, email, password=PASSWORD):
    return client.post(f"{API}/auth/login", {"email": email, "password": password})


# --- Isolation: another user's ids and data -----------------------------------------------

# Each person's data, with markers that must never show in the other's answers.
PEOPLE = {
    "alice": {
        "notes": "alice-private-notes",
        "period_starts": [date(2026, 8, 31), date(2026, 9, 28), date(2026, 10, 26)],
        "mood_dates": [date(2026, 10, 1) + timedelta(days=n) for n in range(3)],
        "record_date": date(2026, 10, 4),
        "height_cm": 165,
        "model_version": 3,
    },
    "mallory": {
        "notes": "mallory-secret-notes",
        "period_starts": [date(2023, 3, 1), date(2023, 3, 31)],
        "mood_dates": [date(2023, 3, 10) + timedelta(days=n) for n in range(4)],
        "record_date": date(2023, 3, 20),
        "height_cm": 190,
        "model_version": 7,
    },
}


def give_data(person, spec):
    ProfileFactory(user=person, height_cm=spec["height_cm"], weight_kg="70.00")
    for start in spec["period_starts"]:
        PeriodFactory(user=person, start_date=start, end_date=start + timedelta(days=3))
    for day in spec["mood_dates"]:
        DailyMoodFactory(user=person, date=day, energy_level=2, notes=spec["notes"])
    PredictionRecordFactory(user=person, date=spec["record_date"])
    EnergyModelFactory(user=person, version=spec["model_version"], n_samples=40)


def markers(person, spec) -> list[str]:
    return [
        person.email,
        spec["notes"],
        *[start.isoformat() for start in spec["period_starts"]],
        *[day.isoformat() for day in spec["mood_dates"]],
        spec["record_date"].isoformat(),
    ]


def snapshot(person) -> dict:
    """Every row she owns, as plain values: nothing may change under a stranger's hand."""
    person.refresh_from_db()
    return {
        "account": model_to_dict(person),
        "profile": model_to_dict(Profile.objects.get(user=person)),
        "periods": [model_to_dict(p) for p in Period.objects.filter(user=person).order_by("pk")],
        "moods": [model_to_dict(m) for m in DailyMood.objects.filter(user=person).order_by("pk")],
        "records": list(PredictionRecord.objects.filter(user=person).values()),
        "model": list(EnergyModel.objects.filter(user=person).values()),
    }
