from datetime import date, timedelta
from decimal import Decimal

import factory

from accounts.tests.factories import HerDataFactory, UserFactory
from signs.models import Sign


class SignFactory(HerDataFactory):
    class Meta:
        model = Sign

    user = factory.SubFactory(UserFactory)
    # Always in the past (a future entry is refused), whatever the suite's count.
    date = factory.Sequence(lambda n: date(1950, 1, 1) + timedelta(days=n % 20000))
    bbt_celsius = Decimal("36.40")
    lh_test = None
    cervical_mucus = None
    notes = ""
