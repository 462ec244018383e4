"""Partial logs of one day sent at the same moment land in one entry with both
signs (each thread has its own connection and a real transaction: the
database's own locking, on SQLite its single writer)."""

from decimal import Decimal

import pytest
import time_machine

from signs.models import Sign
from tests.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


@pytest.mark.parametrize("attempt", range(3))
def test_a_temperature_and_an_lh_test_sent_at_once_land_in_one_entry(user, client_for, attempt):
    morning, afternoon = client_for(user), client_for(user)
    statuses = race(
        [
            lambda: morning.post(
                "/api/v1/signs/", {"date": "2026-03-10", "bbt_celsius": "36.80"}, format="json"
            ),
            lambda: afternoon.post(
                "/api/v1/signs/", {"date": "2026-03-10", "lh_test": "positive"}, format="json"
            ),
        ]
    )
    assert sorted(statuses) == [200, 201]
    entry = Sign.objects.get(user=user)
    assert (entry.bbt_celsius, entry.lh_test) == (Decimal("36.80"), "positive")
