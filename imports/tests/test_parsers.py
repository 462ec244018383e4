"""Each format's parser, on fixtures written for PlanHer from each app's public
documentation and code (no database: the parsers are pure)."""

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from imports import parsers
from imports.parsers import apple_health, text
from imports.parsers.records import PeriodRecord, SignRecord, periods_from_days, validated

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, fmt: str | None = None):
    with open(FIXTURES / name, "rb") as stream:
        return parsers.parse(stream, fmt)


def spans(history) -> list[tuple[date, date | None]]:
    return [(p.start, p.end) for p in history.periods]


def signs(history) -> dict:
    return {s.date: (s.bbt_celsius, s.lh_test, s.cervical_mucus, s.notes) for s in history.signs}


def d(text: str) -> date:
    return date.fromisoformat(text)


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


# --- Each format -------------------------------------------------------------------------


def test_a_drip_csv_gives_her_bleeding_runs_as_periods_and_her_signs():
    fmt, history = read("drip.csv")
    assert fmt == "drip"
    # A day she forgot inside a period (01-02) does not split it; spotting alone
    # (01-15) is not a period; an excluded bleeding day (02-10) is left out.
    assert spans(history) == [
        (d("2024-01-01"), d("2024-01-04")),
        (d("2024-01-29"), d("2024-01-31")),
    ]
    assert signs(history) == {
        d("2024-01-01"): (Decimal("36.30"), None, None, ""),
        d("2024-01-12"): (None, None, "dry", ""),  # its temperature was excluded
        d("2024-01-14"): (Decimal("36.55"), None, "watery", ""),  # wet feeling, no texture
        d("2024-01-15"): (Decimal("36.50"), None, None, ""),
        d("2024-01-16"): (Decimal("36.90"), None, "eggwhite", "stretchy, clear"),
        d("2024-01-29"): (Decimal("36.45"), None, None, ""),
    }
    assert history.problems == []


def test_clue_measurements_give_periods_and_lh_tests():
    fmt, history = read("clue_measurements.json")
    assert fmt == "clue"
    assert spans(history) == [
        (d("2024-03-01"), d("2024-03-05")),
        (d("2024-03-29"), d("2024-03-30")),
    ]
    assert signs(history) == {
        d("2024-03-13"): (None, "negative", None, ""),
        d("2024-03-14"): (None, "positive", None, ""),
    }


def test_a_flo_export_gives_its_cycles_periods_with_inclusive_ends():
    fmt, history = read("flo.json")
    assert fmt == "flo"
    assert spans(history) == [
        (d("2022-12-13"), d("2022-12-17")),
        (d("2023-01-11"), d("2023-01-15")),
        (d("2023-02-08"), d("2023-02-11")),
    ]
    assert history.signs == []


@pytest.mark.parametrize("name", ["ovumcy.json", "ovumcy.csv"])
def test_an_ovumcy_export_json_or_csv_gives_the_same_periods_and_signs(name):
    fmt, history = read(name)
    assert fmt == "ovumcy"
    assert spans(history) == [
        (d("2024-05-01"), d("2024-05-03")),
        (d("2024-05-29"), d("2024-05-30")),
    ]
    assert signs(history) == {
        d("2024-05-01"): (Decimal("36.40"), None, None, ""),
        d("2024-05-02"): (None, None, None, "tired"),
        d("2024-05-12"): (Decimal("36.60"), None, "creamy", ""),
        d("2024-05-14"): (Decimal("36.70"), None, "eggwhite", ""),
        d("2024-05-16"): (None, None, "sticky", ""),  # moist; BBT 0 is "not measured"
    }


def test_apple_health_gives_flow_days_as_periods_and_signs_on_the_day_written():
    fmt, history = read("apple_export.xml")
    assert fmt == "apple_health"
    assert spans(history) == [
        (d("2024-04-02"), d("2024-04-04")),
        (d("2024-04-30"), d("2024-05-01")),
    ]
    assert signs(history) == {
        d("2024-04-13"): (None, "negative", None, ""),
        d("2024-04-14"): (Decimal("36.42"), None, None, ""),
        # 98.1 °F at 23:30 -0700 is the 15th (the local date written), in °C.
        d("2024-04-15"): (Decimal("36.72"), "positive", "eggwhite", ""),
    }


def test_apple_healths_export_zip_reads_like_its_export_xml():
    data = (FIXTURES / "apple_export.xml").read_bytes()
    archive = zipped(
        {"apple_health_export/export.xml": data, "apple_health_export/export_cda.xml": b"<x/>"}
    )
    fmt, history = parsers.parse(archive)
    assert fmt == "apple_health"
    assert spans(history) == spans(read("apple_export.xml")[1])


def test_a_cycle_start_marked_by_the_app_begins_a_new_period_even_on_the_next_day():
    days = [d("2024-01-01"), d("2024-01-02"), d("2024-01-03")]
    assert [(p.start, p.end) for p in periods_from_days(days, [d("2024-01-03")])] == [
        (d("2024-01-01"), d("2024-01-02")),
        (d("2024-01-03"), d("2024-01-03")),
    ]


def test_the_format_named_wins_and_a_file_of_another_app_says_what_it_is_not():
    with pytest.raises(parsers.UnreadableFile, match="not a Flo export"):
        read("clue_measurements.json", "flo")
    with pytest.raises(parsers.UnreadableFile, match="not a drip CSV"):
        read("ovumcy.csv", "drip")


def test_a_file_no_app_wrote_is_told_to_name_its_format():
    with pytest.raises(parsers.UnreadableFile, match="cannot tell which app"):
        parsers.parse(io.BytesIO(b"a,b,c\n1,2,3\n"))


# --- Her rules ------------------------------------------------------------------------------


