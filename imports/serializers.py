from django.conf import settings
from rest_framework import serializers

from core.serializers import ModelSerializer

from .models import Import
from .parsers import FORMATS


class CountsSerializer(serializers.Serializer):
    periods = serializers.IntegerField()
    moods = serializers.IntegerField()
    signs = serializers.IntegerField()


class ProblemSerializer(serializers.Serializer):
    record = serializers.CharField(help_text='Where in the file: "line 12", "entry 3", "file"...')
    message = serializers.CharField()


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


def too_large() -> str:
    return (
        f"The file is larger than {settings.IMPORT_MAX_MB} MB, the most PlanHer takes in one "
        "import. For Apple Health, send export.zip rather than export.xml."
    )


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=False,
        use_url=False,
        help_text="The export file: drip CSV, Clue measurements.json, Flo JSON, Apple Health "
        "export.zip or export.xml, Ovumcy JSON or CSV, or a PlanHer export.",
        error_messages={
            "required": "Send the export file as the multipart field `file`.",
            "empty": "The file is empty.",
            "invalid": "Send the export file as the multipart field `file`.",
        },
    )
    format = serializers.ChoiceField(
        choices=FORMATS,
        required=False,
        help_text="The app that wrote the file; detected from its content when absent.",
        error_messages={"invalid_choice": "Choose one of: " + ", ".join(FORMATS) + "."},
    )

    def validate_file(self, value):
        if value.size > max_upload_bytes():
            raise serializers.ValidationError(too_large())
        return value


class ImportSerializer(ModelSerializer):
    created = CountsSerializer(read_only=True, help_text="What this import added.")
    skipped = CountsSerializer(
        read_only=True,
        help_text="What was already there (yours, or imported before) and was kept as it is.",
    )
    errors = ProblemSerializer(
        many=True,
        read_only=True,
        help_text="The first 100 records left out, each with its reason; for a failed import, "
        "why nothing was imported.",
    )
    format = serializers.ChoiceField(
        choices=FORMATS,
        allow_null=True,
        read_only=True,
        help_text="The format read; until then (queued, running, or failed before reading), "
        "the one she named; null when neither.",
    )

    class Meta:
        model = Import
        fields = [
            "id",
            "status",
            "format",
            "created",
            "skipped",
            "errors",
            "error_count",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "error_count": {
                "help_text": "How many records were left out in all (`errors` lists the first 100)."
            }
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["format"] = instance.format or instance.requested_format or None
        return data


class ImportQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Import.Status.choices)


class ImportBusySerializer(serializers.Serializer):
    detail = serializers.CharField()
    id = serializers.IntegerField(help_text="Her import still queued or running.")


class ImportExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Import.Status.choices)
    format = serializers.ChoiceField(choices=FORMATS, allow_null=True)
    filename = serializers.CharField()
    created = CountsSerializer()
    skipped = CountsSerializer()
    errors = ProblemSerializer(many=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
