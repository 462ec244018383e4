"""Issue 11, "one truth on every screen": /predictions/current and /forecast tell
one story, over real HTTP, whatever her history and whatever day it is.

For each situation (and for every day of a sweep across a few cycles) the
checks are:

(a) /current for today agrees with the forecast's entry for today;
(b) /current?date=D for a later D agrees with the forecast's D entry, and
    writes no history row;
(c) consecutive days continue: +1, or day 1 exactly on a logged start or on a
    predicted start after today;
(d) next_period.start_date is after today and is the forecast's first
    predicted period day;
(e) no day up to today is day 1 unless she logged a period starting on it;
(f) the history holds only days served on that very day.
"""

import io
import itertools
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from cycles.models import Period
from cycles.tests.factories import PeriodFactory, ProfileFactory
from predictions import seeding, synthetic
from predictions.management.commands.seed import demo_email
from predictions.models import PredictionRecord

from .factories import FROZEN_NOW, TODAY, log_moods

CURRENT = "/api/v1/predictions/current"
FORECAST = "/api/v1/predictions/forecast"
HISTORY = "/api/v1/predictions/history"
PERIODS = "/api/v1/periods/"

PAST_DAYS = 30  # the forecast checked starts this many days before today
FORECAST_DAYS = 90
COMPARED = ("day_of_cycle", "phase", "is_fertile", "energy")


def iso(day: date) -> str:
    return day.isoformat()


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def as_forecast_day(current: dict) -> dict:
    """The fields of a /current answer that a forecast day also has."""
    window = current["fertile_window"]
    day = current["date"]
    return {
        "day_of_cycle": current["day_of_cycle"],
        "phase": current["phase"],
        "is_fertile": bool(window and window["start"] <= day <= window["end"]),
        "energy": current["energy"],
    }


def logged_starts(user, today: date) -> set[str]:
    starts = Period.objects.filter(user=user, start_date__lte=today)
    return {iso(day) for day in starts.values_list("start_date", flat=True)}


def assert_one_truth(client, user, today: date, *, future_offsets=(1, 2, 7, 20, 45)):
    """Checks (a) to (f) for her `today`."""
    starts = logged_starts(user, today)
    first = today - timedelta(days=PAST_DAYS)
    days = ok(client.get(FORECAST, {"start": iso(first), "days": FORECAST_DAYS}))["days"]
    by_date = {day["date"]: day for day in days}
    current = ok(client.get(CURRENT))
    assert current["date"] == iso(today)

    # (a) today is one answer
    assert as_forecast_day(current) == {k: by_date[iso(today)][k] for k in COMPARED}

    # (c) consecutive days continue, (e) day 1 up to today only on a logged start
    for before, day in itertools.pairwise(days):
        if day["day_of_cycle"] is None:
            continue
        if day["day_of_cycle"] == 1:
            if day["date"] <= iso(today):
                assert day["date"] in starts, f"{day['date']} is day 1 without a logged start"
            else:
                assert day["date"] in starts or day["is_predicted_period"], day
        elif before["day_of_cycle"] is not None:
            assert day["day_of_cycle"] == before["day_of_cycle"] + 1, (before, day)
    for day in days:
        if day["date"] <= iso(today):
            assert not day["is_predicted_period"], day

    # (d) the next period is the forecast's first predicted day, after today
    nxt = current["next_period"]
    if nxt is not None:
        assert nxt["start_date"] > iso(today)
        assert iso(today) < nxt["earliest"] <= nxt["start_date"] <= nxt["latest"]
        predicted = [day["date"] for day in days if day["is_predicted_period"]]
        if nxt["start_date"] <= days[-1]["date"]:
            assert predicted[0] == nxt["start_date"]
        assert nxt["status"] in ("upcoming", "due_today", "late")
        assert (nxt["status"] == "late") == (nxt["days_late"] > 0)

    # (b) a later date is today's prediction for it, and is not recorded
    records = set(PredictionRecord.objects.filter(user=user).values_list("date", flat=True))
    later_dates = {today + timedelta(days=n) for n in future_offsets}
    if nxt is not None:
        start = date.fromisoformat(nxt["start_date"])
        later_dates |= {start - timedelta(days=1), start, start + timedelta(days=1)}
    last = date.fromisoformat(days[-1]["date"])
    for day in sorted(d for d in later_dates if today < d <= last):
        answer = ok(client.get(CURRENT, {"date": iso(day)}))
        assert answer["date"] == iso(day)
        assert as_forecast_day(answer) == {k: by_date[iso(day)][k] for k in COMPARED}, day
        if answer["next_period"] is not None:
            after = answer["next_period"]["start_date"]
            assert after > iso(day)
            starts_after = [
                d["date"]
                for d in days
                if d["date"] > iso(day) and d["day_of_cycle"] == 1 and d["is_predicted_period"]
            ]
            if after <= days[-1]["date"]:
                assert starts_after[0] == after
    assert set(PredictionRecord.objects.filter(user=user).values_list("date", flat=True)) == (
        records
    )

    # (f) the history holds only days served on that very day
    assert_history_only_days_served_on_the_day(user)


