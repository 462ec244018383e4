from datetime import timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from planher.serializers import ModelSerializer
from planher.validation import validate_logged_date

from .models import MAX_PERIOD_DAYS, Period, Profile

PHASE_CHOICES = ["menstrual", "follicular", "ovulatory", "luteal"]


class ProfileSerializer(serializers.ModelSerializer):
    bmi = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text="weight / height², one decimal; null until both are known.",
    )

    class Meta:
        model = Profile
        fields = [
            "height_cm",
            "weight_kg",
            "cycle_length",
            "luteal_length",
            "menses_length",
            "unusual_bleeding",
            "number_of_peak",
            "bmi",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate(self, attrs):
        def current(field):
            if field in attrs:
                return attrs[field]
            if self.instance is not None and self.partial:
                return getattr(self.instance, field)
            return Profile._meta.get_field(field).get_default()

        cycle_length = current("cycle_length")
        errors = {}
        if cycle_length is not None:
            for field in ("luteal_length", "menses_length"):
                value = current(field)
                if value is not None and value >= cycle_length:
                    errors[field] = [f"Must be less than the cycle length ({cycle_length} days)."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def replace(self, instance, validated_data):
        """POST and PUT replace an existing profile whole: omitted fields reset."""
        for name in self.Meta.fields:
            if name in self.Meta.read_only_fields or name == "bmi":
                continue
            if name not in validated_data:
                validated_data[name] = Profile._meta.get_field(name).get_default()
        return self.update(instance, validated_data)


class PeriodSerializer(ModelSerializer):
    length_days = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Days of bleeding; null while ongoing."
    )
    cycle_length = serializers.SerializerMethodField(
        help_text="Days from this start to the next logged start; null for the latest."
    )

    class Meta:
        model = Period
        fields = ["id", "start_date", "end_date", "length_days", "cycle_length"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_cycle_length(self, period):
        if hasattr(period, "next_start"):  # annotated by the viewset's queryset
            next_start = period.next_start
        else:  # a freshly saved row
            next_start = period.next_start_date()
        return (next_start - period.start_date).days if next_start else None

    def _today(self):
        return self.context["request"].user.local_today()

    def validate_start_date(self, value):
        return validate_logged_date(value, today=self._today())

    def validate_end_date(self, value):
        return value if value is None else validate_logged_date(value, today=self._today())

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs["end_date"] if "end_date" in attrs else getattr(self.instance, "end_date", None)
        if end is not None and end < start:
            raise serializers.ValidationError({"end_date": ["Must be on or after the start date."]})
        if end is not None and (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise serializers.ValidationError(
                {"end_date": [f"A period lasts at most {MAX_PERIOD_DAYS} days."]}
            )
        own = Period.objects.for_user(self.context["request"].user)
        if self.instance is not None:
            own = own.exclude(pk=self.instance.pk)
        if own.filter(start_date=start).exists():
            raise serializers.ValidationError(
                {"start_date": ["You already logged a period starting on this date."]}
            )
        clash = own.overlapping(start, end).order_by("start_date").first()
        if clash is not None:
            raise serializers.ValidationError({"non_field_errors": [overlap_message(clash)]})
        return attrs


def overlap_message(period: Period) -> str:
    if period.end_date is None:
        last_possible = period.start_date + timedelta(days=MAX_PERIOD_DAYS - 1)
        return (
            f"These dates overlap your ongoing period that started on {period.start_date}"
            f" (it may run until {last_possible}); set its end date first."
        )
    return f"These dates overlap your period from {period.start_date} to {period.end_date}."


class CycleStatsSerializer(serializers.Serializer):
    period_count = serializers.IntegerField()
    cycle_count = serializers.IntegerField()
    cycle_lengths = serializers.ListField(
        child=serializers.IntegerField(), help_text="Oldest first."
    )
    average_cycle_length = serializers.FloatField(allow_null=True)
    median_cycle_length = serializers.FloatField(allow_null=True)
    cycle_length_sd = serializers.FloatField(allow_null=True)
    shortest_cycle = serializers.IntegerField(allow_null=True)
    longest_cycle = serializers.IntegerField(allow_null=True)
    average_period_length = serializers.FloatField(allow_null=True)
    regularity = serializers.ChoiceField(choices=["regular", "irregular", "insufficient_data"])
