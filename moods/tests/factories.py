from datetime import date, timedelta

import factory

from accounts.tests.factories import UserFactory
from moods.models import DailyMood


class DailyMoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyMood

    user = factory.SubFactory(UserFactory)
    date = factory.Sequence(lambda n: date(2025, 1, 1) + timedelta(days=n))
    energy_level = 1
    notes = ""
