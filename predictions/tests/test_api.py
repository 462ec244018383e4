"""/api/v1/predictions over real HTTP: where she is in her cycle, what comes
next, her likely energy, the record of what was predicted, and her model.

Every test runs at FROZEN_NOW: her today is 2026-03-15 (UTC).
"""

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.timezone import now

from accounts.tests.factories import PASSWORD
from core.vocabulary import ENERGY_LABELS
from cycles.models import Period
from moods.tests.factories import DailyMoodFactory
from predictions import ml
from predictions.models import EnergyModel, PredictionRecord

from .factories import (
    FROZEN_NOW,
    LUTEAL_LENGTH,
    REGULAR_STARTS,
    TODAY,
    EnergyModelFactory,
    PredictionRecordFactory,
    log_moods,
    regular_cycles,
    store_history,
    trainable_user,
)

CURRENT = "/api/v1/predictions/current"
FORECAST = "/api/v1/predictions/forecast"
HISTORY = "/api/v1/predictions/history"
MODEL = "/api/v1/predictions/model"
RETRAIN = "/api/v1/predictions/retrain"
PERIODS = "/api/v1/periods/"
MOODS = "/api/v1/moods/"
ROUTES = (CURRENT, FORECAST, HISTORY, MODEL)
CYCLE_FIELDS = (
    "day_of_cycle",
    "phase",
    "cycle_length",
    "next_period",
    "ovulation_date",
    "fertile_window",
    "energy",
)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def iso(day: date) -> str:
    return day.isoformat()


def assert_well_formed_energy(energy):
    probabilities = energy["probabilities"]
    assert set(probabilities) == {"low", "medium", "high"}
    assert sum(probabilities.values()) == pytest.approx(1, abs=0.01)
    assert energy["level"] in (0, 1, 2)
    assert energy["label"] == ENERGY_LABELS[energy["level"]]
    assert probabilities[energy["label"]] == max(probabilities.values())
    assert energy["confidence"] == max(probabilities.values())


def model_file(user) -> Path:
    return Path(settings.MEDIA_ROOT, EnergyModel.objects.get(user=user).file.name)


# --- /current -------------------------------------------------------------------------


def test_current_without_a_period_answers_with_null_cycle_fields_and_says_why(api):
    body = ok(api.get(CURRENT))
    assert body["date"] == iso(TODAY)
    assert all(body[field] is None for field in CYCLE_FIELDS)
    assert body["bmi"] is None
    assert "period" in body["detail"].lower()


def test_current_for_a_date_before_her_first_period_says_so(api, user):
    regular_cycles(user)
    body = ok(api.get(CURRENT, {"date": "2025-11-30"}))
    assert all(body[field] is None for field in CYCLE_FIELDS)
    assert "2025-11-30" in body["detail"]


def test_current_places_today_in_her_cycle_and_predicts_what_comes_next(api, user):
    regular_cycles(user)
    body = ok(api.get(CURRENT))
    assert body["date"] == iso(TODAY)
    assert body["day_of_cycle"] == 16  # 2026-02-28 was day 1
    assert body["phase"] == "ovulatory"  # ovulation on 2026-03-14, ovulatory 13-15
    assert body["cycle_length"] == 28
    assert body["detail"] is None
    nxt = body["next_period"]
    assert nxt["start_date"] == "2026-03-28"
    assert nxt["earliest"] <= nxt["start_date"] <= nxt["latest"]
    assert nxt["earliest"] >= iso(TODAY)
    assert nxt["interval"] == 0.8
    assert nxt["days_late"] == 0
    assert nxt["basis"]["method"]
    assert (nxt["basis"]["cycles_used"], nxt["basis"]["cycles_excluded"]) == (3, 0)
    ovulation = date.fromisoformat(nxt["start_date"]) - timedelta(days=LUTEAL_LENGTH)
    assert body["ovulation_date"] == iso(ovulation)
    assert body["fertile_window"] == {
        "start": iso(ovulation - timedelta(days=5)),
        "end": iso(ovulation),
    }


def test_current_reports_the_bmi_of_her_profile(api, user):
    regular_cycles(user, weight_kg="63.50")  # 63.5 / 1.65**2 = 23.32
    assert ok(api.get(CURRENT))["bmi"] == 23.3


