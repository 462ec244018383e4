"""One parser per format, in pure Python: a binary stream in, a ``History`` of
plain records out (``records.py``). ``parse`` detects the format when none is
named. No Django here (the ``pure`` import contract): the imports app turns the
records into rows."""

from . import apple_health, clue, drip, flo, ovumcy, planher
from .records import (
    APPLE_HEALTH,
    CLUE,
    DRIP,
    FLO,
    FORMATS,
    OVUMCY,
    PLANHER,
    History,
    MoodRecord,
    PeriodRecord,
    Problem,
    SignRecord,
    UnreadableFile,
    validated,
)
from .text import decode, load_json

__all__ = [
    "FORMATS",
    "History",
    "MoodRecord",
    "PeriodRecord",
    "Problem",
    "SignRecord",
    "UnreadableFile",
    "detect",
    "parse",
    "validated",
]

HEAD_BYTES = 4096
UNKNOWN = (
    "PlanHer cannot tell which app wrote this file. Send `format` (planher, drip, clue, flo, "
    "apple_health or ovumcy), or export it again from the app."
)


def detect(head: bytes) -> str | None:
    """The format of a file from its first bytes, where they tell; ``"json"``
    when only its content can (read by ``parse``)."""
    if head.startswith(apple_health.ZIP_MAGIC):
        return APPLE_HEALTH
    try:
        text = decode(head[:HEAD_BYTES])
    except UnreadableFile:
        # A multi-byte character cut by the head: decode what is whole.
        text = head[:HEAD_BYTES].decode("utf-8", errors="ignore")
    text = text.lstrip()
    if text.startswith("<"):
        return APPLE_HEALTH
    if text.startswith(("{", "[")):
        return "json"
    first_line = text.split("\n", 1)[0]
    columns = {name.strip().strip('"') for name in first_line.split(",")}
    if {"date", "bleeding.value"} <= columns:
        return DRIP
    if columns >= ovumcy.CSV_COLUMNS:
        return OVUMCY
    return None


def detect_json(document) -> str | None:
    if planher.looks_like(document):
        return PLANHER
    if isinstance(document, dict) and "operationalData" in document:
        return FLO
    if isinstance(document, dict) and "entries" in document:
        return OVUMCY
    if isinstance(document, list):
        return CLUE
    return None


def parse(stream, fmt: str | None = None) -> tuple[str, History]:
    """Read a whole file (``stream``: binary, seekable). Returns the format and
    its records; raises ``UnreadableFile`` when it cannot be read at all."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise UnreadableFile("The file is empty.")
    found = detect(head)
    if fmt is None and found is None:
        raise UnreadableFile(UNKNOWN)
    if fmt == APPLE_HEALTH or (fmt is None and found == APPLE_HEALTH):
        return APPLE_HEALTH, apple_health.parse(stream)
    if fmt == DRIP:
        return DRIP, drip.parse(stream)
    if (fmt == OVUMCY and found != "json") or (fmt is None and found == OVUMCY):
        return OVUMCY, ovumcy.parse_csv(stream)
    if fmt is None and found == DRIP:
        return DRIP, drip.parse(stream)
    document = load_json(stream)
    fmt = fmt or detect_json(document)
    readers = {
        PLANHER: planher.from_document,
        FLO: flo.from_document,
        OVUMCY: ovumcy.from_document,
        CLUE: clue.from_document,
    }
    if fmt not in readers:
        raise UnreadableFile(UNKNOWN)
    return fmt, readers[fmt](document)
