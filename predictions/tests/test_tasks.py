"""Background retraining without a broker (as in tests and `make run`): the
commit of a write hands her training to this process's background thread.

pytest-django keeps each test in a transaction, so the on-commit callbacks run
only inside ``django_capture_on_commit_callbacks(execute=True)``; the trainings
they queue wait until ``background_jobs.drain()`` (root conftest) runs them in
the test's thread. ``threaded_runner`` tests use a real background thread, on
committed data (``transaction=True``).
"""

import logging
import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.utils.timezone import now

from accounts.tests.factories import UserFactory
from core import background
from core.userdata import listeners_muted
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions import ml, queueing, samples, tasks, training
from predictions.models import EnergyModel

from .factories import FROZEN_NOW, EnergyModelFactory, log_moods, regular_cycles, trainable_user

MOODS = "/api/v1/moods/"
MODEL = "/api/v1/predictions/model"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def threaded_runner(monkeypatch):
    """A real background thread, as in production without a broker."""
    runner = background.BackgroundRunner(threads=1)
    monkeypatch.setattr(background, "runner", runner)
    yield runner
    runner.shutdown()


def log_over_http(api, day: date, level: int = 2):
    response = api.post(MOODS, {"date": day.isoformat(), "energy_level": level})
    assert response.status_code == 201, response.content
    return response


def test_her_14th_log_trains_her_model_without_anyone_asking(
    api, user, django_capture_on_commit_callbacks, background_jobs
):
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 1)
    assert not EnergyModel.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))
    background_jobs.drain()

    model = api.get(MODEL).json()
    assert (model["status"], model["version"], model["n_samples"]) == ("fresh", 1, ml.MIN_SAMPLES)
    row = EnergyModel.objects.get(user=user)
    assert (row.training_queued_at, row.training_started_at) == (None, None)


def test_fewer_logs_train_nothing(api, user, django_capture_on_commit_callbacks, background_jobs):
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 2)

    with django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))
    background_jobs.drain()

    assert not EnergyModel.objects.exists()
    assert api.get(MODEL).json()["status"] == "none"


@pytest.mark.django_db(transaction=True)
def test_a_failed_training_is_recorded_and_her_log_still_succeeds(
    api, user, monkeypatch, threaded_runner
):
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 1)

    def broken_train(samples, **kwargs):
        raise RuntimeError("the forest caught fire")

    monkeypatch.setattr(ml, "train", broken_train)

    # No test transaction here: the commit hands the training to the thread.
    response = log_over_http(api, date(2026, 3, 10))
    assert threaded_runner.drain()

    assert response.json()["energy_level"] == 2
    assert user.moods.count() == ml.MIN_SAMPLES
    row = EnergyModel.objects.get(user=user)
    assert row.last_error == "RuntimeError: the forest caught fire"
    assert row.last_error_at == now()
    assert (row.training_queued_at, row.training_started_at, row.file.name) == (None, None, "")
    model = api.get(MODEL).json()
    assert model["status"] == "none"
    assert model["last_error"] == row.last_error
    with training.training_lock(user.pk) as acquired:
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
        assert training.energy_model_retrain(user=person).status == "trained"
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
    with training.training_lock(user.pk) as first:
        assert first
        with training.training_lock(user.pk) as second:
            assert not second
        # The refused holder leaving does not release the lock.
        with training.training_lock(user.pk) as third:
            assert not third
        with training.training_lock(other_user.pk) as someone_else:
            assert someone_else
    with training.training_lock(user.pk) as after:
        assert after


def test_a_training_does_not_run_while_another_worker_holds_her_lock(user):
    trainable_user(user)
    with training.training_lock(user.pk):
        result = tasks.retrain_user_model.apply((user.pk,))
    assert result.status != "SUCCESS"
    assert not EnergyModel.objects.exclude(file="").exists()


def test_a_change_during_a_burst_does_not_queue_a_second_training(user):
    EnergyModelFactory(user=user, training_queued_at=now())
    assert queueing.queue_retrain(user) is False


