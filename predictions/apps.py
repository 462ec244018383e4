from django.apps import AppConfig


class PredictionsConfig(AppConfig):
    name = "predictions"
    verbose_name = "Predictions"

    def ready(self):
        from core.userdata import register_change_listener, register_user_data

        from . import models, serializers, services, tasks

        register_user_data(
            "prediction_history",
            model=models.PredictionRecord,
            export=services.predictions_export,
            schema=serializers.PredictionRecordExportSerializer(many=True),
        )
        register_user_data(
            "energy_model",
            model=models.EnergyModel,
            export=services.energy_model_export,
            schema=serializers.EnergyModelExportSerializer(allow_null=True),
            before_delete=services.energy_model_before_delete,
        )
        register_change_listener(tasks.queue_retrain_on_change)
