"""PlanHer's own JSON export (``GET /auth/me/export``): her periods, moods and
signs come back as they were; the rest (account, predictions, model) is not
hers to import, as it is made anew."""

from .records import (
    History,
    MoodRecord,
    PeriodRecord,
    RecordError,
    SignRecord,
    UnreadableFile,
    celsius,
    parse_day,
)
from .text import load_json


def parse(stream) -> History:
    return from_document(load_json(stream))


def looks_like(document) -> bool:
    return isinstance(document, dict) and "exported_at" in document and "account" in document


def _list(document, key):
    value = document.get(key, [])
    if not isinstance(value, list):
        raise UnreadableFile(f"Its `{key}` is not a list: is this a PlanHer export?")
    return value


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def from_document(document) -> History:
    if not looks_like(document):
        raise UnreadableFile("This is not a PlanHer export: it has no `exported_at` and `account`.")
    history = History()
    for index, item in enumerate(_list(document, "periods"), start=1):
        record = f"periods[{index}]"
        try:
            if not isinstance(item, dict):
                raise RecordError("Not a period.")
            start = parse_day(item.get("start_date"), record)
            end = parse_day(item["end_date"], record) if item.get("end_date") else None
        except RecordError as error:
            history.problem(record, str(error))
            continue
        history.periods.append(PeriodRecord(start, end, f"{record} ({start})"))
    for index, item in enumerate(_list(document, "moods"), start=1):
        record = f"moods[{index}]"
        try:
            if not isinstance(item, dict):
                raise RecordError("Not an energy log.")
            day = parse_day(item.get("date"), record)
            level = item.get("energy_level")
            if not isinstance(level, int) or isinstance(level, bool):
                raise RecordError(f"Energy level {str(level)[:20]!r} is not 0, 1 or 2.")
        except RecordError as error:
            history.problem(record, str(error))
            continue
        history.moods.append(MoodRecord(day, level, _text(item.get("notes")), f"{record} ({day})"))
    for index, item in enumerate(_list(document, "signs"), start=1):
        record = f"signs[{index}]"
        try:
            if not isinstance(item, dict):
                raise RecordError("Not a sign.")
            day = parse_day(item.get("date"), record)
            bbt = item.get("bbt_celsius")
            if bbt is not None:
                bbt = celsius(bbt)
        except RecordError as error:
            history.problem(record, str(error))
            continue
        history.signs.append(
            SignRecord(
                date=day,
                record=f"{record} ({day})",
                bbt_celsius=bbt,
                lh_test=item.get("lh_test") or None,
                cervical_mucus=item.get("cervical_mucus") or None,
                notes=_text(item.get("notes")),
            )
        )
    return history
