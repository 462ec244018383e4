"""Production settings, as deployed: check --deploy, cookies, HSTS, SSL redirect, error pages.

Part of what SECURITY.md promises, each shown over real HTTP."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from .common import ROOT

pytestmark = pytest.mark.django_db


# --- Production settings (a subprocess with DEBUG off, as deployed) -------------------------


def production_environment(tmp_path, **extra) -> dict:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_"))
        and not key.startswith(("CORS_", "ALLOWED_HOSTS", "REDIS_URL", "CELERY_"))
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "planher.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "planher.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "CORS_ALLOWED_ORIGINS": "https://app.planher.example.com",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": collected_static(tmp_path / "static"),
        **extra,
    }


def collected_static(folder) -> str:
    """A STATIC_ROOT as `collectstatic` leaves it, as far as `check --deploy` looks:
    with its manifest (planher.E001). These probes load no static file."""
    folder.mkdir(exist_ok=True)
    (folder / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    return str(folder)


def run_python(env, code):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Imports the production settings, runs `manage.py check --deploy --fail-level WARNING`,
# then asks the full middleware stack a few questions.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

try:
    call_command("check", deploy=True, fail_level="WARNING")
    check = "passed"
except SystemCheckError as error:
    check = str(error)

site = Client(HTTP_HOST="planher.example.com")
out = {name: getattr(settings, name, None) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
    "SECURE_PROXY_SSL_HEADER", "CORS_ALLOW_ALL_ORIGINS", "CORS_ALLOW_CREDENTIALS"]}
out["check_deploy"] = check
out["renderers"] = settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
def seen(response):
    return {"status": response.status_code, "location": response.headers.get("Location"),
            "hsts": response.headers.get("Strict-Transport-Security"),
            "body": response.content.decode(errors="replace")[:2000]}
out["secure"] = seen(site.get("/api/v1/periods/", secure=True))
out["plain"] = seen(site.get("/api/v1/periods/"))
out["proxied"] = seen(site.get("/api/v1/periods/", headers={"X-Forwarded-Proto": "https"}))
out["health_plain"] = seen(site.get("/api/v1/health"))
out["missing"] = seen(site.get("/no/such/page", secure=True))
out["other_host"] = seen(Client(HTTP_HOST="evil.example").get("/api/v1/periods/", secure=True))
print(json.dumps(out, default=str))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What the production settings say and do, with SSL redirect off (default) and on."""
    seen = {}
    for name, extra in {"default": {}, "ssl_redirect": {"SECURE_SSL_REDIRECT": "1"}}.items():
        env = production_environment(tmp_path_factory.mktemp(name), **extra)
        result = run_python(env, PROBE)
        assert result.returncode == 0, result.stderr[-3000:]
        seen[name] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.parametrize("variant", ["default", "ssl_redirect"])
def test_check_deploy_passes_with_production_settings(production, variant):
    assert production[variant]["check_deploy"] == "passed"


def test_check_deploy_notices_a_development_setting(settings):
    """The control: the deployment checks above are not vacuous."""
    from django.core import checks

    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    found = {message.id for message in checks.run_checks(include_deployment_checks=True)}
    assert {"security.W018", "security.W012"} <= found


def test_production_cookies_are_secure_and_hsts_lasts_a_year(production):
    settings_seen = production["default"]
    assert settings_seen["DEBUG"] is False
    assert settings_seen["SESSION_COOKIE_SECURE"] is True
    assert settings_seen["CSRF_COOKIE_SECURE"] is True
    assert settings_seen["SESSION_COOKIE_HTTPONLY"] is True
    assert settings_seen["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert settings_seen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings_seen["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings_seen["X_FRAME_OPTIONS"] == "DENY"
    assert not settings_seen["CORS_ALLOW_ALL_ORIGINS"]
    assert not settings_seen["CORS_ALLOW_CREDENTIALS"]
    assert settings_seen["renderers"] == ["core.renderers.JSONRenderer"]


def test_a_secure_request_gets_hsts_and_a_plain_one_does_not(production):
    seen = production["default"]
    assert seen["secure"]["status"] == 401
    assert "max-age=31536000" in seen["secure"]["hsts"]
    assert "includeSubDomains" in seen["secure"]["hsts"]
    assert seen["plain"]["hsts"] is None
    assert seen["plain"]["status"] == 401  # behind the TLS proxy, no redirect by Django


def test_with_ssl_redirect_plain_http_is_redirected_to_https(production):
    seen = production["ssl_redirect"]
    assert seen["SECURE_SSL_REDIRECT"] is True
    assert seen["plain"]["status"] == 301
    assert seen["plain"]["location"] == "https://planher.example.com/api/v1/periods/"
    # A request the TLS proxy forwarded (X-Forwarded-Proto: https) is not redirected.
    assert seen["proxied"]["status"] == 401
    assert seen["proxied"]["hsts"]
    # The health probe speaks plain HTTP inside the network.
    assert seen["health_plain"]["status"] == 200


def test_production_pages_tell_nothing_about_the_code(production):
    seen = production["default"]
    assert seen["missing"]["status"] == 404
    assert "URLconf" not in seen["missing"]["body"]
    assert "Traceback" not in seen["missing"]["body"]
    assert seen["other_host"]["status"] == 400  # ALLOWED_HOSTS
