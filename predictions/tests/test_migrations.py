"""Data migrations, run against rows as an older version left them."""

import importlib
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.apps import apps

from accounts.tests.factories import UserFactory
from predictions.models import PredictionRecord

pytestmark = pytest.mark.django_db

drop_early = importlib.import_module(
    "predictions.migrations.0002_drop_records_made_before_their_day"
).drop_records_made_before_their_day


def record(user, day: date, served_at: datetime) -> PredictionRecord:
    with time_machine.travel(served_at, tick=False):
        return PredictionRecord.objects.create(
            user=user,
            date=day,
            predicted_level=1,
            probabilities={"low": 0.2, "medium": 0.6, "high": 0.2},
            source="fallback",
        )


def test_it_drops_records_served_before_their_day_in_her_time_zone():
    """GIVEN rows the old /current?date=<later day> wrote, and rows served on their day
    WHEN the migration runs
    THEN only the rows served before their day (her local date) are gone."""
    tokyo = UserFactory(timezone="Asia/Tokyo")
    # 2026-03-01 20:00 UTC is already 2026-03-02 in Tokyo: served on its day.
    on_the_day = record(tokyo, date(2026, 3, 2), datetime(2026, 3, 1, 20, tzinfo=UTC))
    ahead = record(tokyo, date(2026, 3, 9), datetime(2026, 3, 1, 20, tzinfo=UTC))
    honolulu = UserFactory(timezone="Pacific/Honolulu")
    # 2026-03-02 05:00 UTC is still 2026-03-01 in Honolulu: a day ahead of it.
    early = record(honolulu, date(2026, 3, 2), datetime(2026, 3, 2, 5, tzinfo=UTC))
    past = record(honolulu, date(2026, 2, 20), datetime(2026, 3, 2, 5, tzinfo=UTC))

    drop_early(apps, None)

    assert set(PredictionRecord.objects.values_list("pk", flat=True)) == {on_the_day.pk, past.pk}
    assert not PredictionRecord.objects.filter(pk__in=[ahead.pk, early.pk]).exists()