def test_current_energy_comes_from_the_fallback_until_she_has_a_model(api, user):
    regular_cycles(user)
    log_moods(user, 5)
    energy = ok(api.get(CURRENT))["energy"]
    assert_well_formed_energy(energy)
    assert energy["source"] == "fallback"
    assert energy["model_version"] is None


def test_current_for_a_past_date_ignores_what_she_logged_after_it(api, user):
    regular_cycles(user)
    body = ok(api.get(CURRENT, {"date": "2026-02-27"}))
    assert body["date"] == "2026-02-27"
    assert body["day_of_cycle"] == 28  # of the cycle that began on 2026-01-31
    assert body["next_period"]["start_date"] == "2026-02-28"
    assert body["next_period"]["basis"]["cycles_used"] == 2
    # What she logged later (the period of 2026-02-28) changes nothing.
    later = Period.objects.get(user=user, start_date=REGULAR_STARTS[-1])
    assert api.delete(f"{PERIODS}{later.pk}/").status_code == 204
    assert ok(api.get(CURRENT, {"date": "2026-02-27"})) == body


def test_a_late_period_moves_the_prediction_forward(api, user):
    regular_cycles(user, starts=REGULAR_STARTS[:-1])  # expected on 2026-02-28, not logged
    body = ok(api.get(CURRENT))
    nxt = body["next_period"]
    assert nxt["days_late"] == 15
    assert iso(TODAY) <= nxt["earliest"] <= nxt["start_date"] <= nxt["latest"]
    assert body["day_of_cycle"] == 44
    last_start = REGULAR_STARTS[-2]
    assert body["cycle_length"] == (date.fromisoformat(nxt["start_date"]) - last_start).days


@pytest.mark.parametrize("value", ["2026-02-30", "abc", "2026-13-01", "15/03/2026", "9999-12-31"])
def test_current_refuses_a_date_it_cannot_use(api, user, value):
    regular_cycles(user)
    response = api.get(CURRENT, {"date": value})
    assert response.status_code == 400
    assert "date" in response.json()


# --- /forecast ------------------------------------------------------------------------


def test_forecast_covers_28_days_from_her_today_by_default(api, user):
    regular_cycles(user)
    body = ok(api.get(FORECAST))
    assert body["start"] == iso(TODAY)
    assert [day["date"] for day in body["days"]] == [
        iso(TODAY + timedelta(days=n)) for n in range(28)
    ]
    for day in body["days"]:
        assert_well_formed_energy(day["energy"])
        assert day["energy"]["source"] == "fallback"


def test_forecast_accepts_90_days(api, user):
    regular_cycles(user)
    body = ok(api.get(FORECAST, {"days": 90}))
    assert len(body["days"]) == 90
    assert body["days"][-1]["date"] == iso(TODAY + timedelta(days=89))


def test_forecast_flags_her_predicted_period_and_fertile_days(api, user):
    regular_cycles(user)
    days = {day["date"]: day for day in ok(api.get(FORECAST))["days"]}
    predicted_period = {iso(date(2026, 3, 28) + timedelta(days=n)) for n in range(5)}
    # Next cycle: 2026-03-28 to 2026-04-24, ovulation 2026-04-25 - 14 days.
    fertile = {iso(date(2026, 4, 6) + timedelta(days=n)) for n in range(6)}
    assert {d for d, day in days.items() if day["is_predicted_period"]} == predicted_period
    assert {d for d, day in days.items() if day["is_fertile"]} == fertile
    assert (days["2026-03-27"]["day_of_cycle"], days["2026-03-27"]["phase"]) == (28, "luteal")
    assert (days["2026-03-28"]["day_of_cycle"], days["2026-03-28"]["phase"]) == (1, "menstrual")


def test_forecast_days_before_her_first_period_have_no_cycle_fields(api, user):
    regular_cycles(user)  # first period on 2025-12-06
    body = ok(api.get(FORECAST, {"start": "2025-12-01", "days": 10}))
    before, after = body["days"][:5], body["days"][5:]
    for day in before:
        assert (day["day_of_cycle"], day["phase"], day["energy"]) == (None, None, None)
        assert not day["is_predicted_period"] and not day["is_fertile"]
    assert (after[0]["date"], after[0]["day_of_cycle"], after[0]["phase"]) == (
        "2025-12-06",
        1,
        "menstrual",
    )
    assert not after[0]["is_predicted_period"]  # she logged it
    assert all(day["energy"] is not None for day in after)


