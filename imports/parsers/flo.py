"""Flo's JSON export: ``operationalData.cycles[]`` with ``period_start_date`` and
``period_end_date`` written like ``"2022-12-13 00:00:00.0"`` (the end is the
last day of bleeding, inclusive). A cycle with no end is her ongoing period."""

from .records import History, PeriodRecord, RecordError, UnreadableFile, parse_day
from .text import load_json


def parse(stream) -> History:
    return from_document(load_json(stream))


def from_document(document) -> History:
    data = document.get("operationalData") if isinstance(document, dict) else None
    cycles = data.get("cycles") if isinstance(data, dict) else None
    if not isinstance(cycles, list):
        raise UnreadableFile("This is not a Flo export: it has no `operationalData.cycles` list.")
    history = History()
    for index, cycle in enumerate(cycles, start=1):
        record = f"cycle {index}"
        try:
            if not isinstance(cycle, dict):
                raise RecordError("Not a cycle.")
            start = parse_day(cycle.get("period_start_date"), record)
            end_text = cycle.get("period_end_date")
            end = parse_day(end_text, record) if end_text else None
        except RecordError as error:
            history.problem(record, str(error))
            continue
        history.periods.append(PeriodRecord(start, end, f"{record} ({start})"))
    return history
