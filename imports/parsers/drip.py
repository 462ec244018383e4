"""drip's CSV export: one line per day, columns named like ``bleeding.value``.

- ``bleeding.value``: 0 spotting, 1 light, 2 medium, 3 heavy. Days of 1-3 make
  her periods (consecutive days, a one-day gap bridged); spotting alone is not a
  period. A value with ``bleeding.exclude`` true is left out, as drip leaves it
  out of its own cycle rules.
- ``temperature.value`` (°C) unless ``temperature.exclude``.
- mucus: ``mucus.value`` (drip's NFP value 0-4, else derived from
  ``mucus.feeling`` 0 dry/1 nothing/2 wet/3 slippery and ``mucus.texture``
  0 nothing/1 creamy/2 egg white) unless ``mucus.exclude``: 0 dry, 1 sticky,
  2 watery (wet feeling, no texture), 3 creamy, 4 egg white.
- ``note.value``: the day's note (a sign's notes).
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
from .text import csv_rows

FEELING_NFP = {0: 0, 1: 1, 2: 2, 3: 4}
TEXTURE_NFP = {0: 0, 1: 3, 2: 4}
NFP_MUCUS = {0: "dry", 1: "sticky", 2: "watery", 3: "creamy", 4: "eggwhite"}


def is_true(text: str) -> bool:
    return text.strip().lower() == "true"


def number(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise RecordError(f"{text[:20]!r} is not a number.") from None


def parse(stream) -> History:
    header, rows = csv_rows(stream)
    if "date" not in header or "bleeding.value" not in header:
        raise UnreadableFile(
            "This is not a drip CSV export: its first line names no `date` and "
            "`bleeding.value` columns."
        )
    history = History()
    bleeding = []
    signs = SignDays()
    for line, row in rows:
        record = f"line {line}"
        try:
            day = parse_day(row.get("date", "").strip(), record)
            flow = number(row.get("bleeding.value", ""))
            if flow is not None and not is_true(row.get("bleeding.exclude", "")):
                if flow not in (0, 1, 2, 3):
                    raise RecordError(f"Bleeding {flow}: drip writes 0 to 3.")
                if flow > 0:
                    bleeding.append(day)
            bbt = None
            temperature = row.get("temperature.value", "").strip()
            if temperature and not is_true(row.get("temperature.exclude", "")):
                bbt = celsius(temperature)
            mucus = None
            if not is_true(row.get("mucus.exclude", "")):
                value = number(row.get("mucus.value", ""))
                if value is None:
                    feeling = number(row.get("mucus.feeling", ""))
                    texture = number(row.get("mucus.texture", ""))
                    if feeling is not None and texture is not None:
                        value = max(FEELING_NFP.get(feeling, 0), TEXTURE_NFP.get(texture, 0))
                if value is not None:
                    if value not in NFP_MUCUS:
                        raise RecordError(f"Mucus value {value}: drip writes 0 to 4.")
                    mucus = NFP_MUCUS[value]
            note = row.get("note.value", "").strip()
        except RecordError as error:
            history.problem(record, str(error))
            continue
        signs.add(day, record, bbt_celsius=bbt, cervical_mucus=mucus, notes=note)
    history.periods = periods_from_days(bleeding, label="drip bleeding days")
    history.signs = signs.records()
    return history
