from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Kind, Notification, NotificationPreferences


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "20:30"}
)
class HourMinuteField(serializers.TimeField):
    """A time of day written "HH:MM" (the schema's ``format: time`` would ask for seconds)."""


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "created_at", "read_at"]
        read_only_fields = fields


class NotificationPreferencesSerializer(serializers.ModelSerializer):
    period_due_days_before = serializers.IntegerField(
        min_value=0,
        max_value=7,
        allow_null=True,
        required=False,
        help_text="Days before the expected start to remind her (0 to 7), from 09:00 her time; "
        "null turns it off.",
        error_messages={
            "invalid": "Give a whole number of days from 0 to 7, or null to turn it off.",
            "min_value": "Give a whole number of days from 0 to 7, or null to turn it off.",
            "max_value": "Give a whole number of days from 0 to 7, or null to turn it off.",
        },
    )
    log_reminder_time = HourMinuteField(
        format="%H:%M",
        input_formats=["%H:%M"],
        allow_null=True,
        required=False,
        help_text='Her local time for the daily log reminder, "HH:MM"; null turns it off. '
        "Sent only when she has not logged her energy that day.",
        error_messages={"invalid": 'Write the time as "HH:MM" (24 hours), e.g. "20:30".'},
    )
    push_public_key = serializers.SerializerMethodField(
        help_text="The server's VAPID public key for the browser's push subscription "
        "(applicationServerKey); null when Web Push is not configured here."
    )

    class Meta:
        model = NotificationPreferences
        fields = [
            "period_due_days_before",
            "log_reminder_time",
            "late_period",
            "fertile_window",
            "weekly_summary",
            "alerts",
            "email",
            "push",
            "push_public_key",
        ]

    def get_push_public_key(self, obj) -> str | None:
        return settings.VAPID_PUBLIC_KEY or None


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200, help_text="The browser's P-256 public key.")
    auth = serializers.CharField(max_length=100, help_text="The browser's auth secret.")


class PushSubscriptionSerializer(serializers.Serializer):
    endpoint = serializers.URLField(
        max_length=1000, help_text="The push service URL the browser gave (https)."
    )
    keys = PushKeysSerializer()

    def validate_endpoint(self, value):
        if not value.startswith("https://") and not settings.WEB_PUSH_ALLOW_HTTP:
            raise serializers.ValidationError("A push endpoint is an https:// URL.")
        return value


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(
        read_only=True,
        help_text="Her private calendar subscription URL (no login needed: keep it secret).",
    )


class NotificationExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    local_date = serializers.DateField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    email_status = serializers.CharField()
    push_status = serializers.CharField()


class PushSubscriptionExportSerializer(serializers.Serializer):
    endpoint = serializers.URLField()
    created_at = serializers.DateTimeField()


class CalendarFeedExportSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    rotated_at = serializers.DateTimeField(allow_null=True)