def test_a_training_mark_left_by_a_lost_task_does_not_block_her_retraining(
    api, user, django_capture_on_commit_callbacks, background_jobs
):
    trainable_user(user)
    # Queued two hours ago; the task never ran (a broker restart lost it).
    EnergyModelFactory(user=user, training_queued_at=now() - timedelta(hours=2))
    assert api.get(MODEL).json()["status"] == "training"

    with django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))
    background_jobs.drain()

    model = api.get(MODEL).json()
    assert (model["status"], model["version"]) == ("fresh", 1)


def test_her_logs_cost_a_fixed_number_of_queries_whether_queued_or_not(
    api, user, django_assert_max_num_queries
):
    """Logging is the hot write: authenticate, look, lock, write, expire her
    answers, mark her model queued (or find it queued), answer with positions
    (her periods, signs and profile)."""
    trainable_user(user)
    training.energy_model_retrain(user=user)
    bodies = [
        {"date": "2026-03-12", "energy_level": 2},  # marks her model queued
        {"date": "2026-03-13", "energy_level": 0},  # finds it queued
        {"date": "2026-03-13", "energy_level": 1},  # replaces an entry
    ]
    for body in bodies:
        with django_assert_max_num_queries(13):
            assert api.post(MOODS, body).status_code in (200, 201)
    assert EnergyModel.objects.get(user=user).training_queued_at == now()