def assert_history_only_days_served_on_the_day(user):
    zone = ZoneInfo(user.timezone)
    for record in PredictionRecord.objects.filter(user=user):
        assert record.created_at.astimezone(zone).date() == record.date, record


def regular_profile(user, cycle_length=28):
    ProfileFactory(
        user=user,
        height_cm=165,
        weight_kg="60.00",
        cycle_length=cycle_length,
        luteal_length=14,
        menses_length=5,
    )


def log_starts(user, starts, *, ongoing_last=False, bleeding=5):
    for i, start in enumerate(starts):
        ongoing = ongoing_last and i == len(starts) - 1
        end = None if ongoing else min(start + timedelta(days=bleeding - 1), TODAY)
        PeriodFactory(user=user, start_date=start, end_date=end)


def regular_until(last: date, count=4) -> list[date]:
    """`count` starts 28 days apart, the last on `last`."""
    return [last - timedelta(days=28 * n) for n in reversed(range(count))]


def due_today(user):
    regular_profile(user)
    log_starts(user, regular_until(TODAY - timedelta(days=28)))


def late_by(days):
    def build(user):
        regular_profile(user)
        log_starts(user, regular_until(TODAY - timedelta(days=28 + days)))

    return build


def ongoing_period(user):
    regular_profile(user)
    log_starts(user, regular_until(TODAY - timedelta(days=2)), ongoing_last=True)


def started_today(user):
    regular_profile(user)
    log_starts(user, regular_until(TODAY), ongoing_last=True)


def mid_cycle(user):
    regular_profile(user)
    log_starts(user, regular_until(TODAY - timedelta(days=15)))


def irregular_without_profile(user):
    starts = [date(2025, 9, 1)]
    for gap in (24, 35, 27, 40, 30, 22):
        starts.append(starts[-1] + timedelta(days=gap))
    log_starts(user, starts)  # the last is 2026-02-27: day 17 today


def one_period(user):
    log_starts(user, [TODAY - timedelta(days=10)])


SITUATIONS = {
    "due today": due_today,
    "late by 1 day": late_by(1),
    "late by 10 days": late_by(10),
    "in an ongoing period": ongoing_period,
    "period started today": started_today,
    "mid-cycle": mid_cycle,
    "irregular, no profile": irregular_without_profile,
    "a single period": one_period,
}


@pytest.fixture
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.mark.parametrize("situation", SITUATIONS)
def test_current_and_forecast_tell_one_story(frozen_today, situation, user, api):
    SITUATIONS[situation](user)
    log_moods(user, 20, first=TODAY - timedelta(days=25))  # a fallback with her own rates
    assert_one_truth(api, user, TODAY)
    assert_one_truth(api, user, TODAY)  # from the cache, still one story


def test_the_day_her_period_is_due_is_not_day_one_and_says_due_today(frozen_today, user, api):
    due_today(user)
    body = ok(api.get(CURRENT))
    assert body["day_of_cycle"] == 29  # day 1 was 28 days ago; nothing logged today
    assert body["phase"] == "luteal"
    nxt = body["next_period"]
    assert (nxt["status"], nxt["days_late"]) == ("due_today", 0)
    assert nxt["start_date"] == iso(TODAY + timedelta(days=1))
    yesterday = ok(api.get(CURRENT, {"date": iso(TODAY - timedelta(days=1))}))
    assert yesterday["day_of_cycle"] == 28
    assert yesterday["next_period"]["status"] == "upcoming"


@pytest.mark.parametrize("late", [1, 10])
def test_a_late_period_says_late_and_by_how_many_days(frozen_today, late, user, api):
    late_by(late)(user)
    body = ok(api.get(CURRENT))
    assert body["day_of_cycle"] == 29 + late
    nxt = body["next_period"]
    assert (nxt["status"], nxt["days_late"]) == ("late", late)
    assert nxt["start_date"] > iso(TODAY)


def test_logging_the_period_on_its_due_day_makes_today_day_one(frozen_today, user, api):
    due_today(user)
    assert api.post(PERIODS, {"start_date": iso(TODAY)}).status_code == 201
    body = ok(api.get(CURRENT))
    assert (body["day_of_cycle"], body["phase"]) == (1, "menstrual")
    assert body["next_period"]["status"] == "upcoming"
    assert_one_truth(api, user, TODAY)


