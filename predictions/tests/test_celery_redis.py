"""A real Celery worker, fed by the Redis at 127.0.0.1:6379, retrains a user
after a burst of mood logs over HTTP, without anyone calling retrain.

Marked ``redis``: ``make test-all`` and CI run it; ``make test`` leaves it out.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from cycles.tests.factories import PeriodFactory
from planher.celery import app as celery_app
from predictions.models import EnergyModel

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]
BURST = 20


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{port}/{db['NAME']}"


@pytest.fixture
def redis_server():
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def worker(redis_server, settings):
    """A Celery worker process on the test database, and this process sending to it."""
    env = {
        **os.environ,
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_TEST_URL,
        "REDIS_URL": REDIS_TEST_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "RETRAIN_DELAY_SECONDS": "2",
        "RETRAIN_SWEEP_SCHEDULE": "off",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "planher",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.update(task_always_eager=False, broker_url=REDIS_TEST_URL)
    # Earlier eager tests may have built producer pools on the default broker.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    settings.RETRAIN_DELAY_SECONDS = 2
    try:
        yield process
    finally:
        celery_app.conf.update(task_always_eager=previous[0], broker_url=previous[1])
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-5000:])


def wait_for(predicate, *, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    return predicate()


def test_a_burst_of_mood_logs_leads_to_one_fresh_model(worker, user, client_for):
    # Real time: the worker process computes her cycle positions as of its own today.
    today = user.local_today()
    PeriodFactory(
        user=user, start_date=today - timedelta(days=40), end_date=today - timedelta(days=36)
    )
    PeriodFactory(
        user=user, start_date=today - timedelta(days=12), end_date=today - timedelta(days=8)
    )
    api = client_for(user)
    for offset in range(BURST):
        response = api.post(
            "/api/v1/moods/",
            {"date": (today - timedelta(days=offset)).isoformat(), "energy_level": offset % 3},
        )
        assert response.status_code == 201

    def fresh():
        body = api.get("/api/v1/predictions/model").data
        return body if body["status"] == "fresh" else None

    model = wait_for(fresh, seconds=60)
    assert model, "the worker did not train her model in time"
    assert model["version"] == 1
    row = EnergyModel.objects.get(user=user)
    assert row.n_samples == BURST
    assert row.is_training is False
    assert Path(settings.MEDIA_ROOT, row.file.name).exists()
