from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self):
        from core.userdata import register_user_data

        from . import services
        from .models import Import
        from .serializers import ImportExportSerializer

        # Her imports are in her export and go with her account; waiting
        # uploads are removed once her deletion commits.
        register_user_data(
            "imports",
            model=Import,
            export=services.imports_export,
            schema=ImportExportSerializer(many=True),
            before_delete=services.imports_before_delete,
        )