# --- Without a broker: off the request, one training per user at a time -------------------


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_her_log_is_answered_before_her_training_which_a_thread_then_does(
    api, user, monkeypatch, settings, threaded_runner
):
    settings.RETRAIN_DELAY_SECONDS = 0
    regular_cycles(user)
    log_moods(user, ml.MIN_SAMPLES - 1)
    gate, trained_in, real_train = threading.Event(), [], ml.train

    def gated_train(samples, **kwargs):
        trained_in.append(threading.current_thread().name)
        gate.wait(timeout=10)  # in the request, this would hold her POST for 10 s
        return real_train(samples, **kwargs)

    monkeypatch.setattr(ml, "train", gated_train)

    log_over_http(api, date(2026, 3, 10))

    assert api.get(MODEL).json()["status"] == "training"
    gate.set()
    assert threaded_runner.drain()
    assert trained_in == ["planher-background-0"]
    model = api.get(MODEL).json()
    assert (model["status"], model["version"], model["n_samples"]) == ("fresh", 1, ml.MIN_SAMPLES)
    row = EnergyModel.objects.get(user=user)
    assert (row.training_queued_at, row.training_started_at) == (None, None)


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_logs_from_three_of_her_clients_queues_one_training(
    user, client_for, background_jobs
):
    trainable_user(user)
    training.energy_model_retrain(user=user)
    statuses = []

    def client_logs(client, offset):
        try:
            for n in range(10):
                day = date(2026, 3, 14) - timedelta(days=(offset + n) % 10)
                body = {"date": day.isoformat(), "energy_level": (offset + n) % 3}
                statuses.append(client.post(MOODS, body).status_code)
        finally:
            connection.close()

    clients = [
        threading.Thread(target=client_logs, args=(client_for(user), offset)) for offset in range(3)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()

    assert set(statuses) <= {200, 201} and len(statuses) == 30
    assert EnergyModel.objects.get(user=user).version == 1  # none trained in a request
    assert background_jobs.pending == 1
    background_jobs.drain()
    row = EnergyModel.objects.get(user=user)
    assert (row.version, row.training_queued_at) == (2, None)
    assert api_status(user, client_for) == "fresh"


def api_status(user, client_for) -> str:
    return client_for(user).get(MODEL).json()["status"]


def test_without_a_broker_no_task_goes_through_celery_nor_warns_of_a_missing_broker(
    api, user, monkeypatch, caplog, django_capture_on_commit_callbacks, background_jobs
):
    trainable_user(user)
    sent = []
    monkeypatch.setattr(queueing, "send_to_worker", lambda *a, **k: sent.append(a))

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        log_over_http(api, date(2026, 3, 10))
    background_jobs.drain()

    assert sent == []
    assert EnergyModel.objects.get(user=user).version == 1
    assert [r.getMessage() for r in caplog.records if r.name.startswith(("kombu", "celery"))] == []


def test_a_process_does_not_train_her_while_another_one_does(user, background_jobs):
    trainable_user(user)
    EnergyModelFactory(user=user, training_queued_at=now(), training_started_at=now())

    assert queueing.retrain_in_process(user.pk) == "busy"

    assert not EnergyModel.objects.exclude(file="").exists()
    assert background_jobs.pending == 1  # it looks again later


def test_a_training_left_half_done_by_a_dead_process_is_taken_over(user, background_jobs):
    trainable_user(user)
    two_hours_ago = now() - timedelta(hours=2)
    EnergyModelFactory(user=user, training_queued_at=now(), training_started_at=two_hours_ago)

    assert queueing.retrain_in_process(user.pk) == "trained"

    row = EnergyModel.objects.get(user=user)
    assert (row.version, row.training_queued_at, row.training_started_at) == (1, None, None)


def test_a_busy_database_is_retried_later_then_given_up(user, monkeypatch, background_jobs):
    trainable_user(user)

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(training, "energy_model_retrain", busy)

    assert queueing.retrain_in_process(user.pk) == "retrying"
    assert background_jobs.pending == 1
    assert background_jobs.drain()
    assert queueing.retrain_in_process(user.pk, queueing.IN_PROCESS_ATTEMPTS) == "failed"
    assert background_jobs.pending == 0


# --- What a training learns from -----------------------------------------------------------


def test_her_model_learns_from_her_most_recent_logs_only(api, user, monkeypatch):
    monkeypatch.setattr(samples, "TRAINING_WINDOW_LOGS", 20)
    regular_cycles(user)
    moods = log_moods(user, 30)  # 2026-01-03 to 2026-02-01

    outcome = training.energy_model_retrain(user=user)

    assert (outcome.status, outcome.model.n_samples) == ("trained", 20)
    assert api.get(MODEL).json()["status"] == "fresh"
    # Her oldest log is outside the window: changing it changes nothing learnt.
    # (Muted: a queued retraining would show as "training" rather than the state.)
    with listeners_muted():
        DailyMood.objects.filter(pk=moods[0].pk).update(
            energy_level=(moods[0].energy_level + 1) % 3
        )
    assert api.get(MODEL).json()["status"] == "fresh"
    assert training.energy_model_retrain(user=user).status == "skipped"
    # Her newest one is inside.
    with listeners_muted():
        DailyMood.objects.filter(pk=moods[-1].pk).update(
            energy_level=(moods[-1].energy_level + 1) % 3
        )
    assert api.get(MODEL).json()["status"] == "stale"
    assert training.energy_model_retrain(user=user).status == "trained"


def test_a_change_during_her_training_keeps_her_queued_for_the_next_one(
    user, monkeypatch, background_jobs, django_capture_on_commit_callbacks
):
    trainable_user(user)
    EnergyModelFactory(user=user, training_queued_at=now())
    real_train, changes = ml.train, [datetime.fromisoformat(FROZEN_NOW) + timedelta(seconds=1)]

    def train_while_she_logs(samples, **kwargs):
        if changes:  # her log, committed a second later, while the forest grows
            with time_machine.travel(changes.pop(), tick=False):
                DailyMoodFactory(user=user, date=date(2026, 3, 14), energy_level=0)
                assert queueing.queue_retrain(user) is True
        return real_train(samples, **kwargs)

    monkeypatch.setattr(ml, "train", train_while_she_logs)

    with django_capture_on_commit_callbacks(execute=True):
        assert queueing.retrain_in_process(user.pk) == "trained"

    row = EnergyModel.objects.get(user=user)
    assert row.version == 1
    assert row.training_queued_at is not None  # not answered by a training that began before it
    assert background_jobs.pending == 1
    background_jobs.drain()
    row = EnergyModel.objects.get(user=user)
    assert (row.version, row.training_queued_at) == (2, None)
