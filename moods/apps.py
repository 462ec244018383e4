from django.apps import AppConfig


class MoodsConfig(AppConfig):
    name = "moods"
    verbose_name = "Daily moods"

    def ready(self):
        from core.userdata import announce_changes_of, register_user_data

        from .models import DailyMood
        from .serializers import DailyMoodExportSerializer
        from .services import moods_export

        register_user_data(
            "moods", export=moods_export, schema=DailyMoodExportSerializer(many=True)
        )
        announce_changes_of(DailyMood)
