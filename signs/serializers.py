from rest_framework import serializers

from core.vocabulary import BBT_CELSIUS
from cycles.daylogs import DailyLogSerializer

from .models import NOTHING_LOGGED, CervicalMucus, LhTest, Sign

BBT_TEXT = f"Basal body temperature in °C, {BBT_CELSIUS[0]} to {BBT_CELSIUS[1]}, 2 decimals."
BBT_RANGE = (
    f"Basal body temperature must be between {BBT_CELSIUS[0]} and {BBT_CELSIUS[1]} °C, "
    "with at most 2 decimals."
)
LH_TEXT = "LH test result: negative or positive."
MUCUS_TEXT = "Cervical mucus: dry, sticky, creamy, watery or eggwhite."


def bbt_field(**kwargs):
    return serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        min_value=BBT_CELSIUS[0],
        max_value=BBT_CELSIUS[1],
        help_text=BBT_TEXT + " Null when not measured.",
        **kwargs,
    )


class SignSerializer(DailyLogSerializer):
    """Her fertility signs on one day, placed in her cycle as her periods stand now."""

    bbt_celsius = bbt_field(
        required=False,
        # DRF's own words ("no more than 4 digits in total") would not tell her what to send.
        error_messages={
            key: BBT_RANGE
            for key in (
                "min_value",
                "max_value",
                "max_digits",
                "max_decimal_places",
                "max_whole_digits",
            )
        },
    )
    lh_test = serializers.ChoiceField(
        choices=LhTest.choices,
        allow_null=True,
        required=False,
        help_text=LH_TEXT + " Null when she did no test.",
        error_messages={"invalid_choice": f"{LH_TEXT[:-1].replace(':', ' must be')}."},
    )
    cervical_mucus = serializers.ChoiceField(
        choices=CervicalMucus.choices,
        allow_null=True,
        required=False,
        help_text=MUCUS_TEXT + " Null when not observed.",
        error_messages={"invalid_choice": f"{MUCUS_TEXT[:-1].replace(':', ' must be')}."},
    )

    class Meta(DailyLogSerializer.Meta):
        model = Sign
        fields = [
            "id",
            "date",
            "bbt_celsius",
            "lh_test",
            "cervical_mucus",
            "notes",
            "day_of_cycle",
            "phase",
        ]
        extra_kwargs = {"notes": {"required": False, "allow_blank": True}}

    def validate(self, attrs):
        # A log that names no sign and no note has nothing to log; an edit
        # that leaves an entry empty is refused by the model (delete it instead).
        logged = {"bbt_celsius", "lh_test", "cervical_mucus", "notes"}
        if self.instance is None and not logged & attrs.keys():
            raise serializers.ValidationError(NOTHING_LOGGED)
        return attrs


class SignExportSerializer(serializers.Serializer):
    """A fertility signs entry, as exported (oldest first)."""

    # Describes the export of ``cycles.daylogs.register_daily_log``.

    id = serializers.IntegerField()
    date = serializers.DateField()
    bbt_celsius = bbt_field()
    lh_test = serializers.ChoiceField(choices=LhTest.choices, allow_null=True)
    cervical_mucus = serializers.ChoiceField(choices=CervicalMucus.choices, allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
