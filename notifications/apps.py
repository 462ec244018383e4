from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from core.userdata import register_user_data

        from . import export, models, serializers

        register_user_data(
            "notification_preferences",
            model=models.NotificationPreferences,
            export=export.preferences_export,
            schema=serializers.NotificationPreferencesSerializer(allow_null=True),
        )
        register_user_data(
            "notifications",
            model=models.Notification,
            export=export.notifications_export,
            schema=serializers.NotificationExportSerializer(many=True),
        )
        register_user_data(
            "push_subscriptions",
            model=models.PushSubscription,
            export=export.push_subscriptions_export,
            schema=serializers.PushSubscriptionExportSerializer(many=True),
        )
        register_user_data(
            "calendar_feed",
            model=models.CalendarFeed,
            export=export.calendar_feed_export,
            schema=serializers.CalendarFeedExportSerializer(allow_null=True),
        )
        post_save.connect(
            export.preferences_follow_the_account,
            sender=get_user_model(),
            dispatch_uid="notifications:preferences",
        )
