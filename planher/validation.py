"""Validation shared by every app that logs dated data."""

from datetime import date

from rest_framework import serializers

from core.vocabulary import EARLIEST_DATE


def logged_date_problem(value: date, *, today: date) -> str | None:
    """Why a logged date is refused, or None: logged dates lie between 1900 and
    her local today. The models' rules and the serializers share it."""
    if value > today:
        return f"This date is in the future: today is {today.isoformat()} in your time zone."
    if value < EARLIEST_DATE:
        return "Dates before 1900-01-01 are not accepted."
    return None


def validate_logged_date(value: date, *, today: date) -> date:
    """Logged dates lie between 1900 and her local today."""
    problem = logged_date_problem(value, today=today)
    if problem:
        raise serializers.ValidationError(problem)
    return value
