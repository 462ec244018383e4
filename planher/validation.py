"""Validation shared by every app that logs dated data."""

from datetime import date

from rest_framework import serializers

EARLIEST_DATE = date(1900, 1, 1)


def validate_logged_date(value: date, *, today: date) -> date:
    """Logged dates lie between 1900 and her local today."""
    if value > today:
        raise serializers.ValidationError(
            f"This date is in the future: today is {today.isoformat()} in your time zone."
        )
    if value < EARLIEST_DATE:
        raise serializers.ValidationError("Dates before 1900-01-01 are not accepted.")
    return value
