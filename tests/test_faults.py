"""Faults: a database that goes away, a write that fails half-way, a process
killed in the middle of its work. The API answers 503 rather than 500, keeps
no half-written rows, never serves a model file it cannot verify, and
recovers by itself.

The first tests run in-process on the test database. The last ones run the
scripts in ``bench/faults/`` (real gunicorn, Celery and PostgreSQL processes
on loopback); they are marked ``faults`` and take about 25-60 s each.
"""

import json
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import OperationalError, connections
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import PASSWORD
from accounts.tokens import SessionRefreshToken
from cycles.models import Period, Profile
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions.models import EnergyModel
from predictions.tests.factories import EnergyModelFactory

User = get_user_model()
ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"
STRONG = "a-much-better-passphrase-42"


# --- The database goes away ---------------------------------------------------------------


@contextmanager
def database_down(monkeypatch):
    """Every connection is closed and every new one refused, as when the server is gone."""
    wrapper = connections["default"]
    wrapper.close()

    def refuse(*args, **kwargs):
        raise wrapper.Database.OperationalError("connection refused (the database is down)")

    with monkeypatch.context() as patch:
        patch.setattr(wrapper, "get_new_connection", refuse)
        yield
    wrapper.close()


def every_route(day):
    return [
        ("get", "/auth/me", None),
        ("get", "/auth/me/export", None),
        ("get", "/profiles/me", None),
        ("get", "/periods/", None),
        ("get", "/periods/stats", None),
        ("get", "/moods/", None),
        ("get", "/predictions/current", None),
        ("get", "/predictions/forecast", None),
        ("get", "/predictions/history", None),
        ("get", "/predictions/model", None),
        ("post", "/moods/", {"date": day, "energy_level": 2, "notes": "during the outage"}),
        ("post", "/periods/", {"start_date": day}),
        ("post", "/profiles/me", {"height_cm": 170}),
        ("patch", "/auth/me", {"name": "During the outage"}),
        ("post", "/predictions/retrain", None),
        ("post", "/auth/logout", {"refresh": "x"}),
        ("post", "/auth/password", {"old_password": PASSWORD, "new_password": STRONG}),
        ("delete", "/auth/me", {"password": PASSWORD}),
    ]


@pytest.mark.django_db(transaction=True)
def test_with_the_database_down_every_route_answers_503_and_recovers_by_itself(
    user, client_for, anon_client, monkeypatch
):
    api = client_for(user)
    refresh = str(RefreshToken.for_user(user))
    day = user.local_today().isoformat()
    anonymous = [
        ("post", "/auth/login", {"email": user.email, "password": PASSWORD}),
        ("post", "/auth/register", {"email": "new@example.com", "password": STRONG}),
        ("post", "/auth/refresh", {"refresh": refresh}),
    ]

    with database_down(monkeypatch):
        health = anon_client.get(f"{API}/health")
        answers = {
            f"{method.upper()} {path}": client.generic(
                method.upper(),
                f"{API}{path}",
                json.dumps(body) if body else "",
                content_type="application/json",
            )
            for client, routes in ((api, every_route(day)), (anon_client, anonymous))
            for method, path, body in routes
        }

    assert (health.status_code, health.json()["database"]) == (503, "down")
    wrong = {name: r.status_code for name, r in answers.items() if r.status_code != 503}
    assert not wrong, f"not a 503 while the database was down: {wrong}"
    assert all(int(r["Retry-After"]) > 0 for r in answers.values())

    # Back: nothing to restart, nothing written during the outage.
    assert anon_client.get(f"{API}/health").status_code == 200
    assert api.get(f"{API}/periods/").status_code == 200
    assert api.post(f"{API}/moods/", {"date": day, "energy_level": 1}).status_code == 201
    # (Notes are encrypted at rest: compared in Python, not by the database.)
    assert "during the outage" not in DailyMood.objects.values_list("notes", flat=True)
    assert not Period.objects.exists() and not Profile.objects.exists()
    user.refresh_from_db()
    assert (user.name, user.check_password(PASSWORD)) == ("Alice", True)
    assert not User.objects.filter(email="new@example.com").exists()


# --- A write that fails half-way --------------------------------------------------------------


def fail(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/moods/", {"date": "2026-03-01", "energy_level": 2}, DailyMood),
        ("/periods/", {"start_date": "2026-03-01", "end_date": "2026-03-04"}, Period),
        ("/profiles/me", {"height_cm": 170, "weight_kg": 60}, Profile),
    ],
)
def test_a_write_that_fails_after_its_insert_leaves_no_row(api, monkeypatch, path, body, model):
    # Her rows are written, then announcing the change fails: all of it rolls back.
    monkeypatch.setattr("core.views.user_data_changed", fail)
    response = api.post(f"{API}{path}", body)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert not model.objects.exists()


