"""GET /calendar (issue 16, item 1): past and future in one answer, agreeing day by
day with /predictions/forecast and, for today and later, /predictions/current; a
fixed number of queries whatever the range."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from moods.tests.factories import DailyMoodFactory
from predictions import training
from predictions.models import PredictionRecord
from signs.models import Sign

from .factories import FROZEN_NOW, TODAY, log_moods, store_history
from .test_coherence import SITUATIONS, iso, ok

CALENDAR = "/api/v1/calendar"
CURRENT = "/api/v1/predictions/current"
FORECAST = "/api/v1/predictions/forecast"


@pytest.fixture
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def a_year_around(today: date) -> tuple[date, date]:
    return today - timedelta(days=182), today + timedelta(days=183)


def forecast_over(client, start: date, end: date) -> dict[str, dict]:
    """/forecast for every day of [start, end], asked 90 days at a time."""
    by_date = {}
    first = start
    while first <= end:
        length = min(90, (end - first).days + 1)
        for day in ok(client.get(FORECAST, {"start": iso(first), "days": length}))["days"]:
            by_date[day["date"]] = day
        first += timedelta(days=length)
    return by_date


def assert_calendar_agrees(client, user, *, current_offsets=(1, 5, 13, 30, 61, 120, 183)):
    """Every day of a year: the forecast's placement and energy; today and later
    days: /current's day, phase, fertile window, ovulation and energy."""
    today = user.local_today()
    start, end = a_year_around(today)
    body = ok(client.get(CALENDAR, {"start": iso(start), "end": iso(end)}))
    assert (body["start"], body["end"]) == (iso(start), iso(end))
    days = body["days"]
    assert [day["date"] for day in days] == [iso(start + timedelta(n)) for n in range(366)]
    forecast = forecast_over(client, start, end)
    for day in days:
        seen = forecast[day["date"]]
        assert day["day_of_cycle"] == seen["day_of_cycle"], day
        assert day["phase"] == seen["phase"], day
        assert day["is_fertile"] == seen["is_fertile"], day
        assert (day["period"] == "predicted") == seen["is_predicted_period"], day
        if day["date"] >= iso(today):
            assert day["energy_predicted"] == seen["energy"], day
        else:
            assert day["energy_predicted"] is None, day
            assert day["period"] != "predicted", day
    by_date = {day["date"]: day for day in days}
    for offset in (0, *current_offsets):
        when = iso(today + timedelta(days=offset))
        current = ok(client.get(CURRENT, {"date": when}))
        day = by_date[when]
        assert (day["day_of_cycle"], day["phase"]) == (current["day_of_cycle"], current["phase"])
        assert day["energy_predicted"] == current["energy"], when
        if current["fertile_window"] is None:
            assert not day["is_fertile"] and not day["is_ovulation"]
            continue
        window = current["fertile_window"]
        assert day["is_fertile"] == (window["start"] <= when <= window["end"])
        # Her ovulation day in this cycle is the one /current names.
        assert by_date.get(current["ovulation_date"], {"is_ovulation": True})["is_ovulation"]
        assert day["is_ovulation"] == (current["ovulation_date"] == when)
    return body


@pytest.mark.parametrize("situation", SITUATIONS)
def test_the_calendar_agrees_with_current_and_forecast_over_a_year(
    frozen_today, situation, user, api
):
    SITUATIONS[situation](user)
    log_moods(user, 20, first=TODAY - timedelta(days=25))
    body = assert_calendar_agrees(api, user)
    assert body["detail"] is None
    # Logged days are hers, as she logged them; cached answers tell the same story.
    logged = {day["date"]: day["energy_logged"] for day in body["days"] if day["energy_logged"]}
    assert logged == {
        iso(mood.date): {"level": mood.energy_level, "notes": mood.notes}
        for mood in user.moods.all()
    }
    assert ok(api.get(CALENDAR, {"start": body["start"], "end": body["end"]})) == body


def test_the_calendar_agrees_for_a_user_served_by_her_model(frozen_today, user, api):
    store_history(user)
    assert training.retrain(user).status == "trained"
    body = assert_calendar_agrees(api, user)
    sources = {day["energy_predicted"]["source"] for day in body["days"] if day["energy_predicted"]}
    assert sources == {"model"}


