from django.apps import AppConfig


class PredictionsConfig(AppConfig):
    name = "predictions"
    verbose_name = "Predictions"

    def ready(self):
        from core.userdata import register_change_listener, register_user_data

        from . import export, models, queueing, serializers

        register_user_data(
            "prediction_history",
            model=models.PredictionRecord,
            export=export.predictions_export,
            schema=serializers.PredictionRecordExportSerializer(many=True),
        )
        register_user_data(
            "next_period_predictions",
            model=models.NextPeriodPrediction,
            export=export.next_period_predictions_export,
            schema=serializers.NextPeriodPredictionExportSerializer(many=True),
        )
        register_user_data(
            "energy_model",
            model=models.EnergyModel,
            export=export.energy_model_export,
            schema=serializers.EnergyModelExportSerializer(allow_null=True),
            before_delete=export.energy_model_before_delete,
        )
        register_change_listener(queueing.queue_retrain_on_change)
