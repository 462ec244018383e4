"""The trained model's life: training, skipping, replacing, and refusing a
stored file that cannot be trusted, without ever answering 500.

Serving reads the probabilities precomputed at training (``position_table``)
first; tests that need the file itself clear that table, so every point is
served from the loaded estimator or, when it cannot be trusted, the fallback.
"""

from datetime import date, timedelta
from pathlib import Path

import joblib
import pytest
import time_machine
from django.conf import settings
from django.utils.crypto import salted_hmac

from cycles import services as cycle_services
from moods.tests.factories import DailyMoodFactory
from predictions import lifecycle, ml, serving, training
from predictions.models import EnergyModel

from .factories import (
    FROZEN_NOW,
    REGULAR_STARTS,
    TODAY,
    cycle_bound_history,
    day_position,
    log_moods,
    plain_history,
    regular_cycles,
    store_history,
)

FORECAST = "/api/v1/predictions/forecast"
CURRENT = "/api/v1/predictions/current"
MODEL = "/api/v1/predictions/model"

# Cycle positions she never lived through, so never in the precomputed table.
ODD_POINTS = [
    day_position(day_of_cycle=day, cycle_length=61, days_until_next=61 - day, phase="luteal")
    for day in (40, 50, 60)
]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def unpickled(monkeypatch):
    """Every joblib.load call, so a test can tell that nothing was unpickled."""
    calls = []
    real_load = joblib.load

    def spy(*args, **kwargs):
        calls.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(lifecycle.joblib, "load", spy)
    return calls


def train(user, history=None) -> EnergyModel:
    store_history(user, history)
    outcome = training.energy_model_retrain(user=user)
    assert outcome.status == "trained"
    return outcome.model


def without_table(row) -> EnergyModel:
    EnergyModel.objects.filter(pk=row.pk).update(position_table={})
    return EnergyModel.objects.get(pk=row.pk)


def path_of(name) -> Path:
    return Path(settings.MEDIA_ROOT, name)


def model_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.joblib"))


def serve(user, points=ODD_POINTS):
    data = cycle_services.cycle_data_load(user=user)
    return serving.EnergyPredictor.for_user(user=user, data=data).predict(points)


def forecast_sources(api) -> set:
    response = api.get(FORECAST, {"days": 60})
    assert response.status_code == 200
    return {day["energy"]["source"] for day in response.json()["days"]}


# --- Training ---------------------------------------------------------------------------


def test_a_user_without_data_gets_insufficient_and_the_logs_she_needs(user):
    """GIVEN a user with no period and no energy logs
    WHEN her model is retrained
    THEN nothing is trained: the outcome says how many logs she still needs."""
    outcome = training.energy_model_retrain(user=user)
    assert (outcome.status, outcome.logs_needed, outcome.model) == (
        "insufficient",
        ml.MIN_SAMPLES,
        None,
    )
    assert not EnergyModel.objects.exists()
    assert model_files() == []


def test_logs_before_her_first_period_do_not_count_toward_training(user):
    """GIVEN 20 energy logs, all before her first logged period
    WHEN her model is retrained
    THEN it is insufficient: a log without a cycle position teaches nothing."""
    regular_cycles(user)
    log_moods(user, 20, first=REGULAR_STARTS[0] - timedelta(days=25))
    outcome = training.energy_model_retrain(user=user)
    assert (outcome.status, outcome.logs_needed) == ("insufficient", ml.MIN_SAMPLES)


def test_retraining_unchanged_data_is_skipped_and_writes_no_file(user):
    """GIVEN her trained model
    WHEN she is retrained with nothing changed
    THEN the training is skipped: same version, same file, no new file."""
    row = train(user)
    files = model_files()
    assert files == [path_of(row.file.name)]

    outcome = training.energy_model_retrain(user=user)

    assert outcome.status == "skipped"
    assert (outcome.model.version, outcome.model.file.name) == (1, row.file.name)
    assert model_files() == files