@pytest.mark.parametrize("timezone", ["Pacific/Kiritimati", "America/Adak"])
def test_the_calendar_agrees_in_a_far_time_zone_on_her_own_today(db, client_for, timezone):
    user = UserFactory(email="far@example.com", timezone=timezone)
    SITUATIONS["mid-cycle"](user)
    log_moods(user, 20, first=TODAY - timedelta(days=25))
    zone = ZoneInfo(timezone)
    # 23:30 on the 15th, her time: a day ahead of or behind UTC.
    with time_machine.travel(datetime(2026, 3, 15, 23, 30, tzinfo=zone), tick=False):
        assert user.local_today() == TODAY
        client = client_for(user)
        body = assert_calendar_agrees(client, user)
        today = {day["date"]: day for day in body["days"]}[iso(TODAY)]
        assert today["energy_predicted"] is not None
        assert PredictionRecord.objects.get(user=user).date == TODAY


def test_a_late_period_is_late_on_the_calendar_not_predicted_in_the_past(frozen_today, user, api):
    SITUATIONS["late by 10 days"](user)
    body = ok(api.get(CALENDAR, {"start": iso(TODAY - timedelta(days=15)), "end": iso(TODAY)}))
    assert [day["period"] for day in body["days"]] == [None] * 16
    assert body["days"][-1]["day_of_cycle"] == 39


def test_an_open_period_is_logged_for_as_long_as_current_counts_it(frozen_today, user, api):
    SITUATIONS["in an ongoing period"](user)  # started 2 days ago, not closed
    body = ok(api.get(CALENDAR, {"start": iso(TODAY - timedelta(days=3)), "end": iso(TODAY)}))
    assert [day["period"] for day in body["days"]] == [None, "logged", "logged", "logged"]
    assert [day["day_of_cycle"] for day in body["days"]] == [28, 1, 2, 3]


def test_without_a_period_the_days_are_there_and_detail_says_why(frozen_today, user, api):
    DailyMoodFactory(user=user, date=TODAY - timedelta(days=1), energy_level=2, notes="run")
    body = ok(api.get(CALENDAR, {"start": "2026-03-10", "end": "2026-03-16"}))
    assert "No period logged yet" in body["detail"]
    assert len(body["days"]) == 7
    for day in body["days"]:
        assert day["day_of_cycle"] is day["phase"] is day["period"] is day["energy_predicted"]
        assert day["phase"] is None
        assert not day["is_fertile"] and not day["is_ovulation"]
    assert body["days"][4]["energy_logged"] == {"level": 2, "notes": "run"}


def test_signs_and_notes_are_hers_and_a_year_of_ovulations_is_one_a_cycle(frozen_today, user, api):
    SITUATIONS["mid-cycle"](user)
    Sign.objects.create(
        user=user, date=TODAY - timedelta(days=1), bbt_celsius=Decimal("36.55"), lh_test="positive"
    )
    body = ok(api.get(CALENDAR, {"start": "2025-12-01", "end": "2026-11-30"}))
    by_date = {day["date"]: day for day in body["days"]}
    assert by_date[iso(TODAY - timedelta(days=1))]["signs"] == {
        "bbt_celsius": 36.55,
        "lh_test": "positive",
        "cervical_mucus": None,
        "notes": "",
    }
    assert sum(1 for day in body["days"] if day["signs"]) == 1
    starts = [day["date"] for day in body["days"] if day["day_of_cycle"] == 1]
    ovulations = [day["date"] for day in body["days"] if day["is_ovulation"]]
    assert len(ovulations) in (len(starts) - 1, len(starts))
    for day in ovulations:
        assert by_date[day]["phase"] == "ovulatory" and by_date[day]["is_fertile"]


