from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.serializers import as_serializer_error

from core.serializers import ModelSerializer
from core.validation import validate_logged_date

from .models import Period, Profile


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
    """A period she logged: its first day and, once it is over, its last."""

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
        # The model's own rules, asked of the period this request would leave.
        period = Period(
            pk=getattr(self.instance, "pk", None),
            user=self.context["request"].user,
            start_date=start,
            end_date=end,
        )
        try:
            period.validate_among_her_periods()
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_error(error)) from error
        return attrs


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
    luteal_length = serializers.FloatField(
        allow_null=True,
        help_text="Her luteal length (days from ovulation to the next start), the mean over "
        "her completed cycles whose ovulation her signs placed; null when none did. Her "
        "profile's `luteal_length` stays the prior the predictions start from.",
    )
    luteal_cycle_count = serializers.IntegerField(
        help_text="How many of her cycles measured `luteal_length`."
    )


class ProfileExportSerializer(serializers.Serializer):
    """Your profile, as exported; weight and BMI are numbers, as in /profiles/me."""

    # Describes ``services.profile_export``.

    height_cm = serializers.IntegerField(allow_null=True)
    weight_kg = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    cycle_length = serializers.IntegerField(allow_null=True)
    luteal_length = serializers.IntegerField()
    menses_length = serializers.IntegerField()
    unusual_bleeding = serializers.BooleanField()
    number_of_peak = serializers.IntegerField()
    bmi = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    updated_at = serializers.DateTimeField()


class PeriodExportSerializer(serializers.Serializer):
    """A period, as exported (oldest first)."""

    # Describes ``services.periods_export``.

    id = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
