from django.contrib import admin
from django.utils.timezone import now

from core.admin import UserDataAdmin

from .dispatch import zone_of
from .models import CalendarFeed, Notification, NotificationPreferences, PushSubscription


@admin.register(Notification)
class NotificationAdmin(UserDataAdmin):
    """What she was sent, and how each channel went (per user: search or filter)."""

    list_display = ["user", "kind", "local_date", "email_status", "push_status", "read_at"]
    list_filter = ["kind", "email_status", "push_status", "local_date"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind",
        "key",
        "local_date",
        "title",
        "body",
        "created_at",
        "read_at",
        "email_status",
        "push_status",
        "delivery_error",
    ]


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(UserDataAdmin):
    list_display = [
        "user",
        "period_due_days_before",
        "log_reminder_time",
        "email",
        "push",
        "next_check_at",
    ]
    list_filter = ["email", "push", "weekly_summary", "fertile_window"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["next_check_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # Her next check follows the new settings, as after her own PATCH.
        obj.schedule_after(now(), zone_of(obj.user))
        super().save_model(request, obj, form, change)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(UserDataAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["endpoint", "p256dh", "auth", "created_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(UserDataAdmin):
    """When her feed was made and rotated; never its token."""

    list_display = ["user", "created_at", "rotated_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fields = ["user", "created_at", "rotated_at"]
    readonly_fields = ["created_at", "rotated_at"]

    def has_add_permission(self, request):
        return False
