"""Ovumcy's JSON and CSV exports: one entry per logged day.

JSON ``{"exported_at", "entries": [{"date", "period", "cycle_start", "flow",
"bbt", "cervical_mucus", "notes", ...}]}``; CSV with the columns ``Date``,
``Period`` (Yes/No), ``Flow``, ``BBT (C)``, ``Cervical mucus`` (labels such as
``Egg white``), ``Notes``, ``Cycle start``. Period days make her periods
(consecutive days, a one-day gap bridged; a marked cycle start begins a new
one); spotting is not a period. Its mucus words map to PlanHer's: dry, moist
(sticky), creamy, egg white; ``none`` is nothing observed. The BBT is in °C. Her
day's notes become the notes of that day's signs. Ovumcy's mood rating is not
an energy level, so it stays out.
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
from .text import csv_rows, load_json

MUCUS = {"dry": "dry", "moist": "sticky", "creamy": "creamy", "eggwhite": "eggwhite"}
CSV_COLUMNS = {"Date", "Period", "Flow", "BBT (C)", "Cervical mucus"}


def mucus_word(text) -> str | None:
    if text is None:
        return None
    word = str(text).strip().lower().replace(" ", "").replace("_", "").replace("-", "")
    if word in ("", "none"):
        return None
    if word not in MUCUS:
        raise RecordError(f"Cervical mucus {str(text)[:30]!r} is not one Ovumcy writes.")
    return MUCUS[word]


def parse(stream) -> History:
    return from_document(load_json(stream))


def from_document(document) -> History:
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise UnreadableFile("This is not an Ovumcy JSON export: it has no `entries` list.")
    days = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            entry = {}
        days.append((f"entry {index}", entry))
    return from_days(days)


def parse_csv(stream) -> History:
    header, rows = csv_rows(stream)
    if not set(header) >= CSV_COLUMNS:
        raise UnreadableFile(
            "This is not an Ovumcy CSV export: its first line lacks the columns "
            + ", ".join(sorted(CSV_COLUMNS - set(header)))
            + "."
        )
    days = []
    for line, row in rows:
        yes = {"yes": True, "no": False, "": False}
        entry = {
            "date": row.get("Date", "").strip(),
            "period": yes.get(row.get("Period", "").strip().lower()),
            "cycle_start": yes.get(row.get("Cycle start", "").strip().lower(), False),
            "bbt": row.get("BBT (C)", "").strip() or None,
            "cervical_mucus": row.get("Cervical mucus", "").strip() or None,
            "notes": row.get("Notes", "").strip().removeprefix("'"),
        }
        days.append((f"line {line}", entry))
    return from_days(days)


def from_days(days) -> History:
    history = History()
    bleeding, starts = [], []
    signs = SignDays()
    for record, entry in days:
        try:
            day = parse_day(entry.get("date"), record)
            period = entry.get("period")
            if period not in (True, False, None):
                raise RecordError(f"Period {str(period)[:20]!r}: Yes or No.")
            if period:
                bleeding.append(day)
                if entry.get("cycle_start") is True:
                    starts.append(day)
            bbt = entry.get("bbt")
            bbt = None if bbt in (None, "", 0) else celsius(bbt)
            notes = entry.get("notes") if isinstance(entry.get("notes"), str) else ""
        except RecordError as error:
            history.problem(record, str(error))
            continue
        try:
            mucus = mucus_word(entry.get("cervical_mucus"))
        except RecordError as error:
            history.problem(record, str(error))
            mucus = None
        signs.add(day, record, bbt_celsius=bbt, cervical_mucus=mucus, notes=notes.strip())
    history.periods = periods_from_days(bleeding, starts, label="Ovumcy period days")
    history.signs = signs.records()
    return history