def test_forecast_without_a_period_says_why(api):
    body = ok(api.get(FORECAST, {"days": 3}))
    assert body["detail"]
    assert [day["day_of_cycle"] for day in body["days"]] == [None, None, None]
    assert [day["energy"] for day in body["days"]] == [None, None, None]


@pytest.mark.parametrize("days", ["0", "91", "-1", "x", "1.5", str(10**30)])
def test_forecast_refuses_a_number_of_days_outside_1_to_90(api, user, days):
    regular_cycles(user)
    response = api.get(FORECAST, {"days": days})
    assert response.status_code == 400
    assert "days" in response.json()


@pytest.mark.parametrize("start", ["2026-02-30", "abc", "9999-12-31"])
def test_forecast_refuses_a_bad_start(api, user, start):
    regular_cycles(user)
    response = api.get(FORECAST, {"start": start})
    assert response.status_code == 400
    assert "start" in response.json()


# --- /history -------------------------------------------------------------------------


def test_the_prediction_served_for_today_is_recorded_once_and_never_rewritten(api, user):
    store_history(user)  # her energy follows her cycle; today not logged yet
    served = ok(api.get(CURRENT))["energy"]
    assert served["source"] == "fallback"

    # A model that serves is trained, then her data changes: today's answer stays,
    # in the forecast too; the days after today come from the model.
    assert ok(api.post(RETRAIN))["model"]["serving"] == "model"
    today, tomorrow = ok(api.get(FORECAST, {"days": 2}))["days"]
    assert today["energy"] == served
    assert tomorrow["energy"]["source"] == "model"
    assert ok(api.get(CURRENT))["energy"] == served
    latest = Period.objects.filter(user=user).latest("start_date")
    assert api.delete(f"{PERIODS}{latest.pk}/").status_code == 204
    yesterday = iso(TODAY - timedelta(days=1))
    assert api.post(MOODS, {"date": yesterday, "energy_level": 0}).status_code in (200, 201)
    assert ok(api.get(CURRENT))["energy"] == served

    history = ok(api.get(HISTORY))
    assert history["count"] == 1
    [item] = history["results"]
    assert item["date"] == iso(TODAY)
    assert item["predicted_level"] == served["level"]
    assert item["probabilities"] == served["probabilities"]
    assert (item["source"], item["model_version"]) == ("fallback", None)
    assert PredictionRecord.objects.filter(user=user).count() == 1


def test_a_prediction_for_a_past_date_is_not_recorded(api, user):
    regular_cycles(user)
    log_moods(user, 5)
    assert ok(api.get(CURRENT, {"date": "2026-03-10"}))["energy"] is not None
    assert ok(api.get(HISTORY))["count"] == 0
    assert not PredictionRecord.objects.exists()


def test_a_prediction_for_a_coming_date_is_not_recorded_ahead_of_its_day(api, user):
    # Issue 11: the history says what was served on the day itself; a later model
    # may still serve 2026-03-20 before it comes.
    regular_cycles(user)
    assert ok(api.get(CURRENT, {"date": "2026-03-20"}))["energy"] is not None
    assert not PredictionRecord.objects.filter(user=user).exists()


def test_history_fills_in_what_she_then_logged_and_scores_it(api, user):
    regular_cycles(user)
    served = ok(api.get(CURRENT))["energy"]
    PredictionRecordFactory(user=user, date=date(2026, 3, 13), predicted_level=2)
    DailyMoodFactory(user=user, date=date(2026, 3, 13), energy_level=0)

    before = ok(api.get(HISTORY))
    assert (before["results"][0]["actual_level"], before["results"][0]["correct"]) == (None, None)
    assert before["summary"] == {"evaluated": 1, "accuracy": 0.0}

    logged = api.post(MOODS, {"date": iso(TODAY), "energy_level": served["level"]})
    assert logged.status_code == 201

    today, earlier = ok(api.get(HISTORY))["results"]
    assert (today["date"], today["actual_level"], today["correct"]) == (
        iso(TODAY),
        served["level"],
        True,
    )
    assert (earlier["date"], earlier["actual_level"], earlier["correct"]) == (
        "2026-03-13",
        0,
        False,
    )
    assert ok(api.get(HISTORY))["summary"] == {"evaluated": 2, "accuracy": 0.5}


