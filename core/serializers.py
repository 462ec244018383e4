"""Serializer pieces shared by the apps."""

import copy

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


class FieldsBuiltOnce:
    """A ModelSerializer that builds its fields from the model once per class.

    DRF's ModelSerializer reads the model's fields and builds a serializer field
    for each on every instance: 0.13 ms for ``/auth/me``'s six, on every request
    (README, "Serving speed"). Here the first instance's build is kept, and each
    instance gets its own copies: a plain field is copied as it stands (its
    binding to this serializer is then set on the copy only), a field holding
    others (a nested serializer, a list's child) is deep-copied, as DRF copies
    declared fields. For serializers whose fields depend on the model only, not
    on the instance or its context (those that change ``self.fields`` after
    still do so per instance).
    """

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return {name: _field_copy(field) for name, field in built.items()}


def _field_copy(field):
    if (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
    ):
        return copy.deepcopy(field)
    return copy.copy(field)


# Model date fields use the ``DateField`` above. No docstring: the schema would
# show it as the description of every component built on this class.
class ModelSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
    }
