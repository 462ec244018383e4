"""Filter pieces shared by the apps."""

import django_filters
from django import forms

from .validation import missing_date_message


class DateFormField(forms.DateField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            message = missing_date_message(value) or "Enter a date as YYYY-MM-DD (e.g. 2026-03-14)."
            raise forms.ValidationError(message, code="invalid") from None


class DateFilter(django_filters.DateFilter):
    """A date in the query string: 2026-02-30 is said not to exist, and any
    other bad value is told the format to use."""

    field_class = DateFormField
