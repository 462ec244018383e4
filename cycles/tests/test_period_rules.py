"""A period's rules hold wherever it is written: here, as from a shell."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from cycles.models import Period

from .factories import PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def test_a_future_period_saved_from_a_shell_is_refused(user):
    with pytest.raises(ValidationError) as refused:
        Period(user=user, start_date=date(2026, 3, 16)).save()
    assert refused.value.message_dict == {
        "start_date": ["This date is in the future: today is 2026-03-15 in your time zone."]
    }
    assert not Period.objects.exists()


def test_a_period_ending_in_the_future_is_refused_by_objects_create(user):
    with pytest.raises(ValidationError) as refused:
        Period.objects.create(user=user, start_date=date(2026, 3, 14), end_date=date(2026, 3, 17))
    assert list(refused.value.message_dict) == ["end_date"]


def test_an_overlapping_period_saved_from_a_shell_is_refused(user):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    with pytest.raises(ValidationError) as refused:
        Period.objects.create(user=user, start_date=date(2026, 3, 4), end_date=date(2026, 3, 8))
    assert refused.value.messages == [
        "These dates overlap your period from 2026-03-01 to 2026-03-05."
    ]
    assert Period.objects.count() == 1


def test_moving_a_period_onto_another_is_refused(user):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    earlier = PeriodFactory(user=user, start_date=date(2026, 2, 1), end_date=date(2026, 2, 5))
    earlier.start_date, earlier.end_date = date(2026, 3, 1), date(2026, 3, 3)
    with pytest.raises(ValidationError, match="already logged a period starting on this date"):
        earlier.save()


def test_another_users_periods_do_not_clash_with_hers(user, other_user):
    PeriodFactory(user=other_user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    Period.objects.create(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    assert Period.objects.count() == 2


def test_a_period_may_be_saved_again_unchanged(user):
    period = PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=None)
    period.end_date = date(2026, 3, 5)
    period.save()
    assert Period.objects.get().end_date == date(2026, 3, 5)


def test_today_is_hers_in_her_time_zone():
    # 2026-03-15 12:00 UTC is already 2026-03-16 on Kiritimati (UTC+14).
    ahead = UserFactory(email="ahead@example.com", timezone="Pacific/Kiritimati")
    Period.objects.create(user=ahead, start_date=date(2026, 3, 16))
    behind = UserFactory(email="behind@example.com", timezone="UTC")
    with pytest.raises(ValidationError):
        Period.objects.create(user=behind, start_date=date(2026, 3, 16))
