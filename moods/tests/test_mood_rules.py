"""A mood's rules hold wherever it is written: here, as from a shell."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from moods.models import DailyMood

from .factories import DailyMoodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def test_a_future_mood_saved_from_a_shell_is_refused(user):
    with pytest.raises(ValidationError) as refused:
        DailyMood(user=user, date=date(2026, 3, 16), energy_level=2).save()
    assert refused.value.message_dict == {
        "date": ["This date is in the future: today is 2026-03-15 in your time zone."]
    }
    assert not DailyMood.objects.exists()


def test_a_future_mood_is_refused_by_objects_create(user):
    with pytest.raises(ValidationError):
        DailyMood.objects.create(user=user, date=date(2026, 3, 16), energy_level=2)


def test_a_mood_dated_before_1900_is_refused(user):
    with pytest.raises(ValidationError, match="before 1900-01-01"):
        DailyMood.objects.create(user=user, date=date(1899, 12, 31), energy_level=2)


def test_todays_mood_is_accepted(user):
    DailyMood.objects.create(user=user, date=date(2026, 3, 15), energy_level=2)
    assert DailyMood.objects.count() == 1


def test_moving_a_mood_to_a_future_date_is_refused(user):
    mood = DailyMoodFactory(user=user, date=date(2026, 3, 15))
    mood.date = date(2026, 3, 20)
    with pytest.raises(ValidationError):
        mood.save()
    with pytest.raises(ValidationError):
        mood.save(update_fields=["date"])
