"""GET /insights, recounted by hand: her energy by phase, cycles, streaks, how
right the predictions were, and the alerts, over real rows and real HTTP."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from cycles.tests.factories import PeriodFactory, ProfileFactory
from insights import services
from moods.tests.factories import DailyMoodFactory
from predictions.models import NextPeriodPrediction
from predictions.tests.factories import (
    REGULAR_STARTS,
    NextPeriodPredictionFactory,
    PredictionRecordFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/insights"
TODAY = date(2026, 3, 15)

# Her energy, with the phase each day is in by hand (28-day cycles starting
# 2025-12-06, 01-03, 01-31, 02-28; 5-day periods; luteal 14 days, so ovulation
# on 02-14 (ovulatory 02-13..15) and, in the current cycle due 03-28, on 03-14).
LOGS = {
    date(2025, 12, 1): 1,  # before her first period: no phase, not counted
    date(2026, 2, 1): 0,  # menstrual (01-31..02-04)
    date(2026, 2, 4): 0,  # menstrual
    date(2026, 2, 5): 1,  # follicular
    date(2026, 2, 14): 2,  # ovulatory
    **{date(2026, 2, 20) + timedelta(days=n): 1 for n in range(5)},  # luteal, 5 in a row
    date(2026, 2, 27): 0,  # luteal (the day before the next start)
    date(2026, 3, 1): 0,  # menstrual
    date(2026, 3, 14): 2,  # ovulatory
    date(2026, 3, 15): 2,  # ovulatory (today)
}


@pytest.fixture
def frozen():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def api(user, frozen, client_for):
    """Her client, with a token issued at the frozen time."""
    return client_for(user)


@pytest.fixture
def her_logs(user, frozen):
    ProfileFactory(user=user, cycle_length=28, luteal_length=14, menses_length=5)
    for start in REGULAR_STARTS:
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
    for day, level in LOGS.items():
        DailyMoodFactory(user=user, date=day, energy_level=level)
    return user


def test_her_energy_is_counted_by_the_phase_each_day_is_in(api, her_logs):
    assert api.get(URL).json()["energy_by_phase"] == {
        "menstrual": {"n": 3, "low": 3, "medium": 0, "high": 0},
        "follicular": {"n": 1, "low": 0, "medium": 1, "high": 0},
        "ovulatory": {"n": 3, "low": 0, "medium": 0, "high": 3},
        "luteal": {"n": 6, "low": 1, "medium": 5, "high": 0},
    }


def test_the_phases_are_the_ones_current_gives_for_the_same_day(api, her_logs):
    by_phase = api.get(URL).json()["energy_by_phase"]
    phase_today = api.get("/api/v1/predictions/current").json()["phase"]
    assert phase_today == "ovulatory"
    assert by_phase["ovulatory"]["n"] == 3  # today (03-15) counted there too


def test_her_cycles_are_listed_oldest_first_with_their_lengths(api, her_logs):
    assert api.get(URL).json()["cycles"] == [
        {"start_date": "2025-12-06", "length": 28, "period_length": 5},
        {"start_date": "2026-01-03", "length": 28, "period_length": 5},
        {"start_date": "2026-01-31", "length": 28, "period_length": 5},
        {"start_date": "2026-02-28", "length": None, "period_length": 5},
    ]


def test_an_open_period_has_no_length_yet(api, user, frozen):
    PeriodFactory(user=user, start_date=date(2026, 2, 10), end_date=date(2026, 2, 14))
    PeriodFactory(user=user, start_date=date(2026, 3, 12), end_date=None)
    assert api.get(URL).json()["cycles"] == [
        {"start_date": "2026-02-10", "length": 30, "period_length": 5},
        {"start_date": "2026-03-12", "length": None, "period_length": None},
    ]


def test_her_streak_runs_to_today_and_the_longest_is_kept(api, her_logs):
    assert api.get(URL).json()["logging_streak"] == {"current": 2, "longest": 5}


def test_a_streak_stays_alive_while_today_is_open_to_log_and_then_ends(
    client_for, her_logs, frozen
):
    frozen.shift(timedelta(days=1))  # 03-16, not logged yet: 03-14 and 03-15 still count
    streak = client_for(her_logs).get(URL).json()["logging_streak"]
    assert streak == {"current": 2, "longest": 5}
    frozen.shift(timedelta(days=1))  # 03-17: the run ended on 03-15
    streak = client_for(her_logs).get(URL).json()["logging_streak"]
    assert streak == {"current": 0, "longest": 5}


def test_energy_accuracy_counts_the_recorded_days_she_logged(api, her_logs):
    PredictionRecordFactory(user=her_logs, date=date(2026, 2, 5), predicted_level=1)  # right
    PredictionRecordFactory(user=her_logs, date=date(2026, 2, 14), predicted_level=0)  # wrong
    PredictionRecordFactory(user=her_logs, date=date(2026, 3, 10), predicted_level=1)  # no log
    accuracy = api.get(URL).json()["prediction_accuracy"]
    assert accuracy["energy"] == {"evaluated": 2, "accuracy": 0.5}


def test_next_period_accuracy_is_the_mean_error_of_the_cycles_she_has_since_ended(api, her_logs):
    NextPeriodPredictionFactory(
        user=her_logs, cycle_start=date(2026, 1, 3), predicted_start=date(2026, 1, 30)
    )  # logged 01-31: 1 day off
    NextPeriodPredictionFactory(
        user=her_logs, cycle_start=date(2026, 1, 31), predicted_start=date(2026, 3, 2)
    )  # logged 02-28: 2 days off
    NextPeriodPredictionFactory(
        user=her_logs, cycle_start=date(2026, 2, 28), predicted_start=date(2026, 3, 28)
    )  # not yet
    accuracy = api.get(URL).json()["prediction_accuracy"]
    assert accuracy["next_period"] == {"evaluated": 2, "mean_abs_error_days": 1.5}


def test_a_new_user_gets_empty_insights(api, user):
    assert api.get(URL).json() == {
        "energy_by_phase": {
            phase: {"n": 0, "low": 0, "medium": 0, "high": 0}
            for phase in ("menstrual", "follicular", "ovulatory", "luteal")
        },
        "cycles": [],
        "logging_streak": {"current": 0, "longest": 0},
        "prediction_accuracy": {
            "energy": {"evaluated": 0, "accuracy": None},
            "next_period": {"evaluated": 0, "mean_abs_error_days": None},
        },
        "alerts": [],
    }


# --- The next period /current served, recorded once and scored ---------------------------


def test_current_records_the_next_period_it_serves_once_per_cycle(
    api, client_for, her_logs, frozen
):
    served = api.get("/api/v1/predictions/current").json()["next_period"]
    row = NextPeriodPrediction.objects.get(user=her_logs)
    assert (row.cycle_start, row.served_on) == (date(2026, 2, 28), TODAY)
    assert row.predicted_start.isoformat() == served["start_date"]
    assert (row.earliest.isoformat(), row.latest.isoformat()) == (
        served["earliest"],
        served["latest"],
    )
    # Her profile changes the prediction; the record keeps what she was told first.
    assert api.patch("/api/v1/profiles/me/", {"cycle_length": 35}).status_code == 200
    frozen.shift(timedelta(days=1))
    assert client_for(her_logs).get("/api/v1/predictions/current").status_code == 200
    assert NextPeriodPrediction.objects.filter(user=her_logs).count() == 1
    assert NextPeriodPrediction.objects.get(user=her_logs).predicted_start == row.predicted_start


def test_a_past_day_asked_of_current_records_nothing(api, her_logs):
    assert api.get("/api/v1/predictions/current", {"date": "2026-02-10"}).status_code == 200
    assert api.get("/api/v1/predictions/current", {"date": "2026-04-10"}).status_code == 200
    assert not NextPeriodPrediction.objects.filter(user=her_logs).exists()


def test_the_recorded_prediction_is_scored_when_she_logs_her_next_period(
    api, client_for, her_logs, frozen
):
    predicted = date.fromisoformat(
        api.get("/api/v1/predictions/current").json()["next_period"]["start_date"]
    )
    before = api.get(URL).json()["prediction_accuracy"]["next_period"]
    assert before == {"evaluated": 0, "mean_abs_error_days": None}
    frozen.move_to("2026-03-30 12:00:00+00:00")
    api = client_for(her_logs)
    response = api.post("/api/v1/periods/", {"start_date": "2026-03-30"}, format="json")
    assert response.status_code == 201, response.content
    after = api.get(URL).json()["prediction_accuracy"]["next_period"]
    assert after == {
        "evaluated": 1,
        "mean_abs_error_days": float(abs((date(2026, 3, 30) - predicted).days)),
    }


# --- Alerts --------------------------------------------------------------------------------


def test_regular_cycles_raise_no_alert(api, her_logs):
    assert api.get(URL).json()["alerts"] == []


def test_a_long_cycle_raises_an_alert_that_says_what_was_seen(api, user, frozen):
    for start in (date(2025, 10, 1), date(2025, 10, 29), date(2025, 12, 10), date(2026, 1, 7)):
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
    (alert,) = api.get(URL).json()["alerts"]
    assert alert["code"] == "long_cycles"
    assert alert["since"] == "2025-12-10"  # the start that ended the 42-day cycle
    assert "42 days from 2025-10-29" in alert["detail"]
    assert "not a diagnosis" in alert["detail"]


def test_unusual_bleeding_in_her_profile_is_an_alert_from_her_profile_s_creation(api, user, frozen):
    profile = ProfileFactory(user=user, unusual_bleeding=True)
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    (alert,) = api.get(URL).json()["alerts"]
    assert (alert["code"], alert["since"]) == (
        "persistent_spotting",
        profile.created_at.date().isoformat(),
    )


def test_alerts_for_gives_the_same_alerts_as_the_answer(api, user, frozen):
    for start in (date(2025, 10, 1), date(2025, 10, 29), date(2025, 12, 10), date(2026, 1, 7)):
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=11))
    answer = api.get(URL).json()["alerts"]
    served = services.alerts_for(user=user, today=TODAY)
    assert [(a["code"], a["since"]) for a in answer] == [
        (a.code, a.since.isoformat()) for a in served
    ]
    assert {a.code for a in served} == {"prolonged_periods", "long_cycles"}


# --- Cost ------------------------------------------------------------------------------------


def queries_for(client_for, person) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client_for(person).get(URL).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_her_history(client_for, frozen):
    small, large = UserFactory(), UserFactory()
    for person, cycles, logs in ((small, 3, 10), (large, 30, 700)):
        ProfileFactory(user=person)
        for n in range(cycles):
            start = TODAY - timedelta(days=28 * (cycles - n) + 3)
            PeriodFactory(user=person, start_date=start, end_date=start + timedelta(days=4))
            NextPeriodPredictionFactory(user=person, cycle_start=start)
        for n in range(logs):
            DailyMoodFactory(user=person, date=TODAY - timedelta(days=n), energy_level=n % 3)
        PredictionRecordFactory(user=person, date=TODAY - timedelta(days=2))
    # Her account, profile, periods, signs, energy logs, the two prediction tables.
    assert queries_for(client_for, small) == queries_for(client_for, large) == 7


def test_the_answer_is_cached_until_her_data_changes(api, her_logs):
    first = api.get(URL).json()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL).json() == first
    cached = len(queries)
    assert cached <= 2  # her account only (the throttle's counters are in the cache)
    response = api.post("/api/v1/moods/", {"date": "2026-03-13", "energy_level": 2}, format="json")
    assert response.status_code == 201
    assert api.get(URL).json()["logging_streak"] == {"current": 3, "longest": 5}
