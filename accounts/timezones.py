from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "%(value)s is not a known IANA time zone, such as Europe/Paris or UTC.",
            code="invalid_timezone",
            params={"value": value},
        )