def test_history_is_paginated_newest_first_with_its_summary(api, user):
    for day in (date(2026, 3, 12), date(2026, 3, 14), date(2026, 3, 13)):
        PredictionRecordFactory(user=user, date=day)
    first = ok(api.get(HISTORY, {"page_size": 2}))
    assert set(first) == {"count", "next", "previous", "results", "summary"}
    assert first["count"] == 3
    assert [item["date"] for item in first["results"]] == ["2026-03-14", "2026-03-13"]
    assert first["previous"] is None
    assert first["summary"] == {"evaluated": 0, "accuracy": None}
    second = ok(api.get(first["next"]))
    assert [item["date"] for item in second["results"]] == ["2026-03-12"]
    assert second["next"] is None
    assert second["previous"] is not None


# --- /model and /retrain ----------------------------------------------------------------


def test_model_status_is_none_before_any_training_and_says_how_many_logs_are_missing(api, user):
    regular_cycles(user)
    log_moods(user, 5)
    body = ok(api.get(MODEL))
    assert body["status"] == "none"
    assert body["version"] is None
    assert body["logs_needed"] == ml.MIN_SAMPLES - 5
    assert body["n_samples"] == 5
    assert body["cv_accuracy"] is None
    assert body["serving"] == "fallback"


def test_retrain_refuses_too_few_logs_and_says_how_many_more(api, user):
    regular_cycles(user)
    log_moods(user, 10)
    response = api.post(RETRAIN)
    assert response.status_code == 400
    assert response.json()["logs_needed"] == 4
    assert response.json()["detail"]
    assert not EnergyModel.objects.filter(user=user).exclude(file="").exists()


def test_retrain_needs_two_different_levels(api, user):
    regular_cycles(user)
    log_moods(user, 20, levels=(1,))
    response = api.post(RETRAIN)
    assert response.status_code == 400
    assert response.json()["logs_needed"] == 1


def test_retrain_trains_her_model_and_model_describes_it(api, user):
    trainable_user(user, moods=20)
    trained = ok(api.post(RETRAIN))
    assert trained["status"] == "trained"
    assert (trained["model"]["status"], trained["model"]["version"]) == ("fresh", 1)

    body = ok(api.get(MODEL))
    assert body["status"] == "fresh"
    assert body["version"] == 1
    assert body["trained_at"] == "2026-03-15T12:00:00Z"
    assert body["n_samples"] == 20
    assert body["classes"] == [0, 1, 2]
    assert 0 <= body["cv_accuracy"] <= 1
    assert 0 <= body["baseline_accuracy"] <= 1
    assert set(body["feature_importances"]) == set(ml.feature_names())
    assert sum(body["feature_importances"].values()) == pytest.approx(1)
    assert body["algorithm"]
    assert body["logs_needed"] == 0
    assert model_file(user).is_file()


def test_retrain_with_nothing_new_is_unchanged_and_a_new_log_makes_the_model_stale(api, user):
    trainable_user(user)
    ok(api.post(RETRAIN))
    files = sorted(Path(settings.MEDIA_ROOT).rglob("*.joblib"))

    again = ok(api.post(RETRAIN))
    assert again["status"] == "unchanged"
    assert again["model"]["version"] == 1
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*.joblib")) == files

    DailyMoodFactory(user=user, date=date(2026, 3, 1), energy_level=2)
    assert ok(api.get(MODEL))["status"] == "stale"


def test_retrain_while_her_background_training_runs_queues_another_rather_than_train_twice(
    api, user
):
    trainable_user(user)
    EnergyModelFactory(user=user, training_started_at=now())  # the thread trains her now

    response = api.post(RETRAIN)

    assert (response.status_code, response.json()) == (202, {"status": "queued"})
    row = EnergyModel.objects.get(user=user)
    assert (row.version, row.file.name, row.training_queued_at) == (0, "", now())


