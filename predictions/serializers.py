"""Response shapes of /predictions (documented in the OpenAPI schema)."""

import calendar as months
from datetime import timedelta

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.serializers import DateField
from core.vocabulary import (
    BASIS_METHODS,
    EARLIEST_DATE,
    ENERGY_LABELS,
    ENERGY_SOURCES,
    MAX_FORECAST_DAYS,
    NEXT_PERIOD_STATUSES,
    OVULATION_STATUSES,
    PHASES,
)
from cycles.engine import SIGNS
from moods.models import EnergyLevel
from signs.models import CervicalMucus, LhTest

from .days import MAX_CALENDAR_DAYS

HORIZON_DAYS = 2 * 366


class ProbabilitiesSerializer(serializers.Serializer):
    low = serializers.FloatField()
    medium = serializers.FloatField()
    high = serializers.FloatField()


class EnergySerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=EnergyLevel.choices, help_text="The most likely level: 0 low, 1 medium, 2 high."
    )
    label = serializers.ChoiceField(choices=ENERGY_LABELS)
    probabilities = ProbabilitiesSerializer()
    confidence = serializers.FloatField(help_text="The probability of `level`.")
    source = serializers.ChoiceField(
        choices=ENERGY_SOURCES,
        help_text="`model`: her own forest; `fallback`: her per-phase frequencies "
        "smoothed toward a population prior.",
    )
    model_version = serializers.IntegerField(allow_null=True)


class BasisSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=BASIS_METHODS,
        help_text="What the prediction rests on: `population_prior` (no usable cycle, no "
        "profile length), `profile` (her profile's cycle length), `history_shrunk` (her "
        "cycles, pulled toward the population average), `history_shrunk_to_profile` (her "
        "cycles, pulled toward her profile length), `ovulation_detected` (her signs placed "
        "ovulation in this cycle: ovulation plus her luteal length).",
    )
    cycles_used = serializers.IntegerField(
        help_text="Her cycles the prediction learnt from; with `ovulation_detected`, her "
        "past cycles whose luteal length her signs measured (0: the prior alone)."
    )
    cycles_excluded = serializers.IntegerField(
        help_text="Implausible cycles (a likely missed log, or spotting; with "
        "`ovulation_detected`, a luteal length outside 5-25 days) left out."
    )


class NextPeriodSerializer(serializers.Serializer):
    start_date = serializers.DateField(
        help_text="Always after the query date and after her today (a start on or before "
        "today would be logged): the first predicted period day of the forecast."
    )
    earliest = serializers.DateField()
    latest = serializers.DateField()
    interval = serializers.FloatField(
        help_text="[earliest, latest] is an interval of this coverage."
    )
    days_late = serializers.IntegerField(
        help_text="Days past the expected start: 0 when `upcoming` or `due_today`, "
        "N > 0 when `late`."
    )
    status = serializers.ChoiceField(
        choices=NEXT_PERIOD_STATUSES,
        help_text="How the date stands to her expected start, with no start logged: "
        "`upcoming` (before it), `due_today` (on it), `late` (after it, by `days_late` "
        "days). Show it as is; `start_date` then stays the first predicted day.",
    )
    basis = BasisSerializer()


class OvulationSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Always equal to `ovulation_date`.")
    status = serializers.ChoiceField(
        choices=OVULATION_STATUSES,
        help_text="`detected`: her signs logged up to the date asked about place it (the "
        "phases, the fertile window and the next period follow it); `predicted`: the "
        "calendar predicts it (next start minus her luteal length).",
    )
    signs = serializers.ListField(
        child=serializers.ChoiceField(choices=SIGNS),
        help_text="The signs that agree on it: `lh` (the day after her last positive LH "
        "test), `bbt` (a temperature shift: the last low day), `mucus` (peak day). Empty "
        "when predicted.",
    )


class FertileWindowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class CurrentSerializer(serializers.Serializer):
    date = serializers.DateField()
    day_of_cycle = serializers.IntegerField(allow_null=True)
    phase = serializers.ChoiceField(choices=PHASES, allow_null=True)
    bmi = serializers.FloatField(allow_null=True)
    cycle_length = serializers.IntegerField(
        allow_null=True, help_text="The length the engine predicts for this cycle."
    )
    next_period = NextPeriodSerializer(allow_null=True)
    ovulation_date = serializers.DateField(
        allow_null=True,
        help_text="Her estimated ovulation day in this cycle; the same date as "
        "`ovulation.date`, which also says how it is known.",
    )
    ovulation = OvulationSerializer(
        allow_null=True, help_text="How `ovulation_date` is known; null without a period."
    )
    fertile_window = FertileWindowSerializer(allow_null=True)
    energy = EnergySerializer(allow_null=True)
    detail = serializers.CharField(
        allow_null=True,
        help_text="Why cycle fields are null; with cycle fields, what to fix in her log "
        "(a period left open past 15 days: the end date to set).",
    )