def test_retraining_after_new_data_writes_a_new_file_and_deletes_the_old_one(
    user, django_capture_on_commit_callbacks
):
    """GIVEN her trained model (version 1) and a new energy log
    WHEN she is retrained and the training commits
    THEN version 2 points at a new file and the old file is deleted."""
    old = train(user)
    old_path = path_of(old.file.name)
    DailyMoodFactory(user=user, date=date(2026, 3, 15), energy_level=2)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = training.energy_model_retrain(user=user)

    new = EnergyModel.objects.get(user=user)
    assert outcome.status == "trained"
    assert new.version == 2
    assert new.file.name != old.file.name
    assert new.digest != old.digest
    assert not old_path.exists()
    assert model_files() == [path_of(new.file.name)]


def test_two_years_of_logs_make_a_model_file_of_at_most_100_kb(user):
    """GIVEN two years of daily energy logs
    WHEN her model is trained
    THEN its stored file is at most 100 KB."""
    row = train(user, plain_history(days=730))
    assert row.n_samples > 600
    assert path_of(row.file.name).stat().st_size <= 100 * 1024


# --- Serving from the file ----------------------------------------------------------------


def test_a_trusted_file_serves_points_outside_the_precomputed_table(user, unpickled):
    """GIVEN her trained model that beats the fallback, without a precomputed table
    WHEN points she never lived through are served, twice
    THEN the loaded estimator answers, and the file is unpickled only once."""
    row = without_table(train(user))
    assert row.serves_model

    first = serve(user)
    second = serve(user)

    assert {(p.source, p.model_version) for p in first} == {("model", 1)}
    assert [p.probabilities for p in second] == [p.probabilities for p in first]
    assert len(unpickled) == 1


def test_a_model_of_another_format_version_is_refused_and_retrained(
    api, user, monkeypatch, unpickled, django_capture_on_commit_callbacks, background_jobs
):
    """GIVEN her trained model, stored in format version 1
    WHEN PlanHer moves to format version 2 and she asks for a forecast
    THEN the file is refused unread, the fallback serves, and the retraining it
    queues brings back a model in the new format."""
    without_table(train(user))
    monkeypatch.setattr(ml, "FORMAT_VERSION", ml.FORMAT_VERSION + 1)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert forecast_sources(api) == {"fallback"}
    background_jobs.drain()

    assert unpickled == []
    assert len(queued) >= 1
    row = EnergyModel.objects.get(user=user)
    assert (row.version, row.format_version) == (2, ml.FORMAT_VERSION)
    assert row.last_error == ""
    # Today keeps the fallback it was first served (and recorded); the days after
    # come from the new model.
    later = api.get(FORECAST, {"start": (TODAY + timedelta(days=1)).isoformat(), "days": 60})
    assert {day["energy"]["source"] for day in later.json()["days"]} == {"model"}


