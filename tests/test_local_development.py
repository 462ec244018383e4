"""A fresh checkout works the way a newcomer expects: a local frontend may call
the API in development, each log line shows once, and a missing collectstatic
is named before the admin answers 500."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCAL_FRONTENDS = [
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:3000",
    "http://127.0.0.1:3000",
]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Runs ``code`` with PlanHer's settings as a fresh process would load them."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "CORS_ALLOWED_ORIGINS", "LOG_LEVEL"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "planher.settings", **clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# A real CORS preflight through the full middleware stack, for each origin given.
PREFLIGHT = """
import json, sys, django
django.setup()
from django.test import Client
answers = {}
for origin in sys.argv[1:]:
    response = Client(HTTP_HOST="localhost").options(
        "/api/v1/auth/login",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    answers[origin] = response.headers.get("Access-Control-Allow-Origin")
print(json.dumps(answers))
"""


def preflight(origins, **env) -> dict:
    code = PREFLIGHT.replace("sys.argv[1:]", repr(origins))
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_local_frontends_pass_cors_in_development_without_configuration():
    answers = preflight([*LOCAL_FRONTENDS, "http://localhost:8080"], DEBUG="1")
    assert answers == {
        **{origin: origin for origin in LOCAL_FRONTENDS},
        "http://localhost:8080": None,
    }


def test_configured_origins_still_pass_in_development():
    answers = preflight(
        ["https://app.planher.example", "http://localhost:5173"],
        DEBUG="1",
        CORS_ALLOWED_ORIGINS="https://app.planher.example",
    )
    assert answers == {
        "https://app.planher.example": "https://app.planher.example",
        "http://localhost:5173": "http://localhost:5173",
    }


def test_local_frontends_need_configuration_in_production():
    answers = preflight(
        [*LOCAL_FRONTENDS, "https://app.planher.example"],
        DEBUG="0",
        SECRET_KEY="a" * 50,
        CORS_ALLOWED_ORIGINS="https://app.planher.example",
    )
    assert answers == {
        **{origin: None for origin in LOCAL_FRONTENDS},
        "https://app.planher.example": "https://app.planher.example",
    }


# --- Logs ------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", ["1", "0"])
@pytest.mark.parametrize("logger", ["django.request", "django.server", "predictions.tasks"])
def test_a_log_record_emitted_once_is_printed_once(debug, logger):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"import logging; logging.getLogger({logger!r}).warning('one-line-%s', 42)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_LEVEL"}},
            "DEBUG": debug,
            "SECRET_KEY": "a" * 50,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout + result.stderr
    assert printed.count("one-line-42") == 1, printed
    assert f"WARNING {logger} one-line-42" in printed


# --- Static files ----------------------------------------------------------------------

MANIFEST_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture
def production_static(settings, tmp_path):
    """The static storage as deployed (the suite's default needs no manifest)."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}
    return settings


def deployment_check_ids():
    from django.core import checks

    return {message.id for message in checks.run_checks(include_deployment_checks=True)}


def test_check_deploy_names_a_missing_collectstatic(production_static):
    from core.checks import static_files_collected

    [error] = static_files_collected(None)
    assert error.id == "planher.E001"
    assert error.level == 40  # an Error: `check --deploy` fails
    assert str(production_static.STATIC_ROOT / "staticfiles.json") in error.msg
    assert "manage.py collectstatic" in error.hint
    assert "planher.E001" in deployment_check_ids()


def test_check_deploy_passes_once_collectstatic_has_run(production_static):
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    assert "planher.E001" not in deployment_check_ids()


def test_a_missing_manifest_does_not_matter_with_debug_on(production_static):
    production_static.DEBUG = True
    assert "planher.E001" not in deployment_check_ids()


def test_manage_py_check_deploy_fails_on_a_plain_checkout(tmp_path):
    """The real command, as an operator runs it before starting gunicorn."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "STATIC_ROOT"}},
            "DEBUG": "0",
            "SECRET_KEY": "k" * 60,
            "STATIC_ROOT": str(tmp_path / "never-collected"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "planher.E001" in result.stderr
    assert "manage.py collectstatic" in result.stderr