class QueryDateField(DateField):
    """A date between 1900 and two years after her today (the horizon of a plan)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        today = self.context["request"].user.local_today()
        horizon = today + timedelta(days=HORIZON_DAYS)
        if not EARLIEST_DATE <= day <= horizon:
            raise serializers.ValidationError(
                f"Choose a date between {EARLIEST_DATE.isoformat()} and {horizon.isoformat()}."
            )
        return day


class CurrentQuerySerializer(serializers.Serializer):
    date = QueryDateField(
        required=False,
        help_text="Defaults to your today. Up to your today, the answer is what was known "
        "on that date (data logged on or before it); a later date gets what is predicted "
        "today, the same as that day in /forecast.",
    )


class ForecastQuerySerializer(serializers.Serializer):
    start = QueryDateField(required=False, help_text="Defaults to your today.")
    days = serializers.IntegerField(
        required=False, default=28, min_value=1, max_value=MAX_FORECAST_DAYS
    )


class ForecastDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    day_of_cycle = serializers.IntegerField(allow_null=True)
    phase = serializers.ChoiceField(choices=PHASES, allow_null=True)
    is_predicted_period = serializers.BooleanField()
    is_fertile = serializers.BooleanField()
    energy = EnergySerializer(allow_null=True)


class ForecastSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = ForecastDaySerializer(many=True)
    detail = serializers.CharField(allow_null=True)


def month_end(day):
    return day.replace(day=months.monthrange(day.year, day.month)[1])


class CalendarQuerySerializer(serializers.Serializer):
    start = QueryDateField(
        required=False,
        help_text="First day (included). Defaults to the first day of `end`'s month, or of "
        "her current month.",
    )
    end = QueryDateField(
        required=False,
        help_text=f"Last day (included), at most {MAX_CALENDAR_DAYS} days from `start`. "
        "Defaults to the last day of `start`'s month, or of her current month.",
    )

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start is None and end is None:
            start = self.context["request"].user.local_today().replace(day=1)
        if start is None:
            start = end.replace(day=1)
        if end is None:
            end = month_end(start)
        if end < start:
            raise serializers.ValidationError(
                {"end": [f"Choose an end on or after the start ({start.isoformat()})."]}
            )
        days = (end - start).days + 1
        if days > MAX_CALENDAR_DAYS:
            raise serializers.ValidationError(
                {
                    "end": [
                        f"A calendar covers at most {MAX_CALENDAR_DAYS} days; this range has "
                        f"{days}. Choose an end on or before "
                        f"{(start + timedelta(days=MAX_CALENDAR_DAYS - 1)).isoformat()}."
                    ]
                }
            )
        return {"start": start, "end": end}


class LoggedEnergySerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=EnergyLevel.choices, help_text="What she logged: 0 low, 1 medium, 2 high."
    )
    notes = serializers.CharField(allow_blank=True)


class CalendarSignsSerializer(serializers.Serializer):
    bbt_celsius = serializers.FloatField(
        allow_null=True, help_text="Basal body temperature in °C; null when not measured."
    )
    lh_test = serializers.ChoiceField(choices=LhTest.choices, allow_null=True)
    cervical_mucus = serializers.ChoiceField(choices=CervicalMucus.choices, allow_null=True)
    notes = serializers.CharField(allow_blank=True)


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    day_of_cycle = serializers.IntegerField(allow_null=True)
    phase = serializers.ChoiceField(choices=PHASES, allow_null=True)
    period = serializers.ChoiceField(
        choices=["logged", "predicted"],
        allow_null=True,
        help_text="`logged`: a day of a period she logged (an open one counts as long as "
        "/current says); `predicted`: a day of a predicted period; null: no period.",
    )
    is_fertile = serializers.BooleanField()
    is_ovulation = serializers.BooleanField(
        help_text="Her (predicted) ovulation day: the last day of the fertile window."
    )
    energy_logged = LoggedEnergySerializer(allow_null=True)
    energy_predicted = EnergySerializer(
        allow_null=True,
        help_text="As /predictions/current's `energy` for this day: for her today and later "
        "(today's is the one recorded when first served); null before today.",
    )
    signs = CalendarSignsSerializer(allow_null=True, help_text="Her fertility signs that day.")


class CalendarSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = CalendarDaySerializer(many=True)
    detail = serializers.CharField(
        allow_null=True, help_text="Why the cycle fields are null (no period logged yet)."
    )


class HistoryItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    predicted_level = serializers.ChoiceField(
        choices=EnergyLevel.choices, help_text="0 low, 1 medium, 2 high."
    )
    probabilities = ProbabilitiesSerializer()
    source = serializers.ChoiceField(choices=ENERGY_SOURCES)
    model_version = serializers.IntegerField(allow_null=True)
    actual_level = serializers.ChoiceField(
        choices=EnergyLevel.choices,
        allow_null=True,
        help_text="What she logged for the day (0 low, 1 medium, 2 high); null until logged.",
    )
    correct = serializers.BooleanField(allow_null=True, help_text="Null until logged.")


class HistorySummarySerializer(serializers.Serializer):
    evaluated = serializers.IntegerField(help_text="Predictions whose day has been logged.")
    accuracy = serializers.FloatField(allow_null=True)


# Named apart from DRF's ModelSerializer; the schema keeps its component name "Model".
@extend_schema_serializer(component_name="Model")
class EnergyModelSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["none", "fresh", "stale", "training"])
    version = serializers.IntegerField(allow_null=True)
    trained_at = serializers.DateTimeField(allow_null=True)
    n_samples = serializers.IntegerField()
    classes = serializers.ListField(child=serializers.IntegerField())
    cv_accuracy = serializers.FloatField(allow_null=True)
    baseline_accuracy = serializers.FloatField(
        allow_null=True, help_text="Her majority level, on the same folds."
    )
    fallback_accuracy = serializers.FloatField(
        allow_null=True, help_text="Her smoothed per-phase frequencies, on the same folds."
    )
    cv_log_loss = serializers.FloatField(allow_null=True)
    baseline_log_loss = serializers.FloatField(allow_null=True)
    fallback_log_loss = serializers.FloatField(allow_null=True)
    feature_importances = serializers.DictField(child=serializers.FloatField())
    algorithm = serializers.CharField()
    serving = serializers.ChoiceField(
        choices=ENERGY_SOURCES, help_text="What /current and /forecast serve now."
    )
    detail = serializers.CharField(help_text="Why the model serves, or why the fallback does.")
    logs_needed = serializers.IntegerField(help_text="More mood logs needed before a training.")
    last_error = serializers.CharField(allow_blank=True)
    last_error_at = serializers.DateTimeField(allow_null=True)


class RetrainSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["trained", "unchanged", "queued"])
    model = EnergyModelSerializer(required=False)


class RetrainRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    logs_needed = serializers.IntegerField()


class PredictionRecordExportSerializer(serializers.Serializer):
    """An energy prediction served to you, as exported (oldest first)."""

    # Describes ``export.predictions_export``.

    date = serializers.DateField()
    predicted_level = serializers.ChoiceField(
        choices=EnergyLevel.choices, help_text="0 low, 1 medium, 2 high."
    )
    probabilities = ProbabilitiesSerializer()
    source = serializers.ChoiceField(choices=ENERGY_SOURCES)
    model_version = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class NextPeriodPredictionExportSerializer(serializers.Serializer):
    """The next period you were told about in each cycle, as exported (oldest first)."""

    # Describes ``export.next_period_predictions_export``.

    cycle_start = serializers.DateField()
    served_on = serializers.DateField()
    predicted_start = serializers.DateField()
    earliest = serializers.DateField()
    latest = serializers.DateField()
    method = serializers.CharField()
    created_at = serializers.DateTimeField()


class EnergyModelExportSerializer(serializers.Serializer):
    """Your energy model's metadata, as exported."""

    # Describes ``export.energy_model_export``.

    version = serializers.IntegerField()
    trained_at = serializers.DateTimeField(allow_null=True)
    n_samples = serializers.IntegerField()
    classes = serializers.ListField(child=serializers.IntegerField())
    cv_accuracy = serializers.FloatField(allow_null=True)
    baseline_accuracy = serializers.FloatField(allow_null=True)
    feature_importances = serializers.DictField(child=serializers.FloatField())
    serves_model = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    format_version = serializers.IntegerField(allow_null=True)
    sklearn_version = serializers.CharField(allow_blank=True)


class RetrainFailedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    last_error = serializers.CharField(help_text="What went wrong, as recorded on her model.")
