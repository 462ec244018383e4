"""Shared pieces of the benchmarks: a throwaway environment, a gunicorn server
(and optionally a Celery worker) on this machine, and percentile timing.

Only loopback addresses are used; every loop is bounded in count and time.
"""

import base64
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What a benchmark's server must not inherit from the shell that starts it.
NOT_INHERITED = ("CELERY_", "REDIS_URL", "DATABASE_URL", "THROTTLE_", "DJANGO_")


def server_environment(database_url: str, folder: Path, **extra) -> dict:
    """Production settings (DEBUG off) for a server and workers on this machine:
    fresh secret and note keys, throttles off, files under ``folder``, this checkout's
    apps; no broker or Redis unless ``extra`` names them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(folder / "media"),
            "STATIC_ROOT": str(folder / "static"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "THROTTLE_AUTH_RATE": "off",
            "THROTTLE_USER_RATE": "off",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "planher.settings",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def bench_environment(database_url: str | None, **extra) -> dict:
    """``server_environment`` in a fresh folder, on a fresh SQLite file by default."""
    workdir = Path(tempfile.mkdtemp(prefix="planher-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    return server_environment(url, workdir, **extra)


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planher.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_user(email: str, *, days: int = 365, seed: int = 1, train: bool = True):
    """A user with a synthetic history (and her trained model)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils.timezone import now

    from predictions import training
    from predictions.seeding import history_store
    from predictions.synthetic import make_user_history

    user, _ = get_user_model().objects.get_or_create(email=email)
    user.set_password(PASSWORD)
    user.save()
    today = now().date()
    history = make_user_history(random.Random(seed), days=days, today=today - timedelta(days=1))
    history_store(user=user, history=history)
    if train:
        training.energy_model_retrain(user=user, force=True)
    return user


@contextmanager
def gunicorn(env: dict, *, workers: int = 1, threads: int = 1):
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "planher.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def celery_worker(env: dict):
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "planher",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/api/v1/health")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def request(
    port: int, method: str, path: str, body=None, token: str | None = None, timeout: float = 30
):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def login(port: int, email: str) -> str:
    status, body = request(
        port, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}
    )
    assert status == 200, body
    return json.loads(body)["access"]


def timed(port, method, path, body=None, token=None) -> float:
    started = time.perf_counter()
    status, payload = request(port, method, path, body, token)
    elapsed = (time.perf_counter() - started) * 1000
    if status >= 400:
        raise RuntimeError(f"{method} {path} answered {status}: {payload[:200]!r}")
    return elapsed


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": statistics.median(samples), "p95": cuts[94], "p99": cuts[98]}


def machine() -> str:
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
