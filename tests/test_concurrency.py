"""Simultaneous writes of one user never make duplicates, overlaps or a 500.

Each thread has its own database connection and its own real transaction, so
these run against the database's own locking (on SQLite, its single writer).
"""

import threading

import pytest
import time_machine
from django.db import connection

from cycles.models import Period
from moods.models import DailyMood

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
