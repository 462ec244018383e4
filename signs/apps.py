from django.apps import AppConfig


class SignsConfig(AppConfig):
    name = "signs"
    verbose_name = "Fertility signs"

    def ready(self):
        from cycles.daylogs import register_daily_log
        from cycles.services import register_signs_source

        from .models import Sign, engine_signs
        from .serializers import SignExportSerializer

        register_daily_log("signs", Sign, export_schema=SignExportSerializer(many=True))
        # Her signs reach the cycle engine through cycles' registry (signs sits
        # above cycles: cycles never imports this app).
        register_signs_source(engine_signs)
