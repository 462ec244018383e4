"""Her notification data in her export, and her preferences kept with her account."""

from django.utils.timezone import now

from .dispatch import zone_of
from .models import CalendarFeed, Notification, NotificationPreferences, PushSubscription


def preferences_for(user) -> NotificationPreferences:
    """Her preferences row (made with the defaults if she has none yet)."""
    preferences, created = NotificationPreferences.objects.get_or_create(user=user)
    if created:
        preferences.schedule_after(now(), zone_of(user))
        preferences.save(update_fields=["next_check_at"])
    return preferences


def preferences_follow_the_account(sender, instance, created, raw=False, update_fields=None, **kw):
    """A new account gets the default preferences (so the dispatcher finds her); a
    change of time zone moves her next check to her new clock."""
    if raw:
        return
    if created:
        preferences_for(instance)
    elif update_fields is None or "timezone" in update_fields:
        preferences = NotificationPreferences.objects.filter(user=instance).first()
        if preferences is not None:
            preferences.schedule_after(now(), zone_of(instance))
            NotificationPreferences.objects.filter(pk=preferences.pk).update(
                next_check_at=preferences.next_check_at
            )


def preferences_export(user) -> dict | None:
    preferences = NotificationPreferences.objects.filter(user=user).first()
    if preferences is None:
        return None
    from .serializers import NotificationPreferencesSerializer

    return dict(NotificationPreferencesSerializer(preferences).data)


def notifications_export(user) -> list[dict]:
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "local_date": n.local_date.isoformat(),
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
            "email_status": n.email_status,
            "push_status": n.push_status,
        }
        for n in Notification.objects.for_user(user).order_by("created_at", "pk")
    ]


def push_subscriptions_export(user) -> list[dict]:
    return [
        {"endpoint": s.endpoint, "created_at": s.created_at.isoformat()}
        for s in PushSubscription.objects.for_user(user).order_by("created_at", "pk")
    ]


def calendar_feed_export(user) -> dict | None:
    # Not the token: an export file lying around must not open her calendar.
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return None
    return {
        "created_at": feed.created_at.isoformat(),
        "rotated_at": feed.rotated_at.isoformat() if feed.rotated_at else None,
    }
