"""Validation shared by every app that logs dated data."""

import calendar
import re
from datetime import date

from rest_framework import serializers

from .vocabulary import EARLIEST_DATE

ISO_DATE_SHAPE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def missing_date_message(text) -> str | None:
    """Why ``text``, written like a date (``2026-02-30``), names no day; None
    when it is not written like one (then its format is what is wrong)."""
    match = ISO_DATE_SHAPE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        pass
    else:
        return None
    written = f"{year:04d}-{month:02d}-{day:02d}"
    if year < 1:
        return f"{written} is not a date: years start at 0001."
    if not 1 <= month <= 12:
        return f"{written} is not a date: months go from 01 to 12."
    days = calendar.monthrange(year, month)[1]
    return f"{written} is not a date: {calendar.month_name[month]} {year} has {days} days."


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
