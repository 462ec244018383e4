from datetime import date, timedelta

import factory

from accounts.tests.factories import HerDataFactory, UserFactory
from cycles.models import Period, Profile


class ProfileFactory(HerDataFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    height_cm = 165
    weight_kg = "60.00"
    cycle_length = 28
    luteal_length = 14
    menses_length = 5


class PeriodFactory(HerDataFactory):
    class Meta:
        model = Period

    user = factory.SubFactory(UserFactory)
    # Always in the past (a future period is refused), whatever the suite's count.
    start_date = factory.Sequence(lambda n: date(1950, 1, 1) + timedelta(days=28 * (n % 600)))
    end_date = factory.LazyAttribute(lambda period: period.start_date + timedelta(days=4))
