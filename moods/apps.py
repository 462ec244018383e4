from django.apps import AppConfig


class MoodsConfig(AppConfig):
    name = "moods"
    verbose_name = "Daily moods"

    def ready(self):
        from cycles.daylogs import register_daily_log

        from .models import DailyMood
        from .serializers import DailyMoodExportSerializer

        register_daily_log("moods", DailyMood, export_schema=DailyMoodExportSerializer(many=True))
