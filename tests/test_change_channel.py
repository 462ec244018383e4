"""One change channel: any write to her data, whatever its path, expires her
cached answers (her data version counts up) and queues one retraining of her
model after the commit. The API and admin paths are shown in their own tests;
these are the paths that used to forget it: a shell, bulk writes."""

from datetime import date

import pytest
import time_machine
from django.db import transaction

from core.userdata import changes_announced_once
from cycles.models import Period, Profile
from moods.models import DailyMood
from predictions.models import EnergyModel
from predictions.tests.factories import FROZEN_NOW, trainable_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def her(user):
    """Alice with enough logs to train on and no model yet."""
    trainable_user(user)
    assert not EnergyModel.objects.filter(user=user).exists()
    user.refresh_from_db()
    return user


def data_version(user) -> int:
    user.refresh_from_db()
    return user.data_version


def retraining_queued(user) -> bool:
    model = EnergyModel.objects.filter(user=user).first()
    return model is not None and model.training_queued_at is not None


WRITES = {
    "a shell save": lambda her: DailyMood.objects.create(
        user=her, date=date(2026, 3, 1), energy_level=2
    ),
    "a shell delete": lambda her: DailyMood.objects.filter(user=her).first().delete(),
    "bulk_create": lambda her: DailyMood.objects.bulk_create(
        [DailyMood(user=her, date=date(2026, 3, day), energy_level=1) for day in (1, 2)]
    ),
    "QuerySet.update": lambda her: DailyMood.objects.filter(user=her).update(energy_level=0),
    "QuerySet.delete": lambda her: DailyMood.objects.filter(
        pk__in=DailyMood.objects.filter(user=her).values("pk")[:3]
    ).delete(),
    "a period's bulk_create": lambda her: Period.objects.bulk_create(
        [Period(user=her, start_date=date(2026, 4, 1), end_date=date(2026, 4, 4))]
    ),
    "a profile's update": lambda her: Profile.objects.filter(user=her).update(height_cm=170),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_path_expires_her_answers_and_queues_her_retraining_after_commit(
    her, write, django_capture_on_commit_callbacks
):
    before = data_version(her)
    EnergyModel.objects.filter(user=her).delete()

    with django_capture_on_commit_callbacks() as after_commit:
        WRITES[write](her)

    assert data_version(her) > before
    assert retraining_queued(her)
    assert len(after_commit) == 1  # the retraining, handed over once committed


def test_a_bulk_write_of_many_rows_is_announced_once_per_owner_within_a_batch(
    her, other_user, django_capture_on_commit_callbacks
):
    trainable_user(other_user)
    before = {person: data_version(person) for person in (her, other_user)}

    with django_capture_on_commit_callbacks() as after_commit, changes_announced_once():
        changed = DailyMood.objects.filter(user__in=[her, other_user]).update(notes="imported")
        deleted, _ = DailyMood.objects.filter(user__in=[her, other_user], date__day=5).delete()

    assert (changed, deleted) == (40, 2)
    assert {person: data_version(person) - before[person] for person in before} == {
        her: 1,
        other_user: 1,
    }
    assert len(after_commit) == 2  # one retraining each


def test_a_write_that_fails_announces_nothing(her):
    before = data_version(her)
    with pytest.raises(RuntimeError), transaction.atomic():
        DailyMood.objects.filter(user=her).update(energy_level=0)
        raise RuntimeError("the import broke half-way")
    assert data_version(her) == before
    assert not retraining_queued(her)


def test_a_write_of_another_kind_of_row_announces_nothing(her):
    before = data_version(her)
    EnergyModel.objects.create(user=her)
    assert data_version(her) == before
