"""Her export as a spreadsheet: one row for each day with data.

Built from the export document (``services.user_export``: the sections each
app registers in ``core.userdata``), so accounts still imports none of the apps:
``periods`` (``start_date``, ``end_date``), ``moods`` (``date``,
``energy_level``, ``notes``) and ``signs`` (``date``, ``bbt_celsius``,
``lh_test``, ``cervical_mucus``, ``notes``). A day of a period is a day with
data; an ongoing period counts up to her today (at most its longest length).
"""

from datetime import date, timedelta

from core.vocabulary import MAX_PERIOD_DAYS

COLUMNS = ["date", "period", "energy_level", "notes", "bbt_celsius", "lh_test", "cervical_mucus"]
# A cell a spreadsheet would run as a formula starts with one of these: such
# notes get a leading apostrophe (OWASP's advice on CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(text: str) -> str:
    return f"'{text}" if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def export_days(document: dict, *, today: date) -> list[dict]:
    days: dict[date, dict] = {}

    def day(value) -> dict:
        when = date.fromisoformat(value) if isinstance(value, str) else value
        return days.setdefault(when, {"date": when.isoformat(), "period": "no"})

    for period in document.get("periods") or []:
        start = date.fromisoformat(period["start_date"])
        if period.get("end_date"):
            end = date.fromisoformat(period["end_date"])
        else:
            end = max(start, min(today, start + timedelta(days=MAX_PERIOD_DAYS - 1)))
        for offset in range((end - start).days + 1):
            day(start + timedelta(days=offset))["period"] = "yes"
    for mood in document.get("moods") or []:
        row = day(mood["date"])
        row["energy_level"] = mood["energy_level"]
        row["notes"] = str(mood.get("notes") or "")
    for sign in document.get("signs") or []:
        row = day(sign["date"])
        row["bbt_celsius"] = "" if sign.get("bbt_celsius") is None else f"{sign['bbt_celsius']:.2f}"
        row["lh_test"] = sign.get("lh_test") or ""
        row["cervical_mucus"] = sign.get("cervical_mucus") or ""
        notes = str(sign.get("notes") or "")
        if notes:
            row["notes"] = f"{row['notes']} | {notes}" if row.get("notes") else notes
    rows = []
    for when in sorted(days):
        row = {column: days[when].get(column, "") for column in COLUMNS}
        row["notes"] = safe_text(row["notes"])
        rows.append(row)
    return rows