def test_a_corrupt_file_is_refused_by_its_signature_without_unpickling(api, user, unpickled):
    """GIVEN her trained model whose file was corrupted in storage
    WHEN she asks for a forecast
    THEN the signature check refuses it before unpickling, and the fallback serves."""
    row = without_table(train(user))
    path = path_of(row.file.name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    assert forecast_sources(api) == {"fallback"}

    assert unpickled == []
    row.refresh_from_db()
    assert "signature" in row.last_error
    assert row.data_fingerprint == ""  # so the next retrain is not skipped
    assert row.training_queued_at is not None


def test_a_file_re_signed_with_another_key_is_refused(user, unpickled):
    """GIVEN her model file replaced by another pickle, signed with a key that is not ours
    WHEN the file is loaded
    THEN it is refused before unpickling and the fallback serves."""
    row = without_table(train(user))
    path = path_of(row.file.name)
    joblib.dump({"not": "a model"}, path)  # any pickle: it must never be read
    digest = salted_hmac(
        lifecycle.HMAC_SALT, path.read_bytes(), secret="not-our-key", algorithm="sha256"
    ).hexdigest()
    EnergyModel.objects.filter(pk=row.pk).update(digest=digest)
    row.refresh_from_db()

    with pytest.raises(lifecycle.ModelFileError, match="signature"):
        lifecycle.open_model(row)
    assert {p.source for p in serve(user)} == {"fallback"}
    assert unpickled == []


@pytest.mark.parametrize("damage", ["truncated", "missing", "another format", "no file"])
def test_loading_an_untrustworthy_file_returns_nothing_and_marks_it_unusable(
    user, unpickled, damage
):
    """GIVEN her model file truncated, gone, of another format, or never written
    WHEN it is loaded
    THEN the load returns None instead of raising, nothing is unpickled, and her
    row says why (so the next retrain is not skipped)."""
    row = without_table(train(user))
    path = path_of(row.file.name)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "missing":
        path.unlink()
    elif damage == "another format":
        EnergyModel.objects.filter(pk=row.pk).update(format_version=ml.FORMAT_VERSION + 1)
    else:
        EnergyModel.objects.filter(pk=row.pk).update(file="", digest="")
    row.refresh_from_db()

    assert lifecycle.load_model(row) is None

    assert unpickled == []
    row.refresh_from_db()
    assert row.last_error.startswith("model file unusable: ")
    assert lifecycle.discarded(row)


def test_a_file_written_by_another_scikit_learn_is_refused(api, user, unpickled):
    """GIVEN her model written by scikit-learn "0.0"
    WHEN she asks for a forecast
    THEN the file is refused unread and the fallback serves."""
    row = without_table(train(user))
    EnergyModel.objects.filter(pk=row.pk).update(sklearn_version="0.0")

    assert forecast_sources(api) == {"fallback"}

    assert unpickled == []
    assert "scikit-learn 0.0" in EnergyModel.objects.get(pk=row.pk).last_error


def test_a_file_missing_from_storage_falls_back_without_an_error(api, user):
    """GIVEN her model row whose file was deleted behind its back
    WHEN she asks for today and a forecast
    THEN both answer 200 from the fallback, and /model says why."""
    row = without_table(train(user))
    row.file.storage.delete(row.file.name)

    assert forecast_sources(api) == {"fallback"}
    current = api.get(CURRENT)
    assert current.status_code == 200
    assert current.json()["energy"]["source"] == "fallback"
    model = api.get(MODEL).json()
    assert model["serving"] == "fallback"
    assert "cannot read" in model["last_error"]


def test_once_her_file_is_refused_every_answer_comes_from_the_fallback(api, user):
    """GIVEN her model with its precomputed table, whose file is then corrupted
    WHEN a point outside the table finds the file unusable
    THEN /model says the fallback serves, and so do /current and /forecast."""
    row = train(user)
    path_of(row.file.name).write_bytes(b"garbage")
    assert {p.source for p in serve(user)} == {"fallback"}

    assert api.get(MODEL).json()["serving"] == "fallback"
    assert api.get(CURRENT).json()["energy"]["source"] == "fallback"
    assert forecast_sources(api) == {"fallback"}


def test_a_retrained_model_is_never_served_from_a_stale_cache_entry(
    user, django_capture_on_commit_callbacks
):
    """GIVEN her version 1 loaded into the in-process cache
    WHEN her data changes and version 2 is trained
    THEN points are served by version 2, as read from its own file."""
    v1 = without_table(train(user))
    served_v1 = serve(user)
    assert lifecycle.estimators.get((v1.pk, 1, v1.digest)) is not None

    with django_capture_on_commit_callbacks(execute=True):
        v2 = without_table(train(user, cycle_bound_history(days=60, seed=4)))
    served_v2 = serve(user)

    assert v2.version == 2
    assert {(p.source, p.model_version) for p in served_v2} == {("model", 2)}
    from_file = ml.predict_probabilities(
        lifecycle.unpickle(path_of(v2.file.name).read_bytes()), ODD_POINTS
    )
    assert [p.probabilities for p in served_v2] == from_file
    assert [p.probabilities for p in served_v2] != [p.probabilities for p in served_v1]
