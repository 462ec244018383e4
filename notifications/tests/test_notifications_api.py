"""Her in-app list, her preferences and her push subscriptions, through the API."""

import pytest
import time_machine
from django.utils.timezone import now

from notifications.models import Notification, NotificationPreferences, PushSubscription

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_her_list_is_newest_first_with_the_contract_fields(api, user):
    older = NotificationFactory(user=user, title="older")
    newer = NotificationFactory(user=user, title="newer")
    Notification.objects.filter(pk=older.pk).update(created_at="2026-01-01T09:00:00Z")

    body = api.get(f"{API}/notifications/").json()

    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    assert set(body["results"][0]) == {"id", "kind", "title", "body", "created_at", "read_at"}
    assert body["results"][0]["read_at"] is None


def test_marking_one_read_answers_204_and_keeps_the_first_reading_time(api, user):
    notification = NotificationFactory(user=user)
    assert api.post(f"{API}/notifications/{notification.pk}/read").status_code == 204
    first = Notification.objects.get(pk=notification.pk).read_at
    assert first is not None
    assert api.post(f"{API}/notifications/{notification.pk}/read").status_code == 204
    assert Notification.objects.get(pk=notification.pk).read_at == first


def test_marking_a_missing_one_read_is_a_404(api):
    assert api.post(f"{API}/notifications/999999/read").status_code == 404


def test_her_preferences_start_with_the_contract_defaults(api):
    assert api.get(f"{API}/notifications/preferences").json() == {
        "period_due_days_before": 2,
        "log_reminder_time": None,
        "late_period": True,
        "fertile_window": False,
        "weekly_summary": False,
        "alerts": True,
        "email": True,
        "push": False,
        "push_public_key": None,
    }


def test_a_patch_sets_what_it_sends_and_moves_her_next_check(client_for, user):
    with time_machine.travel("2026-03-16T10:00:00+00:00", tick=False):  # past 09:00 UTC
        body = (
            client_for(user)
            .patch(
                f"{API}/notifications/preferences",
                {"log_reminder_time": "21:15", "period_due_days_before": None},
            )
            .json()
        )
    assert (body["log_reminder_time"], body["period_due_days_before"]) == ("21:15", None)
    assert body["late_period"] is True
    after = NotificationPreferences.objects.get(user=user)
    assert after.next_check_at.isoformat() == "2026-03-16T21:15:00+00:00"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("log_reminder_time", "9pm", '"HH:MM"'),
        ("log_reminder_time", "25:00", '"HH:MM"'),
        ("period_due_days_before", 8, "from 0 to 7"),
        ("period_due_days_before", -1, "from 0 to 7"),
        ("email", "maybe", "valid boolean"),
    ],
)
def test_bad_preferences_get_a_400_that_says_what_to_send_and_change_nothing(
    api, user, field, value, words
):
    before = api.get(f"{API}/notifications/preferences").json()
    answer = api.patch(f"{API}/notifications/preferences", {field: value})
    assert answer.status_code == 400
    assert words in answer.json()[field][0]
    assert api.get(f"{API}/notifications/preferences").json() == before


def test_turning_every_reminder_off_means_she_is_never_read(api, user):
    api.patch(
        f"{API}/notifications/preferences",
        {
            "period_due_days_before": None,
            "late_period": False,
            "alerts": False,
            "log_reminder_time": None,
        },
    )
    assert NotificationPreferences.objects.get(user=user).next_check_at is None


SUBSCRIPTION = {
    "endpoint": "https://push.example.com/send/abc",
    "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA", "auth": "tBHItJI5svbpez7KI4CCXg"},
}


def test_a_push_subscription_without_vapid_keys_is_a_409_that_says_so(api):
    answer = api.post(f"{API}/notifications/push-subscriptions", SUBSCRIPTION, format="json")
    assert answer.status_code == 409
    assert "not set up" in answer.json()["detail"]
    assert PushSubscription.objects.count() == 0


@pytest.fixture
def vapid(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "public-key", "private-key"


def test_a_push_subscription_is_stored_once_and_answers_201(api, user, vapid):
    for _ in range(2):
        answer = api.post(f"{API}/notifications/push-subscriptions", SUBSCRIPTION, format="json")
        assert answer.status_code == 201
    assert answer.json() == SUBSCRIPTION
    assert PushSubscription.objects.filter(user=user).count() == 1
    assert api.get(f"{API}/notifications/preferences").json()["push_public_key"] == "public-key"


def test_a_push_endpoint_must_be_https(api, vapid):
    body = {**SUBSCRIPTION, "endpoint": "http://169.254.169.254/latest"}
    answer = api.post(f"{API}/notifications/push-subscriptions", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["endpoint"] == ["A push endpoint is an https:// URL."]


def test_a_browser_subscribed_again_by_someone_else_now_receives_for_her_only(
    api, other_api, user, other_user, vapid
):
    other_api.post(f"{API}/notifications/push-subscriptions", SUBSCRIPTION, format="json")
    api.post(f"{API}/notifications/push-subscriptions", SUBSCRIPTION, format="json")
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [user.pk]


def test_a_new_account_gets_the_default_preferences(anon_client):
    anon_client.post(
        f"{API}/auth/register",
        {"email": "new@example.com", "password": "a-long-enough-passphrase-2026"},
    )
    preferences = NotificationPreferences.objects.get(user__email="new@example.com")
    assert preferences.period_due_days_before == 2
    assert preferences.next_check_at > now()
