import factory
from django.utils.timezone import now

from accounts.tests.factories import UserFactory
from notifications.models import Notification, PushSubscription


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "log_reminder"
    key = factory.Sequence(lambda n: f"2026-01-{1 + n % 28:02d}-{n}")
    local_date = factory.LazyFunction(lambda: now().date())
    title = "How is your energy today?"
    body = "You have not logged your energy today: it takes a tap."


class PushSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example.com/send/{n}")
    p256dh = (
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    )
    auth = "tBHItJI5svbpez7KI4CCXg"
