"""Issue 14: her signs, once they place ovulation, drive /current, /forecast and
/periods/stats over real HTTP, with one story on every screen."""

from datetime import date, timedelta

import pytest
import time_machine

from cycles.tests.factories import PeriodFactory
from signs.tests.factories import SignFactory

from .factories import FROZEN_NOW, TODAY, log_moods
from .test_coherence import (
    CURRENT,
    FORECAST,
    assert_one_truth,
    iso,
    log_starts,
    ok,
    regular_profile,
    regular_until,
)

SIGNS = "/api/v1/signs/"
STATS = "/api/v1/periods/stats"


@pytest.fixture
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def lh_positive(user, day: date):
    SignFactory(user=user, date=day, bbt_celsius=None, lh_test="positive")


def measured_cycles(user, *, last_start: date, luteal: int, count: int = 4):
    """`count` 28-day cycles ending at `last_start`, an LH positive the day before
    ovulation (`luteal` days before the next start) in each completed one."""
    regular_profile(user)
    starts = regular_until(last_start, count)
    log_starts(user, starts)
    for nxt in starts[1:]:
        lh_positive(user, nxt - timedelta(days=luteal + 1))
    return starts


def detected_mid_cycle(user):
    """Ovulation late this cycle (day 14 after the start, the calendar says 14 days
    before a start on day 28): detected two days ago by an LH positive."""
    measured_cycles(user, last_start=TODAY - timedelta(days=16), luteal=11)
    lh_positive(user, TODAY - timedelta(days=3))


def detected_then_late(user):
    measured_cycles(user, last_start=TODAY - timedelta(days=40), luteal=12)
    lh_positive(user, TODAY - timedelta(days=40) + timedelta(days=13))


def temperatures_only(user):
    start = TODAY - timedelta(days=20)
    regular_profile(user)
    log_starts(user, regular_until(start))
    for offset in range(21):  # a shift: the last low day is day 15 (offset 14)
        reading = "36.40" if offset <= 14 else "36.75"
        SignFactory(user=user, date=start + timedelta(days=offset), bbt_celsius=reading)


def lh_positive_today(user):
    measured_cycles(user, last_start=TODAY - timedelta(days=12), luteal=13)
    lh_positive(user, TODAY)


SITUATIONS = {
    "detected mid-cycle": detected_mid_cycle,
    "detected, then late": detected_then_late,
    "temperatures alone": temperatures_only,
    "an LH positive today": lh_positive_today,
}


@pytest.mark.parametrize("situation", SITUATIONS)
def test_current_and_forecast_tell_one_story_with_her_signs(frozen_today, situation, user, api):
    SITUATIONS[situation](user)
    log_moods(user, 20, first=TODAY - timedelta(days=25))
    assert_one_truth(api, user, TODAY)
    body = ok(api.get(CURRENT))
    assert body["ovulation"]["status"] == "detected"
    assert body["ovulation"]["date"] == body["ovulation_date"]
    assert body["fertile_window"]["end"] == body["ovulation_date"]
    assert body["next_period"]["basis"]["method"] == "ovulation_detected"
    assert_one_truth(api, user, TODAY)  # from the cache, still one story


def test_detected_ovulation_moves_the_next_period_phases_and_window(frozen_today, user, api):
    detected_mid_cycle(user)
    body = ok(api.get(CURRENT))
    ovulation = TODAY - timedelta(days=2)
    assert body["ovulation"] == {"date": iso(ovulation), "status": "detected", "signs": ["lh"]}
    # Her three measured luteal lengths of 11 days, shrunk with weight 1 toward her
    # profile's 14 (the prior): (3 * 11 + 14) / 4 = 11.75, so 12 days.
    assert body["next_period"]["start_date"] == iso(ovulation + timedelta(days=12))
    assert body["next_period"]["basis"] == {
        "method": "ovulation_detected",
        "cycles_used": 3,
        "cycles_excluded": 0,
    }
    assert body["fertile_window"] == {
        "start": iso(ovulation - timedelta(days=5)),
        "end": iso(ovulation),
    }
    days = ok(api.get(FORECAST, {"start": iso(ovulation - timedelta(days=6)), "days": 10}))["days"]
    phases = {day["date"]: day["phase"] for day in days}
    assert [d for d, phase in phases.items() if phase == "ovulatory"] == [
        iso(ovulation + timedelta(days=n)) for n in (-1, 0, 1)
    ]
    assert [day["date"] for day in days if day["is_fertile"]] == [
        iso(ovulation - timedelta(days=n)) for n in range(5, -1, -1)
    ]