def test_a_later_date_is_todays_prediction_not_what_she_would_be_by_then(frozen_today, user, api):
    mid_cycle(user)  # next period predicted on 2026-03-28
    later = ok(api.get(CURRENT, {"date": "2026-04-05"}))
    assert later["day_of_cycle"] == 9  # of the cycle predicted from 2026-03-28
    assert later["next_period"]["days_late"] == 0
    assert later["next_period"]["status"] == "upcoming"
    assert later["next_period"]["start_date"] == "2026-04-25"
    assert ok(api.get(HISTORY))["count"] == 0


def test_today_serves_one_energy_after_a_retrain_whichever_is_asked_first(
    frozen_today, user, client_for
):
    seeding.history_store(
        user=user, history=synthetic.make_user_history(random.Random(7), days=120, today=TODAY)
    )
    user.moods.filter(date=TODAY).delete()
    api = client_for(user)
    first = ok(api.get(FORECAST, {"days": 1}))["days"][0]["energy"]  # forecast first
    assert ok(api.post("/api/v1/predictions/retrain")).get("status") in ("trained", "unchanged")
    assert ok(api.get(CURRENT))["energy"] == first
    assert ok(api.get(FORECAST, {"days": 3}))["days"][0]["energy"] == first
    [record] = PredictionRecord.objects.filter(user=user)
    assert record.date == TODAY


def test_the_seeded_demo_user_gets_one_story(frozen_today, client_for, db):
    call_command("seed", users=1, days=120, stdout=io.StringIO())
    demo = UserFactory._meta.model.objects.get(email=demo_email(1))
    assert_one_truth(client_for(demo), demo, TODAY)


# --- A sweep: her today moves across a few cycles she logs as they come ---------------------

TRUE_GAPS = (29, 27, 33, 28, 30, 26)
FIRST_START = date(2025, 12, 1)


def true_starts() -> list[date]:
    starts = [FIRST_START]
    for gap in TRUE_GAPS:
        starts.append(starts[-1] + timedelta(days=gap))
    return starts


@pytest.mark.parametrize(
    ("timezone", "profile", "step"),
    [("UTC", True, 1), ("Pacific/Kiritimati", False, 3), ("America/Adak", True, 4)],
)
def test_every_day_of_a_few_cycles_gets_one_story(client_for, db, timezone, profile, step):
    """GIVEN periods she logs the day they start (and ends she logs 5 days later),
    WHEN her today walks day by day across two and a half cycles (due days, late
    days, period days among them)
    THEN every day passes checks (a) to (f)."""
    user = UserFactory(email="sweep@example.com", timezone=timezone)
    if profile:
        regular_profile(user, cycle_length=29)
    starts = true_starts()
    for start in starts:
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
    log_moods(user, 40, first=FIRST_START + timedelta(days=2))
    sweep_start = starts[3] - timedelta(days=2)
    zone = ZoneInfo(timezone)
    for offset in range(0, 75, step):
        day = sweep_start + timedelta(days=offset)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        with time_machine.travel(noon, tick=False):
            # Only what she has logged by today exists: a period ending after
            # today is still ongoing, one starting after today is not there yet.
            assert user.local_today() == day
            client = client_for(user)
            assert_one_truth(client, user, day, future_offsets=(1, 9, 30))
    assert PredictionRecord.objects.filter(user=user).count() == len(range(0, 75, step))


# --- A period left open -------------------------------------------------------------------


def test_a_period_left_open_past_15_days_is_named_with_the_end_date_to_set(frozen_today, user, api):
    regular_profile(user)
    log_starts(user, regular_until(TODAY - timedelta(days=20), count=3), ongoing_last=True)
    open_start = TODAY - timedelta(days=20)
    body = ok(api.get(CURRENT))
    latest_end = iso(open_start + timedelta(days=14))
    assert iso(open_start) in body["detail"] and latest_end in body["detail"]
    assert (body["day_of_cycle"], body["phase"]) == (21, "luteal")  # it counts as 5 days
    # On its 15th day it may still be going on: nothing to say yet.
    assert ok(api.get(CURRENT, {"date": latest_end}))["detail"] is None
    assert_one_truth(api, user, TODAY)


def test_closing_a_period_left_open_too_late_names_the_latest_end_date(frozen_today, user, api):
    regular_profile(user)
    log_starts(user, regular_until(TODAY - timedelta(days=20), count=3), ongoing_last=True)
    period = Period.objects.get(user=user, end_date__isnull=True)
    latest_end = iso(period.start_date + timedelta(days=14))

    refused = api.patch(f"{PERIODS}{period.pk}/", {"end_date": iso(TODAY)})
    assert refused.status_code == 400
    assert latest_end in refused.json()["end_date"][0]
    period.refresh_from_db()
    assert period.end_date is None

    closed = api.patch(f"{PERIODS}{period.pk}/", {"end_date": latest_end})
    assert closed.status_code == 200, closed.content
    assert ok(api.get(CURRENT))["detail"] is None
