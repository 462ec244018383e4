"""Her notifications, preferences, push subscriptions and calendar feed are hers:
a stranger's ids answer like missing ones and change nothing; her export holds
them and her deletion takes them (SECURITY.md, isolation)."""

import pytest

from notifications.models import (
    CalendarFeed,
    Notification,
    NotificationPreferences,
    PushSubscription,
)

from .factories import NotificationFactory, PushSubscriptionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.ownership(Notification, NotificationPreferences, PushSubscription, CalendarFeed),
]
API = "/api/v1"


@pytest.fixture
def theirs(user, other_user):
    mine = NotificationFactory(user=user, title="alice-reminder", body="alice-body")
    stranger = NotificationFactory(user=other_user, title="mallory-reminder", body="mallory-body")
    return mine, stranger


def test_marking_another_users_notification_read_is_a_404_like_a_missing_one(api, theirs):
    _, stranger = theirs
    answer = api.post(f"{API}/notifications/{stranger.pk}/read")
    control = api.post(f"{API}/notifications/{stranger.pk + 1000}/read")
    assert answer.status_code == 404
    assert (answer.status_code, answer.json()) == (control.status_code, control.json())
    assert Notification.objects.get(pk=stranger.pk).read_at is None


@pytest.mark.parametrize("query", ["user={other}", "user_id={other}", "owner={other}"])
def test_her_list_shows_only_her_notifications(api, theirs, other_user, query):
    for url in (
        f"{API}/notifications/",
        f"{API}/notifications/?{query.format(other=other_user.pk)}",
    ):
        text = api.get(url).content.decode()
        assert "mallory" not in text
        assert "alice-reminder" in text


def test_her_preferences_change_nobody_elses(api, user, other_user):
    api.patch(f"{API}/notifications/preferences", {"email": False, "weekly_summary": True})
    theirs = NotificationPreferences.objects.get(user=other_user)
    assert (theirs.email, theirs.weekly_summary) == (True, False)


def test_rotating_her_feed_leaves_anothers_untouched(api, other_api):
    their_url = other_api.get(f"{API}/calendar/feed").json()["url"]
    api.get(f"{API}/calendar/feed")
    api.post(f"{API}/calendar/feed/rotate")
    assert other_api.get(f"{API}/calendar/feed").json()["url"] == their_url
    assert CalendarFeed.objects.count() == 2


def test_her_export_holds_her_notification_data_and_nobody_elses(api, user, other_user, theirs):
    PushSubscriptionFactory(user=user, endpoint="https://push.example.com/alice")
    PushSubscriptionFactory(user=other_user, endpoint="https://push.example.com/mallory")
    api.get(f"{API}/calendar/feed")

    export = api.get(f"{API}/auth/me/export").json()

    assert [n["title"] for n in export["notifications"]] == ["alice-reminder"]
    assert export["notification_preferences"]["period_due_days_before"] == 2
    assert [s["endpoint"] for s in export["push_subscriptions"]] == [
        "https://push.example.com/alice"
    ]
    assert set(export["calendar_feed"]) == {"created_at", "rotated_at"}
    assert "mallory" not in str(export)


def test_her_deletion_takes_her_notification_data_and_only_hers(api, user, other_user, theirs):
    PushSubscriptionFactory(user=user)
    PushSubscriptionFactory(user=other_user)
    api.get(f"{API}/calendar/feed")
    from accounts.tests.factories import PASSWORD

    answer = api.delete(f"{API}/auth/me", {"password": PASSWORD}, format="json")

    assert answer.status_code in (200, 204), answer.content
    for model in (Notification, NotificationPreferences, PushSubscription):
        assert not model.objects.filter(user_id=user.pk).exists()
        assert model.objects.filter(user=other_user).exists()
    assert not CalendarFeed.objects.filter(user_id=user.pk).exists()
