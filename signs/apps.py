from django.apps import AppConfig


class SignsConfig(AppConfig):
    name = "signs"
    verbose_name = "Fertility signs"

    def ready(self):
        from cycles.daylogs import register_daily_log

        from .models import Sign
        from .serializers import SignExportSerializer

        register_daily_log("signs", Sign, export_schema=SignExportSerializer(many=True))
