"""Background retraining in eager mode (no broker, as in tests and `make run`):
tasks run in-process once the write that queued them commits.

pytest-django keeps each test in a transaction, so the on-commit callbacks run
only inside ``django_capture_on_commit_callbacks(execute=True)``; the failure
test commits for real (``transaction=True``) so the task runs inside the request.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils.timezone import now

from accounts.tests.factories import UserFactory
from moods.tests.factories import DailyMoodFactory
from predictions import ml, services, tasks
from predictions.models import EnergyModel

from .factories import FROZEN_NOW, EnergyModelFactory, log_moods, regular_cycles, trainable_user

MOODS = "/api/v1/moods/"
MODEL = "/api/v1/predictions/model"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def log_over_http(api, day: date, level: int = 2):
    response = api.post(MOODS, {"date": day.isoformat(), "energy_level": level})
    assert response.status_code == 201, response.content
    return response


def test_her_14th_log_trains_her_model_without_anyone_asking(
    api, user, django_capture_on_commit_callbacks
):
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 1)
    assert not EnergyModel.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))

    model = api.get(MODEL).json()
    assert (model["status"], model["version"], model["n_samples"]) == ("fresh", 1, ml.MIN_SAMPLES)
    row = EnergyModel.objects.get(user=user)
    assert (row.training_queued_at, row.training_started_at) == (None, None)


def test_fewer_logs_train_nothing(api, user, django_capture_on_commit_callbacks):
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 2)

    with django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))

    assert not EnergyModel.objects.exists()
    assert api.get(MODEL).json()["status"] == "none"


@pytest.mark.django_db(transaction=True)
def test_a_failed_training_is_recorded_and_her_log_still_succeeds(api, user, monkeypatch):
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 1)

    def broken_train(samples, **kwargs):
        raise RuntimeError("the forest caught fire")

    monkeypatch.setattr(ml, "train", broken_train)

    # No test transaction here: the commit runs the task inside the request.
    response = log_over_http(api, date(2026, 3, 10))

    assert response.json()["energy_level"] == 2
    assert user.moods.count() == ml.MIN_SAMPLES
    row = EnergyModel.objects.get(user=user)
    assert row.last_error == "RuntimeError: the forest caught fire"
    assert row.last_error_at == now()
    assert (row.training_queued_at, row.training_started_at, row.file.name) == (None, None, "")
    model = api.get(MODEL).json()
    assert model["status"] == "none"
    assert model["last_error"] == row.last_error
    with tasks.training_lock(user.pk) as acquired:
        assert acquired  # released despite the failure


def test_the_nightly_sweep_queues_users_whose_model_is_missing_stale_or_outdated(
    db, django_capture_on_commit_callbacks
):
    missing, fresh, stale, outdated, beginner = (
        UserFactory(email=f"{name}@example.com")
        for name in ("missing", "fresh", "stale", "outdated", "beginner")
    )
    for person in (missing, fresh, stale, outdated):
        trainable_user(person)
    regular_cycles(beginner)
    log_moods(beginner, ml.MIN_SAMPLES - 1)
    for person in (fresh, stale, outdated):
        assert services.energy_model_retrain(user=person).status == "trained"
    EnergyModel.objects.filter(user=outdated).update(sklearn_version="0.0")
    an_hour_later = datetime.fromisoformat(FROZEN_NOW) + timedelta(hours=1)
    with time_machine.travel(an_hour_later, tick=False):
        DailyMoodFactory(user=stale, date=date(2026, 3, 14), energy_level=0)

    with django_capture_on_commit_callbacks() as callbacks:
        queued = tasks.retrain_stale_models()

    assert queued == 3
    assert len(callbacks) == 3
    marked = EnergyModel.objects.filter(training_queued_at__isnull=False)
    assert {row.user for row in marked} == {missing, stale, outdated}


def test_training_lock_refuses_a_second_holder(user, other_user):
    with tasks.training_lock(user.pk) as first:
        assert first
        with tasks.training_lock(user.pk) as second:
            assert not second
        # The refused holder leaving does not release the lock.
        with tasks.training_lock(user.pk) as third:
            assert not third
        with tasks.training_lock(other_user.pk) as someone_else:
            assert someone_else
    with tasks.training_lock(user.pk) as after:
        assert after


def test_a_training_does_not_run_while_another_worker_holds_her_lock(user):
    trainable_user(user)
    with tasks.training_lock(user.pk):
        result = tasks.retrain_user_model.apply((user.pk,))
    assert result.status != "SUCCESS"
    assert not EnergyModel.objects.exclude(file="").exists()


def test_a_change_during_a_burst_does_not_queue_a_second_training(user):
    EnergyModelFactory(user=user, training_queued_at=now())
    assert tasks.queue_retrain(user) is False


def test_a_training_mark_left_by_a_lost_task_does_not_block_her_retraining(
    api, user, django_capture_on_commit_callbacks
):
    trainable_user(user)
    # Queued two hours ago; the task never ran (a broker restart lost it).
    EnergyModelFactory(user=user, training_queued_at=now() - timedelta(hours=2))
    assert api.get(MODEL).json()["status"] == "training"

    with django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))

    model = api.get(MODEL).json()
    assert (model["status"], model["version"]) == ("fresh", 1)


def test_her_logs_cost_a_fixed_number_of_queries_whether_queued_or_not(
    api, user, django_assert_max_num_queries
):
    """Logging is the hot write: authenticate, look, lock, write, expire her
    answers, mark her model queued (or find it queued), answer with positions."""
    trainable_user(user)
    services.energy_model_retrain(user=user)
    bodies = [
        {"date": "2026-03-12", "energy_level": 2},  # marks her model queued
        {"date": "2026-03-13", "energy_level": 0},  # finds it queued
        {"date": "2026-03-13", "energy_level": 1},  # replaces an entry
    ]
    for body in bodies:
        with django_assert_max_num_queries(12):
            assert api.post(MOODS, body).status_code in (200, 201)
    assert EnergyModel.objects.get(user=user).training_queued_at == now()
