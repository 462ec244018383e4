from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from axes.signals import user_locked_out

        from core.userdata import register_staff_view_listener, register_user_data

        from . import checks, lockout  # noqa: F401  (checks: registers them)
        from .activity import activity_export, record_staff_view
        from .models import ActivityEvent
        from .serializers import ActivityExportSerializer

        register_user_data(
            "activity",
            model=ActivityEvent,
            export=activity_export,
            schema=ActivityExportSerializer(many=True),
        )
        register_staff_view_listener(record_staff_view)
        user_locked_out.connect(lockout.note_lockout, dispatch_uid="accounts.lockout.note_lockout")
