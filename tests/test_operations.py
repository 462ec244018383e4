"""Health, schema and docs pages, and settings that must fail fast."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_health_answers_ok_without_a_token(anon_client):
    response = anon_client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "local"}


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_down(anon_client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = anon_client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_schema_and_docs_pages_load_without_a_token(anon_client, path):
    assert anon_client.get(path).status_code == 200


def run_check(*command, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *(command or ["check"])],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_starts_with_a_secret_key():
    assert run_check(DEBUG="0", SECRET_KEY="a" * 50).returncode == 0


def test_makemigrations_check_needs_no_secret_key():
    result = run_check("makemigrations", "--check", "--dry-run", DEBUG="0")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_workers_without_a_shared_cache_get_a_warning_in_development(settings, monkeypatch):
    from core.checks import shared_cache_with_workers

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1"
    settings.REDIS_URL = ""
    assert [w.id for w in shared_cache_with_workers(None)] == ["planher.W001"]
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert shared_cache_with_workers(None) == []


@pytest.mark.parametrize(
    "broker, workers",
    [("redis://127.0.0.1:6379/1", "1"), ("", "3"), ("redis://127.0.0.1:6379/1", "4")],
)
def test_several_workers_without_a_shared_cache_are_an_error_with_debug_off(
    settings, monkeypatch, broker, workers
):
    """Each worker would count failed logins on its own: 10 per account would be 10 per worker."""
    from core.checks import shared_cache_with_workers

    monkeypatch.setenv("WEB_CONCURRENCY", workers)
    settings.DEBUG = False
    settings.CELERY_BROKER_URL = broker
    settings.REDIS_URL = ""
    [error] = shared_cache_with_workers(None)
    assert (error.id, error.level) == ("planher.E003", 40)  # an Error: the server does not start
    assert "failed-login" in error.msg
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert shared_cache_with_workers(None) == []


def test_one_process_without_redis_passes_the_check(settings, monkeypatch):
    """The embedded default (DEBUG off, local-memory cache, one process) still starts."""
    from core.checks import shared_cache_with_workers

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings.DEBUG = False
    settings.CELERY_BROKER_URL = ""
    settings.REDIS_URL = ""
    assert shared_cache_with_workers(None) == []


def test_several_workers_without_redis_fail_manage_py_check():
    result = run_check("check", DEBUG="0", SECRET_KEY="a" * 50, WEB_CONCURRENCY="3", REDIS_URL="")
    assert result.returncode != 0
    assert "planher.E003" in result.stderr
