"""Simultaneous writes of one user never make duplicates, overlaps or a 500.

Each thread has its own database connection and its own real transaction, so
these run against the database's own locking (on SQLite, its single writer).
"""

import threading
import time

import pytest
import time_machine
from django.db import connection

from core.views import user_write_lock
from cycles.models import Period
from moods.models import DailyMood
from predictions import training as energy_training
from predictions.models import EnergyModel
from predictions.tests.factories import trainable_user

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 6


def race(requests):
    """Start every request at the same moment; return their status codes."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            statuses[index] = request().status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def test_simultaneous_upserts_of_one_date_make_one_row(user, client_for):
    clients = [client_for(user) for _ in range(WRITERS)]
    statuses = race(
        [
            lambda c=c, n=n: c.post("/api/v1/moods/", {"date": "2026-03-10", "energy_level": n % 3})
            for n, c in enumerate(clients)
        ]
    )
    assert sorted(statuses) == [200] * (WRITERS - 1) + [201]
    assert DailyMood.objects.filter(user=user).count() == 1


def test_simultaneous_overlapping_periods_never_both_land(user, client_for):
    clients = [client_for(user) for _ in range(WRITERS)]
    statuses = race(
        [
            lambda c=c, n=n: c.post(
                "/api/v1/periods/", {"start_date": f"2026-03-0{1 + n}", "end_date": "2026-03-08"}
            )
            for n, c in enumerate(clients)
        ]
    )
    assert sorted(statuses) == [201] + [400] * (WRITERS - 1)
    assert Period.objects.filter(user=user).count() == 1


def test_simultaneous_identical_periods_make_one_row(user, client_for):
    clients = [client_for(user) for _ in range(WRITERS)]
    statuses = race(
        [lambda c=c: c.post("/api/v1/periods/", {"start_date": "2026-03-01"}) for c in clients]
    )
    assert sorted(statuses) == [201] + [400] * (WRITERS - 1)
    assert Period.objects.filter(user=user).count() == 1


def blocked_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid]
        )
        return cursor.fetchone()[0]


def test_a_training_storing_her_model_queues_behind_her_write_instead_of_deadlocking(user):
    """Every writer locks her user row before her other rows. A mood POST holds
    her user row and then marks her model row queued (the change listener); a
    training that stores its model meanwhile must wait for the user row before
    it takes the model row, or PostgreSQL aborts one of the two as a deadlock
    (the POST then answered 503)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: no row locks to take out of order")
    trainable_user(user)
    energy_training.energy_model_retrain(user=user)
    EnergyModel.objects.filter(user=user).update(training_queued_at=None)
    training = {}

    def train():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                training["pid"] = cursor.fetchone()[0]
            training["outcome"] = energy_training.energy_model_retrain(user=user, force=True).status
        except Exception as error:
            training["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=train)
    with user_write_lock(user):  # the POST, from its lock to its commit
        thread.start()
        deadline = time.monotonic() + 60
        while not ("pid" in training and blocked_on_a_lock(training["pid"])):
            assert time.monotonic() < deadline and thread.is_alive(), training
            time.sleep(0.02)
        # Leaving the block runs the change listener, which updates her model row.
    thread.join()

    assert training == {"pid": training["pid"], "outcome": "trained"}
    assert EnergyModel.objects.get(user=user).version >= 2
