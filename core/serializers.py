"""Serializer pieces shared by the apps."""

from django.db import models
from rest_framework import serializers

from .validation import missing_date_message


class DateField(serializers.DateField):
    """A date; a well-written one that does not exist (2026-02-30) says so,
    instead of blaming its format."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            message = missing_date_message(value)
            if message is None:
                raise
            raise serializers.ValidationError(message, code="invalid") from None


# Model date fields use the ``DateField`` above. No docstring: the schema would
# show it as the description of every component built on this class.
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
    }