def test_future_days_and_values_out_of_range_are_named_one_by_one_and_left_out():
    history = parsers.History(
        periods=[
            PeriodRecord(d("2024-01-01"), d("2024-01-05"), "cycle 1"),
            PeriodRecord(d("2026-12-01"), d("2026-12-03"), "cycle 2"),
            PeriodRecord(d("2024-02-01"), d("2024-02-20"), "cycle 3"),
        ],
        signs=[
            SignRecord(d("2024-01-10"), "line 4", bbt_celsius=Decimal("36.50")),
            SignRecord(d("2024-01-11"), "line 5", bbt_celsius=Decimal("98.60")),
        ],
    )
    clean = validated(history, today=d("2026-11-28"))
    assert [p.record for p in clean.periods] == ["cycle 1"]
    assert [s.record for s in clean.signs] == ["line 4"]
    problems = {p.record: p.message for p in clean.problems}
    assert set(problems) == {"cycle 2", "cycle 3", "line 5"}
    assert "after your today (2026-11-28)" in problems["cycle 2"]
    assert "at most 15 days" in problems["cycle 3"]
    assert "98.60 °C" in problems["line 5"]


def test_a_record_that_cannot_be_read_is_reported_and_the_others_are_kept():
    data = b"date,bleeding.value,temperature.value\n2024-01-01,2,\nnot-a-date,1,\n2024-01-02,9,\n"
    _fmt, history = parsers.parse(io.BytesIO(data))
    assert spans(history) == [(d("2024-01-01"), d("2024-01-01"))]
    assert [p.record for p in history.problems] == ["line 3", "line 4"]


# --- Hostile files ------------------------------------------------------------------------


def test_an_xml_bomb_is_refused_before_any_entity_is_expanded():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n <!ENTITY a "aaaaaaaaaa">\n'
        + b"".join(
            f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode()
            for i in range(9)
        )
        + b"]>\n<HealthData>&j;</HealthData>\n"
    )
    with pytest.raises(parsers.UnreadableFile, match="declares entities"):
        parsers.parse(io.BytesIO(bomb))


def test_an_external_entity_is_refused():
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<HealthData>&x;</HealthData>"
    )
    with pytest.raises(parsers.UnreadableFile, match="declares entities"):
        parsers.parse(io.BytesIO(xxe))


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_it_is_inflated():
    archive = zipped({"apple_health_export/export.xml": b"\0" * (20 * 1024 * 1024)})
    assert archive.getbuffer().nbytes < 100 * 1024
    with pytest.raises(parsers.UnreadableFile, match="zip bomb"):
        parsers.parse(archive)


def test_a_zip_entry_that_inflates_past_its_declared_size_is_stopped(monkeypatch):
    # A forged header can understate the size: reading stops at the cap anyway.
    monkeypatch.setattr(apple_health, "MAX_XML_BYTES", 1000)
    xml = (FIXTURES / "apple_export.xml").read_bytes()
    with pytest.raises(parsers.UnreadableFile, match="inflates past"):
        parsers.parse(zipped({"export.xml": xml}, zipfile.ZIP_STORED))


@pytest.mark.parametrize(
    "name",
    ["../export.xml", "apple_health_export/../../etc/export.xml", "/tmp/export.xml", "C:evil"],
)
def test_a_zip_member_named_outside_its_folder_is_refused(name):
    archive = zipped({name: (FIXTURES / "apple_export.xml").read_bytes()})
    with pytest.raises(parsers.UnreadableFile, match="outside its folder"):
        parsers.parse(archive)


def test_a_huge_line_is_refused_with_its_line_number():
    data = (
        b"date,bleeding.value,note.value\n2024-01-01,1,ok\n2024-01-02,1," + b"x" * 200_000 + b"\n"
    )
    with pytest.raises(parsers.UnreadableFile, match="Line 3 is 2000"):
        parsers.parse(io.BytesIO(data))


def test_a_file_over_the_text_cap_is_refused_without_reading_it_all(monkeypatch):
    monkeypatch.setattr(text, "MAX_TEXT_BYTES", 100)
    with pytest.raises(parsers.UnreadableFile, match="larger than"):
        read("flo.json")


def test_a_file_in_another_encoding_is_told_to_be_saved_as_utf8():
    data = "date,bleeding.value,note.value\n2024-01-01,1,crampes très fortes\n".encode("latin-1")
    with pytest.raises(parsers.UnreadableFile, match="not UTF-8"):
        parsers.parse(io.BytesIO(data))


def test_utf16_with_its_byte_order_mark_is_read():
    data = (FIXTURES / "flo.json").read_text().encode("utf-16")
    fmt, history = parsers.parse(io.BytesIO(data), "flo")
    assert (fmt, len(history.periods)) == ("flo", 3)


@pytest.mark.parametrize(
    ("name", "fmt", "reason"),
    [
        ("flo.json", "flo", "not valid JSON"),
        ("clue_measurements.json", "clue", "not valid JSON"),
        ("apple_export.xml", None, "cannot be read"),
    ],
)
def test_a_truncated_file_fails_whole_with_a_reason(name, fmt, reason):
    data = (FIXTURES / name).read_bytes()
    with pytest.raises(parsers.UnreadableFile, match=reason):
        parsers.parse(io.BytesIO(data[: len(data) * 2 // 3]), fmt)


def test_a_truncated_zip_fails_whole_with_a_reason():
    archive = zipped({"export.xml": (FIXTURES / "apple_export.xml").read_bytes()}).getvalue()
    with pytest.raises(parsers.UnreadableFile, match="cut short"):
        parsers.parse(io.BytesIO(archive[: len(archive) // 2]))


def test_an_empty_file_is_refused():
    with pytest.raises(parsers.UnreadableFile, match="empty"):
        parsers.parse(io.BytesIO(b""))
