"""The shapes of GET /insights, for the OpenAPI schema (answers are built as
plain dicts in ``services``; these document them)."""

from rest_framework import serializers

from cycles.engine.alerts import ALERT_CODES


class PhaseEnergySerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Energy logs placed in this phase.")
    low = serializers.IntegerField()
    medium = serializers.IntegerField()
    high = serializers.IntegerField()


class EnergyByPhaseSerializer(serializers.Serializer):
    menstrual = PhaseEnergySerializer()
    follicular = PhaseEnergySerializer()
    ovulatory = PhaseEnergySerializer()
    luteal = PhaseEnergySerializer()


class InsightCycleSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    length = serializers.IntegerField(
        allow_null=True, help_text="Days to the next logged start; null for the current cycle."
    )
    period_length = serializers.IntegerField(
        allow_null=True, help_text="Bleeding days logged; null while the period is open."
    )


class LoggingStreakSerializer(serializers.Serializer):
    current = serializers.IntegerField(
        help_text="Days in a row with energy logged, ending today or yesterday."
    )
    longest = serializers.IntegerField()


class EnergyAccuracySerializer(serializers.Serializer):
    evaluated = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)


class NextPeriodAccuracySerializer(serializers.Serializer):
    evaluated = serializers.IntegerField(
        help_text="Cycles whose next period was predicted and has since been logged."
    )
    mean_abs_error_days = serializers.FloatField(allow_null=True)


class PredictionAccuracySerializer(serializers.Serializer):
    energy = EnergyAccuracySerializer()
    next_period = NextPeriodAccuracySerializer()


class AlertSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ALERT_CODES)
    title = serializers.CharField()
    detail = serializers.CharField(help_text="What was seen, and that it is not a diagnosis.")
    since = serializers.DateField(
        help_text="First day it held, as her data stands: `code` + `since` identify an alert."
    )


class InsightsSerializer(serializers.Serializer):
    energy_by_phase = EnergyByPhaseSerializer()
    cycles = InsightCycleSerializer(many=True)
    logging_streak = LoggingStreakSerializer()
    prediction_accuracy = PredictionAccuracySerializer()
    alerts = AlertSerializer(many=True)