def test_a_deletion_that_fails_midway_keeps_the_whole_account_and_her_files(
    api, user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    ProfileFactory(user=user)
    PeriodFactory(user=user)
    DailyMoodFactory(user=user, date=date(2026, 3, 1))
    row = EnergyModelFactory(user=user, version=1, digest="0" * 64)
    row.file.save("model.joblib", ContentFile(b"her model"), save=True)
    path = Path(settings.MEDIA_ROOT, row.file.name)
    real_delete = User.delete

    def delete_then_fail(self, *args, **kwargs):
        real_delete(self, *args, **kwargs)  # the cascade ran: every row is gone ...
        fail()  # ... and then the connection breaks before the commit

    monkeypatch.setattr(User, "delete", delete_then_fail)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"{API}/auth/me", {"password": PASSWORD})

    assert response.status_code == 503
    assert User.objects.filter(pk=user.pk).exists()
    assert (Profile.objects.count(), Period.objects.count(), DailyMood.objects.count()) == (1, 1, 1)
    assert EnergyModel.objects.filter(user=user).exists()
    assert path.read_bytes() == b"her model"


def test_a_password_change_that_fails_midway_changes_nothing(anon_client, api, user, monkeypatch):
    refresh = str(RefreshToken.for_user(user))
    monkeypatch.setattr("accounts.views.services.user_revoke_refresh_tokens", fail)
    response = api.post(f"{API}/auth/password", {"old_password": PASSWORD, "new_password": STRONG})
    assert response.status_code == 503
    user.refresh_from_db()
    # Never a new password with her old sessions still alive: the old one stands.
    assert user.check_password(PASSWORD)
    assert anon_client.post(f"{API}/auth/refresh", {"refresh": refresh}).status_code == 200


@pytest.mark.django_db
def test_a_registration_that_fails_midway_leaves_no_account_and_can_be_retried(
    anon_client, monkeypatch
):
    body = {"email": "ada@example.com", "password": STRONG}
    with monkeypatch.context() as patch:
        patch.setattr("accounts.views.serializers.tokens_for", fail)
        assert anon_client.post(f"{API}/auth/register", body).status_code == 503
    assert not User.objects.exists()
    assert anon_client.post(f"{API}/auth/register", body).status_code == 201


def test_a_refresh_that_fails_midway_keeps_her_refresh_token_valid(anon_client, user, monkeypatch):
    refresh = str(RefreshToken.for_user(user))
    with monkeypatch.context() as patch:
        patch.setattr(SessionRefreshToken, "rotate", fail)  # after the old token was blacklisted
        failed = anon_client.post(f"{API}/auth/refresh", {"refresh": refresh})
    assert failed.status_code == 503
    assert anon_client.post(f"{API}/auth/refresh", {"refresh": refresh}).status_code == 200


# --- Processes killed mid-work (bench/faults/) ------------------------------------------------

REDIS_FAULTS_URL = "redis://127.0.0.1:6379/12"


def database_kind() -> str:
    return "postgres" if connections["default"].vendor == "postgresql" else "sqlite"


def run_fault_script(name, tmp_path, *args) -> dict:
    """Run bench/faults/<name>.py; its checks, by name."""
    report = tmp_path / f"{name}.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "faults" / f"{name}.py"), "--json", report, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    print(result.stdout[-6000:], result.stderr[-4000:])
    assert report.exists(), result.stderr[-3000:]
    summary = json.loads(report.read_text())
    checks = {check["check"]: check for check in summary["checks"]}
    assert summary["passed"] == (result.returncode == 0)
    assert "the check ran to its end" not in checks, checks
    return checks


def assert_passed(checks, *, except_=()):
    failed = {
        name: c["detail"] for name, c in checks.items() if not c["ok"] and name not in except_
    }
    assert not failed, failed


def redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_FAULTS_URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        return False


@pytest.mark.faults
def test_a_gunicorn_worker_killed_mid_request_leaves_no_partial_rows(tmp_path):
    checks = run_fault_script("gunicorn_kill", tmp_path, "--database", database_kind())
    assert_passed(checks)
    assert len(checks) >= 7


RETRAINED = "the redelivered task retrained her model"


@pytest.fixture(scope="module")
def killed_celery_child(tmp_path_factory):
    if not redis_reachable():
        pytest.skip(f"no Redis at {REDIS_FAULTS_URL}")
    return run_fault_script(
        "celery_kill",
        tmp_path_factory.mktemp("celery"),
        "--mode",
        "child",
        "--database",
        database_kind(),
    )


@pytest.mark.faults
@pytest.mark.redis
def test_a_celery_child_killed_mid_training_never_leaves_a_corrupt_model_served(
    killed_celery_child,
):
    assert_passed(killed_celery_child, except_={RETRAINED})
    assert RETRAINED in killed_celery_child


@pytest.mark.faults
@pytest.mark.redis
def test_the_training_of_a_killed_celery_child_is_redone(killed_celery_child):
    assert killed_celery_child[RETRAINED]["ok"], killed_celery_child[RETRAINED]["detail"]


@pytest.mark.faults
@pytest.mark.redis
def test_a_celery_worker_killed_mid_training_is_redelivered_and_retrains(tmp_path):
    if not redis_reachable():
        pytest.skip(f"no Redis at {REDIS_FAULTS_URL}")
    checks = run_fault_script(
        "celery_kill", tmp_path, "--mode", "worker", "--database", database_kind()
    )
    assert_passed(checks)


def postgres_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@pytest.mark.faults
def test_the_database_going_away_answers_503_and_recovers_without_a_restart(tmp_path):
    if not postgres_reachable():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    checks = run_fault_script("database_down", tmp_path)
    assert_passed(checks)
