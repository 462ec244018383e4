"""The JSON renderer (orjson) writes the bytes DRF's own renderer writes."""

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict

from core.renderers import JSONRenderer

ANSWERS = {
    "dates": {"date": date(2026, 3, 1), "none": None, "list": [date(2026, 1, 31)]},
    "datetimes": {
        "utc": datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC),
        "whole second": datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC),
        "offset": datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
        "naive": datetime(2026, 3, 1, 12, 0, 0, 1000),
        "time": time(7, 45, 0, 250000),
    },
    "decimals": {"weight_kg": Decimal("61.5"), "bmi": Decimal("22.04"), "zero": Decimal("0")},
    "text": {"plain": "ok", "accents": "Zoë, naïve, 東京", "emoji": "🌙", "quote": 'a "b" \\ c'},
    "line separators": {"detail": "one\u2028two\u2029three"},
    "lazy text and ids": {"detail": gettext_lazy("Not found."), "id": uuid.UUID(int=7)},
    "numbers": {"int": 2**63 - 1, "float": 0.1, "negative": -3, "bool": True},
    "a serializer's data": ReturnDict({"id": 1, "date": "2026-03-01"}, serializer=None),
    "a list": [{"a": 1}, {"b": [1, 2, {"c": None}]}],
}


@pytest.mark.parametrize("name", list(ANSWERS))
def test_an_answer_is_written_byte_for_byte_as_drf_writes_it(name):
    data = ANSWERS[name]
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


@pytest.mark.parametrize(
    "data",
    [
        {"huge": 2**70},  # beyond orjson's 64 bits
        {1: "a non-string key"},
        {"lone": "\ud83d"},  # a lone surrogate
    ],
    ids=["huge integer", "integer key", "lone surrogate"],
)
def test_what_orjson_refuses_is_still_written_as_before(data):
    rendered = JSONRenderer().render(data)
    assert json.loads(rendered) == json.loads(json.dumps(data))


def test_an_indented_answer_and_no_answer_are_drfs():
    data = {"a": [1, 2]}
    indented = JSONRenderer().render(data, "application/json; indent=2")
    assert indented == renderers.JSONRenderer().render(data, "application/json; indent=2")
    assert JSONRenderer().render(None) == b""
