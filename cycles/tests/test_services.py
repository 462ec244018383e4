"""The batch form of ``cycle_data_load`` gives each user what the per-user form does."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from cycles import services
from cycles.tests.factories import PeriodFactory, ProfileFactory
from signs.tests.factories import SignFactory

pytestmark = pytest.mark.django_db


def test_cycle_data_load_many_gives_each_user_what_cycle_data_load_gives_her():
    people = [UserFactory(email=f"p{n}@example.com") for n in range(4)]
    # Two with a profile, three with periods (one ongoing), one with nothing logged.
    ProfileFactory(user=people[0], cycle_length=30, luteal_length=13, menses_length=6)
    ProfileFactory(user=people[2], cycle_length=26, luteal_length=12, menses_length=4)
    for n, user in enumerate(people[:3]):
        for ago in (60 + n, 31 + n, 2 + n):
            start = date(2026, 3, 1) - timedelta(days=ago)
            PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
    PeriodFactory(user=people[1], start_date=date(2026, 3, 10), end_date=None)
    # Her signs too: an LH surge and a temperature for one, a note alone (no sign) for another.
    SignFactory(user=people[0], date=date(2026, 2, 12), lh_test="positive", bbt_celsius=None)
    SignFactory(user=people[0], date=date(2026, 2, 14), bbt_celsius=Decimal("36.80"))
    SignFactory(
        user=people[2],
        date=date(2026, 2, 14),
        bbt_celsius=None,
        lh_test=None,
        cervical_mucus=None,
        notes="no sign today",
    )

    batch = services.cycle_data_load_many(user_ids=[u.pk for u in reversed(people)])

    assert list(batch) == [u.pk for u in reversed(people)]
    for user in people:
        assert batch[user.pk] == services.cycle_data_load(user=user)
    assert batch[people[3].pk] == services.CycleData(periods=[], profile=None)
    assert len(batch[people[1].pk].periods) == 4
    assert [s.date for s in batch[people[0].pk].signs] == [date(2026, 2, 12), date(2026, 2, 14)]
    assert batch[people[2].pk].signs == ()


def test_cycle_data_load_many_reads_three_queries_whatever_the_number_of_users(
    django_assert_num_queries,
):
    people = [UserFactory(email=f"q{n}@example.com") for n in range(6)]
    for user in people:
        ProfileFactory(user=user)
        PeriodFactory(user=user, start_date=date(2026, 2, 1), end_date=date(2026, 2, 5))

    with django_assert_num_queries(3):  # periods, profiles, signs
        services.cycle_data_load_many(user_ids=[u.pk for u in people])