def test_without_dates_the_calendar_is_her_current_month(frozen_today, user, api):
    body = ok(api.get(CALENDAR))
    assert (body["start"], body["end"]) == ("2026-03-01", "2026-03-31")
    assert len(body["days"]) == 31
    assert ok(api.get(CALENDAR, {"start": "2028-02-10"}))["end"] == "2028-02-29"
    assert ok(api.get(CALENDAR, {"end": "2026-02-10"}))["start"] == "2026-02-01"
    assert ok(api.get(f"{CALENDAR}/", {"end": "2026-02-10"}))["start"] == "2026-02-01"


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"start": "2026-03-10", "end": "2026-03-09"}, "end", "on or after the start (2026-03-10)"),
        ({"start": "2026-01-01", "end": "2027-01-02"}, "end", "at most 366 days"),
        ({"start": "2026-13-01"}, "start", "months go from 01 to 12"),
        ({"end": "tomorrow"}, "end", "YYYY-MM-DD"),
        ({"start": "1899-12-31"}, "start", "Choose a date between"),
        ({"end": "9999-12-31"}, "end", "Choose a date between"),
        ({"start": "2026-03-01\x00"}, "start", ""),
        ({"start": "0001-01-01", "end": "9999-12-31"}, "start", "Choose a date between"),
    ],
)
def test_hostile_ranges_get_a_400_that_says_what_to_send(frozen_today, api, params, field, says):
    response = api.get(CALENDAR, params)
    assert response.status_code == 400, response.content
    assert says in " ".join(response.json()[field])


def test_a_leap_year_fits_and_366_days_is_the_limit(frozen_today, user, api):
    SITUATIONS["mid-cycle"](user)
    assert len(ok(api.get(CALENDAR, {"start": "2027-03-01", "end": "2028-02-29"}))["days"]) == 366
    too_long = api.get(CALENDAR, {"start": "2027-03-01", "end": "2028-03-01"})
    assert too_long.status_code == 400
    assert "2028-02-29" in too_long.json()["end"][0]


def test_she_sees_only_her_own_days_and_a_stranger_sees_none_of_them(
    frozen_today, user, other_user, api, other_api
):
    SITUATIONS["mid-cycle"](user)
    DailyMoodFactory(user=user, date=TODAY, energy_level=0, notes="private")
    Sign.objects.create(user=user, date=TODAY, lh_test="negative")
    mine = ok(api.get(CALENDAR))
    theirs = ok(other_api.get(CALENDAR))
    assert any(day["energy_logged"] for day in mine["days"])
    assert not any(day["energy_logged"] or day["signs"] for day in theirs["days"])
    assert all(day["day_of_cycle"] is None for day in theirs["days"])
    assert b"private" not in other_api.get(CALENDAR).content


def test_the_calendar_needs_a_login(client):
    assert client.get(CALENDAR).status_code == 401


def test_a_change_to_her_data_shows_at_once_despite_the_cache(frozen_today, user, api):
    SITUATIONS["mid-cycle"](user)
    params = {"start": iso(TODAY), "end": iso(TODAY)}
    assert ok(api.get(CALENDAR, params))["days"][0]["energy_logged"] is None
    api.post("/api/v1/moods/", {"date": iso(TODAY), "energy_level": 1})
    assert ok(api.get(CALENDAR, params))["days"][0]["energy_logged"] == {"level": 1, "notes": ""}


def calendar_queries(client, start: date, days: int) -> int:
    end = start + timedelta(days=days - 1)
    with CaptureQueriesContext(connection) as queries:
        ok(client.get(CALENDAR, {"start": iso(start), "end": iso(end)}))
    return len(queries)


@pytest.mark.parametrize("served_by", ["fallback", "model"])
def test_a_week_and_a_year_cost_the_same_fixed_number_of_queries(
    frozen_today, user, api, served_by, django_assert_max_num_queries
):
    store_history(user)
    if served_by == "model":
        assert training.retrain(user).status == "trained"
    for mood in user.moods.all()[:40]:
        Sign.objects.create(user=user, date=mood.date, bbt_celsius=Decimal("36.40"))
    ok(api.get(CURRENT))  # today's prediction is recorded: both ranges read it
    start = TODAY - timedelta(days=3)
    week, year = calendar_queries(api, start, 7), calendar_queries(api, start - timedelta(180), 366)
    assert week == year
    with django_assert_max_num_queries(12):
        ok(api.get(CALENDAR, {"start": "2025-09-01", "end": "2026-08-31"}))
