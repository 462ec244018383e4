from datetime import date, timedelta

import factory

from accounts.tests.factories import HerDataFactory, UserFactory
from moods.models import DailyMood


class DailyMoodFactory(HerDataFactory):
    class Meta:
        model = DailyMood

    user = factory.SubFactory(UserFactory)
    # Always in the past (a future mood is refused), whatever the suite's count.
    date = factory.Sequence(lambda n: date(1950, 1, 1) + timedelta(days=n % 20000))
    energy_level = 1
    notes = ""
