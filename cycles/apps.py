from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"
    verbose_name = "Cycles"

    def ready(self):
        from core.userdata import announce_changes_of, register_user_data

        from . import serializers, services
        from .models import Period, Profile

        register_user_data(
            "profile",
            model=Profile,
            export=services.profile_export,
            schema=serializers.ProfileExportSerializer(allow_null=True),
        )
        register_user_data(
            "periods",
            model=Period,
            export=services.periods_export,
            schema=serializers.PeriodExportSerializer(many=True),
        )
        announce_changes_of(Period)
        announce_changes_of(Profile)
