from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ModelSerializer
from core.validation import validate_logged_date
from core.vocabulary import ENERGY_LEVEL_TEXT, PHASES
from cycles import services as cycle_services

from .models import DailyMood, EnergyLevel

ENERGY_LEVEL_CHOICES = f"Energy level must be {ENERGY_LEVEL_TEXT}."


class DailyMoodListSerializer(serializers.ListSerializer):
    """Derives day of cycle and phase for a whole page at once (two queries)."""

    def to_representation(self, data):
        moods = list(data.all() if hasattr(data, "all") else data)
        if moods:
            request = self.context["request"]
            self.child.positions = cycle_services.cycle_positions(
                user=request.user, dates=[mood.date for mood in moods]
            )
        return super().to_representation(moods)


class DailyMoodSerializer(ModelSerializer):
    """Her energy on one day, placed in her cycle as her periods stand now."""

    energy_level = serializers.ChoiceField(
        choices=EnergyLevel.choices,
        help_text="0 low, 1 medium, 2 high.",
        error_messages={"invalid_choice": ENERGY_LEVEL_CHOICES},
    )
    day_of_cycle = serializers.SerializerMethodField(
        help_text="1 on a period's start date; null before her first logged period."
    )
    phase = serializers.SerializerMethodField()

    class Meta:
        model = DailyMood
        fields = ["id", "date", "energy_level", "notes", "day_of_cycle", "phase"]
        list_serializer_class = DailyMoodListSerializer
        extra_kwargs = {"notes": {"required": False, "allow_blank": True}}

    positions = None  # set by the list serializer for a page of moods

    def validate_date(self, value):
        return validate_logged_date(value, today=self.context["request"].user.local_today())

    def position(self, mood):
        if self.positions is None or mood.date not in self.positions:
            self.positions = cycle_services.cycle_positions(
                user=self.context["request"].user, dates=[mood.date]
            )
        return self.positions.get(mood.date)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_day_of_cycle(self, mood):
        position = self.position(mood)
        return position.day_of_cycle if position else None

    @extend_schema_field(serializers.ChoiceField(choices=PHASES, allow_null=True))
    def get_phase(self, mood):
        position = self.position(mood)
        return position.phase if position else None


class DailyMoodExportSerializer(serializers.Serializer):
    """An energy log, as exported (oldest first)."""

    # Describes ``services.moods_export``.

    id = serializers.IntegerField()
    date = serializers.DateField()
    energy_level = serializers.ChoiceField(
        choices=EnergyLevel.choices, help_text="0 low, 1 medium, 2 high."
    )
    notes = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
