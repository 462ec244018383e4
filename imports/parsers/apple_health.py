"""Apple Health's ``export.xml``, alone or inside its ``export.zip``.

Hundreds of MB of records, nearly all about other things (steps, heart rate):
read as a stream (``iterparse``), each top-level element cleared once read, so
memory stays flat whatever the size. ``defusedxml`` refuses entity declarations
(the "billion laughs" and external entities); Apple's own inline DTD declares
only elements and attributes, which pass.

- ``HKCategoryTypeIdentifierMenstrualFlow``: a bleeding day unless its value is
  ``...MenstrualFlowNone``; metadata ``HKMenstrualCycleStart`` = 1 marks a
  period's first day. Consecutive days (a one-day gap bridged) form a period.
- ``HKQuantityTypeIdentifierBasalBodyTemperature``: in ``degC`` or ``degF``; the
  first reading of a day is her basal one.
- ``HKCategoryTypeIdentifierOvulationTestResult``: negative, or positive (an LH
  surge counts as positive); indeterminate and estrogen surge are passed over.
- ``HKCategoryTypeIdentifierCervicalMucusQuality``: dry, sticky, creamy, watery,
  egg white.
The day of a record is the local date written in its ``startDate``
(``2024-01-05 07:12:00 +0100`` is the 5th, whatever the offset).

In a zip, members named with ``..``, an absolute path or a drive are refused
(nothing is ever extracted to disk, but such an archive is not Apple's); the
XML's declared and real size are capped and so is its compression ratio (a zip
bomb is refused before it is inflated).
"""

import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .records import (
    History,
    RecordError,
    SignDays,
    UnreadableFile,
    celsius,
    parse_day,
    periods_from_days,
)

ZIP_MAGIC = b"PK\x03\x04"
# export.xml inflated: Apple's run to a few GB for years of a watch's records.
MAX_XML_BYTES = 4 * 1024**3
# Apple's XML compresses about 10-30 times; a bomb, a thousand to millions of times.
MAX_COMPRESSION_RATIO = 200

FLOW = "HKCategoryTypeIdentifierMenstrualFlow"
BBT = "HKQuantityTypeIdentifierBasalBodyTemperature"
OVULATION = "HKCategoryTypeIdentifierOvulationTestResult"
MUCUS = "HKCategoryTypeIdentifierCervicalMucusQuality"
NO_FLOW = "HKCategoryValueMenstrualFlowNone"
LH = {
    "HKCategoryValueOvulationTestResultNegative": "negative",
    "HKCategoryValueOvulationTestResultPositive": "positive",
    "HKCategoryValueOvulationTestResultLuteinizingHormoneSurge": "positive",
}
MUCUS_VALUES = {
    "HKCategoryValueCervicalMucusQualityDry": "dry",
    "HKCategoryValueCervicalMucusQualitySticky": "sticky",
    "HKCategoryValueCervicalMucusQualityCreamy": "creamy",
    "HKCategoryValueCervicalMucusQualityWatery": "watery",
    "HKCategoryValueCervicalMucusQualityEggWhite": "eggwhite",
}
WANTED = {FLOW, BBT, OVULATION, MUCUS}


def unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


class CappedReader:
    """Reads at most ``limit`` bytes from ``raw``; one more is an error (a zip
    entry's real size can exceed what its header says)."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.read_so_far = raw, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size and size > 0 else 64 * 1024)
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise UnreadableFile(
                f"export.xml inflates past {self.limit // 1024**2} MB: refused as a zip bomb."
            )
        return data


def open_xml(stream):
    """The XML stream: the file itself, or export.xml inside the zip."""
    head = stream.read(4)
    stream.seek(0)
    if head != ZIP_MAGIC:
        return stream, None
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise UnreadableFile(
            f"The zip archive cannot be read ({error}): it may be cut short; export it again."
        ) from None
    for member in members:
        if unsafe_name(member.filename):
            raise UnreadableFile(
                f"The archive holds a file named {member.filename[:80]!r}, outside its "
                "folder: refused (Apple's export.zip has no such name)."
            )
    candidates = [
        m for m in members if m.filename.replace("\\", "/").split("/")[-1] == "export.xml"
    ]
    if not candidates:
        raise UnreadableFile("The zip holds no export.xml: is it Apple Health's export.zip?")
    member = min(candidates, key=lambda m: m.filename.count("/"))
    if member.file_size > MAX_XML_BYTES:
        raise UnreadableFile(f"export.xml inflates past {MAX_XML_BYTES // 1024**2} MB: refused.")
    if member.compress_size and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
        raise UnreadableFile(
            f"export.xml is compressed {member.file_size // member.compress_size} times: "
            "refused as a zip bomb (Apple's compress about 10 to 30 times)."
        )
    try:
        raw = archive.open(member)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as error:
        raise UnreadableFile(f"export.xml cannot be read from the zip ({error}).") from None
    return CappedReader(raw, min(MAX_XML_BYTES, max(member.file_size, 1))), archive


def parse(stream) -> History:
    xml, archive = open_xml(stream)
    history = History()
    bleeding, starts = [], []
    signs = SignDays()
    count = 0
    depth = 0
    root = None
    try:
        for event, element in iterparse(xml, events=("start", "end"), forbid_dtd=False):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if element.tag != "HealthData":
                        raise UnreadableFile(
                            f"This XML is not Apple Health's export.xml (it starts with "
                            f"<{str(element.tag)[:40]}>, not <HealthData>)."
                        )
                continue
            depth -= 1
            if depth != 1:
                continue  # inside a top-level element: kept until that one ends
            if element.tag == "Record":
                count += 1
                kind = element.get("type")
                if kind in WANTED:
                    read_record(element, kind, count, history, bleeding, starts, signs)
            root.clear()  # what was read goes: memory stays flat
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, EOFError) as error:
        reason = (
            "it declares entities, which PlanHer refuses"
            if isinstance(error, DefusedXmlException)
            else str(error)
        )
        raise UnreadableFile(
            f"export.xml cannot be read ({reason}): it may be cut short; export it again."
        ) from None
    finally:
        if archive is not None:
            archive.close()
    if root is None:
        raise UnreadableFile("The file is empty.")
    history.periods = periods_from_days(bleeding, starts, label="Apple Health flow days")
    history.signs = signs.records()
    return history


def read_record(element, kind, count, history, bleeding, starts, signs) -> None:
    short = kind.removeprefix("HKCategoryTypeIdentifier").removeprefix("HKQuantityTypeIdentifier")
    record = f"record {count} ({short})"
    value = element.get("value", "")
    try:
        day = parse_day(element.get("startDate"), record)
        record = f"{record} on {day}"
        if kind == FLOW:
            if value != NO_FLOW:
                bleeding.append(day)
                for entry in element.iter("MetadataEntry"):
                    if entry.get("key") == "HKMenstrualCycleStart" and entry.get("value") == "1":
                        starts.append(day)
        elif kind == BBT:
            signs.add(day, record, bbt_celsius=celsius(value, unit=element.get("unit", "degC")))
        elif kind == OVULATION and value in LH:
            signs.add(day, record, lh_test=LH[value])
        elif kind == MUCUS and value in MUCUS_VALUES:
            signs.add(day, record, cervical_mucus=MUCUS_VALUES[value])
    except RecordError as error:
        history.problem(record, str(error))
