"""Reading a whole text file (CSV, JSON) safely: a size cap, UTF-8 (or UTF-16
with its byte-order mark), and every failure told as ``UnreadableFile``."""

import csv
import io
import json

from .records import UnreadableFile

# JSON and CSV exports are read whole. Ten years of daily entries of any app
# here is a few MB; past this cap the file is not one of theirs.
MAX_TEXT_BYTES = 50 * 1024 * 1024
# A CSV line longer than this is not a day of hers (csv refuses longer fields
# on its own; this names the line).
MAX_LINE_CHARS = 64 * 1024


def read_text(stream) -> str:
    data = stream.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise UnreadableFile(
            f"The file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB, more than any "
            "export of this format holds: is it the right file?"
        )
    return decode(data)


def decode(data: bytes) -> str:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"The file is not UTF-8 text (byte {error.start} cannot be read): export it "
            "again from the app, or save it as UTF-8."
        ) from None


def load_json(stream):
    text = read_text(stream)
    try:
        return json.loads(text)
    except RecursionError:
        raise UnreadableFile("The JSON is nested too deeply to be an export.") from None
    except ValueError as error:
        raise UnreadableFile(
            f"The file is not valid JSON ({error}): it may be cut short; export it again."
        ) from None


def csv_rows(stream):
    """The header (stripped names) and an iterator of ``(line number, row dict)``."""
    text = read_text(stream)
    for number, line in enumerate(io.StringIO(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise UnreadableFile(
                f"Line {number} is {len(line)} characters long: no export line is. "
                "Is it the right file?"
            )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile("The file is empty.") from None
    except csv.Error as error:
        raise UnreadableFile(f"Line 1 is not CSV: {error}.") from None
    header = [name.strip() for name in header]

    def rows():
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, dict(zip(header, row, strict=False))
        except csv.Error as error:
            raise UnreadableFile(f"Line {reader.line_num} is not CSV: {error}.") from None

    return header, rows()
