"""Clue's ``measurements.json``: a list of ``{"type", "date", "value"}``.

- ``type: "period"`` with ``value.option`` light, medium, heavy or very_heavy:
  a bleeding day (consecutive days, a one-day gap bridged, form a period);
  ``spotting`` (an option, or its own type) is not a period.
- ``type: "tests"`` with ``value.option`` ``ovulation_positive`` or
  ``ovulation_negative``: her LH test of the day.
- ``type: "bbt"`` with ``value.celsius`` (or ``value.fahrenheit``): her temperature.
Other types (feelings, pain...) have no place in PlanHer and are passed over.
"""

from .records import (
    History,
    RecordError,
    SignDays,
    UnreadableFile,
    celsius,
    parse_day,
    periods_from_days,
)
from .text import load_json

FLOWS = {"light", "medium", "heavy", "very_heavy"}
TESTS = {"ovulation_positive": "positive", "ovulation_negative": "negative"}


def parse(stream) -> History:
    return from_document(load_json(stream))


def from_document(document) -> History:
    if not isinstance(document, list):
        raise UnreadableFile("This is not Clue's measurements.json: it is not a list.")
    history = History()
    bleeding = []
    signs = SignDays()
    for index, entry in enumerate(document, start=1):
        record = f"entry {index}"
        if not isinstance(entry, dict) or "type" not in entry:
            history.problem(record, "Not a measurement (no `type`).")
            continue
        kind = entry.get("type")
        value = entry.get("value") if isinstance(entry.get("value"), dict) else {}
        option = value.get("option")
        try:
            if kind == "period":
                day = parse_day(entry.get("date"), record)
                if option in FLOWS:
                    bleeding.append(day)
                elif option != "spotting":
                    raise RecordError(f"Period option {str(option)[:30]!r} is not one Clue writes.")
            elif kind == "tests" and option in TESTS:
                signs.add(parse_day(entry.get("date"), record), record, lh_test=TESTS[option])
            elif kind == "bbt":
                day = parse_day(entry.get("date"), record)
                if "celsius" in value:
                    signs.add(day, record, bbt_celsius=celsius(value["celsius"]))
                elif "fahrenheit" in value:
                    signs.add(day, record, bbt_celsius=celsius(value["fahrenheit"], unit="degF"))
                else:
                    raise RecordError("A temperature without `celsius` or `fahrenheit`.")
        except RecordError as error:
            history.problem(record, str(error))
    history.periods = periods_from_days(bleeding, label="Clue period days")
    history.signs = signs.records()
    return history
