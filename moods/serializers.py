from rest_framework import serializers

from core.vocabulary import ENERGY_LEVEL_TEXT
from cycles.daylogs import DailyLogSerializer

from .models import DailyMood, EnergyLevel

ENERGY_LEVEL_CHOICES = f"Energy level must be {ENERGY_LEVEL_TEXT}."


class DailyMoodSerializer(DailyLogSerializer):
    """Her energy on one day, placed in her cycle as her periods stand now."""

    energy_level = serializers.ChoiceField(
        choices=EnergyLevel.choices,
        help_text="0 low, 1 medium, 2 high.",
        error_messages={"invalid_choice": ENERGY_LEVEL_CHOICES},
    )

    class Meta(DailyLogSerializer.Meta):
        model = DailyMood
        fields = ["id", "date", "energy_level", "notes", "day_of_cycle", "phase"]
        extra_kwargs = {"notes": {"required": False, "allow_blank": True}}


class DailyMoodExportSerializer(serializers.Serializer):
    """An energy log, as exported (oldest first)."""

    # Describes the export of ``cycles.daylogs.register_daily_log``.

    id = serializers.IntegerField()
    date = serializers.DateField()
    energy_level = serializers.ChoiceField(
        choices=EnergyLevel.choices, help_text="0 low, 1 medium, 2 high."
    )
    notes = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
