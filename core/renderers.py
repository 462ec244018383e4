"""The renderers: JSON for every endpoint (no text can make an answer fail), CSV for the export."""

import csv
import io

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A lone surrogate (sent as "\ud800" in a JSON string and echoed by
            # a validation message) has no UTF-8 form: write it as a JSON
            # escape instead, as it came in.
            escaping = type(self)()
            escaping.ensure_ascii = True
            return escaping.render(data, accepted_media_type, renderer_context)


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
