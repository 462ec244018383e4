"""The JSON parser every endpoint uses: malformed bodies are a 400, never a 500."""

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Real bodies nest two or three levels; past this the body is refused before
# any code walks it (a deep one would exhaust the interpreter's recursion).
MAX_JSON_DEPTH = 32


def nesting_depth(value) -> int:
    """How many arrays and objects deep ``value`` goes, without recursing."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            # NaN and Infinity are not JSON: refused, as DRF's strict mode does.
            data = json.loads(text, parse_constant=json.strict_constant)
        except RecursionError as error:
            raise ParseError(too_deep()) from error
        except ValueError as error:  # UnicodeDecodeError included
            raise ParseError(f"JSON parse error - {error}") from error
        if nesting_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(too_deep())
        return data


def too_deep() -> str:
    return f"The JSON body is nested too deeply: at most {MAX_JSON_DEPTH} levels are accepted."