def test_without_signs_the_ovulation_is_predicted_and_says_so(frozen_today, user, api):
    regular_profile(user)
    log_starts(user, regular_until(TODAY - timedelta(days=10)))
    body = ok(api.get(CURRENT))
    assert body["ovulation"] == {
        "date": body["ovulation_date"],
        "status": "predicted",
        "signs": [],
    }
    assert body["next_period"]["basis"]["method"] != "ovulation_detected"


def test_without_a_period_ovulation_is_null(frozen_today, user, api):
    body = ok(api.get(CURRENT))
    assert (body["ovulation"], body["ovulation_date"]) == (None, None)


def test_a_sign_logged_over_http_changes_the_cached_answer_at_once(frozen_today, user, api):
    measured_cycles(user, last_start=TODAY - timedelta(days=15), luteal=12)
    before = ok(api.get(CURRENT))
    assert before["ovulation"]["status"] == "predicted"
    forecast_before = ok(api.get(FORECAST, {"days": 20}))
    # The calendar puts ovulation on today; her LH test says two days ago.
    posted = api.post(SIGNS, {"date": iso(TODAY - timedelta(days=3)), "lh_test": "positive"})
    assert posted.status_code == 201
    after = ok(api.get(CURRENT))
    ovulation = iso(TODAY - timedelta(days=2))
    assert after["ovulation"] == {"date": ovulation, "status": "detected", "signs": ["lh"]}
    assert after["next_period"]["basis"]["method"] == "ovulation_detected"
    assert ok(api.get(FORECAST, {"days": 20})) != forecast_before


def test_a_past_date_sees_only_the_signs_logged_by_then(frozen_today, user, api):
    detected_mid_cycle(user)
    before = ok(api.get(CURRENT, {"date": iso(TODAY - timedelta(days=4))}))
    assert before["ovulation"]["status"] == "predicted"
    assert before["next_period"]["basis"]["method"] != "ovulation_detected"


def test_stats_add_her_luteal_length_and_the_profile_stays_the_prior(frozen_today, user, api):
    measured_cycles(user, last_start=TODAY - timedelta(days=5), luteal=11)
    stats = ok(api.get(STATS))
    assert (stats["luteal_length"], stats["luteal_cycle_count"]) == (11.0, 3)
    assert ok(api.get("/api/v1/profiles/me"))["luteal_length"] == 14


def test_stats_without_signs_have_no_luteal_length(frozen_today, user, api):
    PeriodFactory(user=user, start_date=TODAY - timedelta(days=40))
    PeriodFactory(user=user, start_date=TODAY - timedelta(days=12))
    stats = ok(api.get(STATS))
    assert (stats["luteal_length"], stats["luteal_cycle_count"]) == (None, 0)


def test_her_signs_never_reach_another_users_predictions(
    frozen_today, user, other_user, api, other_api
):
    detected_mid_cycle(user)
    regular_profile(other_user)
    log_starts(other_user, regular_until(TODAY - timedelta(days=16)))
    theirs = ok(other_api.get(CURRENT))
    assert theirs["ovulation"]["status"] == "predicted"
    assert ok(api.get(CURRENT))["ovulation"]["status"] == "detected"
