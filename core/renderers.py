"""The renderers: JSON for every endpoint (no text can make an answer fail), CSV for the export.

JSON: orjson writes the answer (about ten times as fast as the standard library);
what it does not write itself goes through DRF's own encoder, so an answer's
bytes are the ones DRF would have written: datetimes as DRF spells them
(milliseconds, ``Z``), dates, decimals as numbers, lazy strings. Anything
orjson refuses (a lone surrogate, an integer beyond 64 bits, a non-string
key) or an indented answer (the browsable API) takes the standard library's
path, as before.
"""

import csv
import io

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_DRF_DEFAULT = JSONEncoder().default
# datetime, date and time go to DRF's encoder: its spelling, not orjson's.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
_LINE_SEPARATORS = (b"\xe2\x80\xa8", b"\xe2\x80\xa9")  # U+2028, U+2029 in UTF-8


class RenderedJSON(bytes):
    """An answer already written by this renderer (a cached one): served as it is,
    with no decoding and no encoding again."""


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if type(data) is RenderedJSON:
            return bytes(data)
        if data is None:
            return b""
        if not self.get_indent(accepted_media_type, renderer_context or {}):
            try:
                body = orjson.dumps(data, default=_DRF_DEFAULT, option=_OPTIONS)
            except orjson.JSONEncodeError:
                pass  # the standard library's path below says what it makes of it
            else:
                if _LINE_SEPARATORS[0] in body or _LINE_SEPARATORS[1] in body:
                    # Escaped, as DRF does: valid JSON either way, but not JavaScript.
                    body = body.replace(_LINE_SEPARATORS[0], b"\\u2028")
                    body = body.replace(_LINE_SEPARATORS[1], b"\\u2029")
                return body
        return self.render_standard(data, accepted_media_type, renderer_context)

    def render_standard(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A lone surrogate (sent as "\ud800" in a JSON string and echoed by
            # a validation message) has no UTF-8 form: write it as a JSON
            # escape instead, as it came in.
            escaping = type(self)()
            escaping.ensure_ascii = True
            return escaping.render_standard(data, accepted_media_type, renderer_context)


class CSVRenderer(renderers.BaseRenderer):
    """Rows (a list of dicts) as CSV, for spreadsheets: UTF-8 with a byte-order
    mark (so Excel reads accents), CRLF line ends, the view's ``csv_columns``
    as the header. An error answer (a dict) is written as ``field,message`` rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        out = io.StringIO()
        writer = csv.writer(out)
        if isinstance(data, list):
            columns = getattr(view, "csv_columns", None) or (list(data[0]) if data else [])
            writer.writerow(columns)
            for row in data:
                writer.writerow([row.get(column, "") for column in columns])
        elif isinstance(data, dict):
            writer.writerow(["field", "message"])
            for key, value in data.items():
                message = "; ".join(map(str, value)) if isinstance(value, list) else value
                writer.writerow([key, message])
        return ("\ufeff" + out.getvalue()).encode("utf-8", errors="backslashreplace")