def test_a_retrain_that_fails_is_recorded_on_her_model_as_every_path_records_it(
    api, user, monkeypatch
):
    trainable_user(user)

    def broken_train(samples, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(ml, "train", broken_train)
    response = api.post(RETRAIN)

    assert response.status_code == 503
    assert response.json()["last_error"] == "RuntimeError: out of memory"
    assert "failed" in response.json()["detail"]
    row = EnergyModel.objects.get(user=user)
    assert "out of memory" in row.last_error
    assert row.training_started_at is None
    assert ok(api.get(MODEL))["last_error"] == "RuntimeError: out of memory"


def test_a_model_that_beats_the_fallback_serves_current_and_forecast(api, user):
    store_history(user)  # her energy is set by the day of her cycle
    model = ok(api.post(RETRAIN))["model"]
    assert model["serving"] == "model"

    energy = ok(api.get(CURRENT))["energy"]
    assert_well_formed_energy(energy)
    assert (energy["source"], energy["model_version"]) == ("model", model["version"])
    for day in ok(api.get(FORECAST))["days"]:
        assert (day["energy"]["source"], day["energy"]["model_version"]) == ("model", 1)


def test_a_past_date_is_predicted_from_her_logs_up_to_it_not_from_her_later_model(api, user):
    store_history(user)
    ok(api.post(RETRAIN))
    past = (TODAY - timedelta(days=20)).isoformat()
    before = ok(api.get(CURRENT, {"date": past}))["energy"]
    assert (before["source"], before["model_version"]) == ("fallback", None)
    logged = api.post("/api/v1/moods/", {"date": TODAY.isoformat(), "energy_level": 0})
    assert logged.status_code == 201
    after = ok(api.get(CURRENT, {"date": past}))["energy"]
    assert after["probabilities"] == before["probabilities"]  # a later log changes nothing


def test_with_a_model_current_and_a_90_day_forecast_take_few_queries_and_never_load_her_moods(
    api, user, django_assert_max_num_queries
):
    store_history(user)
    ok(api.post(RETRAIN))

    # Auth, profile, periods, signs, her record, her model, "logged today?", the new record,
    # the next period served in this cycle (one insert, a no-op once recorded).
    with django_assert_max_num_queries(12) as current:
        assert ok(api.get(CURRENT))["energy"]["source"] == "model"
    loads = [q["sql"] for q in current.captured_queries if "energy_level" in q["sql"]]
    assert loads == []

    # Auth, profile, periods, signs, her model, her records up to today (today's serves).
    with django_assert_max_num_queries(6) as forecast:
        body = ok(api.get(FORECAST, {"days": 90}))
    assert {day["energy"]["source"] for day in body["days"]} == {"model"}
    assert not [q for q in forecast.captured_queries if "moods_dailymood" in q["sql"]]


# --- Other users, garbage, storage --------------------------------------------------------


def test_another_users_model_and_records_never_show(api, other_api, other_user, user):
    store_history(other_user)
    ok(other_api.post(RETRAIN))
    ok(other_api.get(CURRENT))  # her record for today

    current = ok(api.get(CURRENT))
    assert all(current[field] is None for field in CYCLE_FIELDS)
    forecast = ok(api.get(FORECAST))
    assert {(day["day_of_cycle"], day["energy"] is None) for day in forecast["days"]} == {
        (None, True)
    }
    history = ok(api.get(HISTORY))
    assert (history["count"], history["results"]) == (0, [])
    assert history["summary"] == {"evaluated": 0, "accuracy": None}
    model = ok(api.get(MODEL))
    assert (model["status"], model["version"], model["n_samples"]) == ("none", None, 0)
    assert model["logs_needed"] == ml.MIN_SAMPLES
    assert api.post(RETRAIN).status_code == 400

    logged = api.post(PERIODS, {"start_date": "2026-03-01", "end_date": "2026-03-05"})
    assert logged.status_code == 201
    energy = ok(api.get(CURRENT))["energy"]
    assert (energy["source"], energy["model_version"]) == ("fallback", None)
    assert EnergyModel.objects.get(user=other_user).version == 1
    assert not EnergyModel.objects.filter(user=user).exists()
    assert PredictionRecord.objects.filter(user=other_user).count() == 1


@pytest.mark.parametrize(
    "query",
    [
        "date=9999-12-31",
        "date=0001-01-01",
        "date=%00",
        "date=2026-03-15&date=abc",
        "date[]=2026-03-15",
        "start=9999-12-31&days=90",
        "start=0001-01-01&days=90",
        "start=2026-03-15%00",
        "days=1e309",
        "days=NaN",
        "days=%F0%9F%92%A9",
        "page=abc",
        "page=-1",
        "page=99999999999999999999",
        "page_size=99999999999999999999",
        "page_size=-5",
    ],
)
def test_no_query_string_makes_a_predictions_route_fail(api, user, query):
    regular_cycles(user)
    log_moods(user, 5)
    for route in ROUTES:
        response = api.get(f"{route}?{query}")
        assert response.status_code in (200, 400, 404), (route, response.status_code)


def test_retrain_ignores_a_garbage_body(api, user):
    regular_cycles(user)
    response = api.post(RETRAIN, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["logs_needed"] == ml.MIN_SAMPLES


def test_every_predictions_route_needs_a_login(anon_client):
    for route in ROUTES:
        assert anon_client.get(route).status_code == 401
    assert anon_client.post(RETRAIN).status_code == 401


def test_deleting_her_account_deletes_her_model_file(api, user, django_capture_on_commit_callbacks):
    trainable_user(user)
    ok(api.post(RETRAIN))
    ok(api.get(CURRENT))
    path = model_file(user)
    assert path.is_file()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete("/api/v1/auth/me", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not path.exists()
    assert not EnergyModel.objects.exists()
    assert not PredictionRecord.objects.exists()


def test_her_export_includes_her_prediction_history_and_model(api, user, other_user):
    PredictionRecordFactory(user=user, date=date(2026, 3, 14), predicted_level=2)
    PredictionRecordFactory(user=other_user, date=date(2026, 3, 14))
    EnergyModelFactory(user=user, version=3, n_samples=40, cv_accuracy=0.61, serves_model=True)
    EnergyModelFactory(user=other_user, version=7)

    body = ok(api.get("/api/v1/auth/me/export"))
    [record] = body["prediction_history"]
    assert (record["date"], record["predicted_level"], record["source"]) == (
        "2026-03-14",
        2,
        "fallback",
    )
    model = body["energy_model"]
    assert (model["version"], model["n_samples"], model["cv_accuracy"]) == (3, 40, 0.61)
    assert model["serves_model"] is True


def test_model_files_are_not_served_over_http(api, anon_client, user):
    trainable_user(user)
    ok(api.post(RETRAIN))
    name = EnergyModel.objects.get(user=user).file.name
    assert model_file(user).is_file()
    url = f"/{settings.MEDIA_URL.strip('/')}/{name}"
    with pytest.raises(Resolver404):
        resolve(url)
    assert anon_client.get(url).status_code == 404
    assert api.get(url).status_code == 404


def test_a_training_says_in_the_log_what_it_made(api, user, caplog):
    store_history(user)
    with caplog.at_level(logging.INFO, logger="predictions.training"):
        model = ok(api.post(RETRAIN))["model"]
    assert (
        f"trained the energy model of user {user.pk}: version {model['version']} "
        f"on {model['n_samples']} logs, serving the model"
    ) in caplog.messages


def test_a_cached_answer_is_kept_as_its_json_and_served_byte_for_byte(
    api, user, django_assert_num_queries
):
    from django.core.cache import cache

    from core.userdata import answer_cache_key

    regular_cycles(user)
    first = api.get(CURRENT)
    user.refresh_from_db()
    key = answer_cache_key("current", user, ml.FORMAT_VERSION, TODAY, TODAY)
    assert type(cache.get(key)) is bytes
    assert cache.get(key) == first.content
    with django_assert_num_queries(1):  # her row, for the token: nothing else is computed
        again = api.get(CURRENT)
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    assert again["Cache-Control"] == "no-store"
    Period.objects.filter(user=user).order_by("-start_date").first().delete()
    assert api.get(CURRENT).content != first.content  # her data changed: a new answer


def test_this_process_serves_its_own_copy_until_her_data_changes(
    api, user, django_assert_num_queries
):
    """The shared cache emptied (Redis restarted, say): the worker's own copy
    serves the same bytes; a change to her data is a new key, so the copy is
    never served past it."""
    from django.core.cache import cache

    regular_cycles(user)
    first = api.get(CURRENT)
    cache.clear()
    with django_assert_num_queries(1):  # her row, for the token: nothing computed
        assert api.get(CURRENT).content == first.content
    Period.objects.filter(user=user).order_by("-start_date").first().delete()
    assert api.get(CURRENT).content != first.content
