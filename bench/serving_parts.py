"""What each serving change saves, part by part, in one process.

    .venv/bin/python bench/serving_parts.py [--redis-url redis://127.0.0.1:6379/9]

Each figure is the best of several repeats of a tight loop (the best is what a
busy machine disturbs least), in microseconds per operation:

- rendering a 90-day forecast's body and a ``/current`` body: DRF's renderer
  (standard library ``json``) against ``core.renderers.JSONRenderer`` (orjson);
- a cached answer's hit, past the Redis read: unpickling the body and rendering
  it (before) against unpickling its bytes (after);
- the throttle, against a real Redis: DRF's ``UserRateThrottle`` (GET and SET
  of a list of timestamps) against ``core.throttling.UserRateThrottle`` (one
  pipeline), with the Redis round trips each makes;
- the middleware stack on an API request (a path that answers the JSON 404:
  no database, no throttle): ``main``'s list against this one.
"""

import argparse
import os
import pickle
import sys
import timeit
from datetime import date, timedelta
from pathlib import Path

import harness


def best(function, number: int, repeat: int = 7) -> float:
    """Microseconds per call, the best of ``repeat`` loops of ``number`` calls."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def forecast_body(days: int = 90) -> dict:
    start = date(2026, 3, 1)
    energy = {
        "level": 1,
        "label": "medium",
        "probabilities": {"low": 0.21, "medium": 0.52, "high": 0.27},
        "source": "model",
        "model_version": 3,
    }
    return {
        "start": start,
        "days": [
            {
                "date": start + timedelta(days=n),
                "day_of_cycle": n % 28 + 1,
                "phase": "luteal",
                "is_predicted_period": n % 28 < 5,
                "is_fertile": 9 <= n % 28 <= 14,
                "energy": dict(energy),
            }
            for n in range(days)
        ],
        "detail": None,
    }


def current_body() -> dict:
    day = date(2026, 3, 15)
    return {
        "date": day,
        "day_of_cycle": 16,
        "phase": "ovulatory",
        "bmi": 22.04,
        "cycle_length": 28,
        "next_period": {
            "start_date": day + timedelta(days=12),
            "earliest": day + timedelta(days=10),
            "latest": day + timedelta(days=14),
            "interval": 0.8,
            "days_late": 0,
            "status": "predicted",
            "basis": {"method": "her_cycles", "cycles_used": 6, "cycles_excluded": 0},
        },
        "ovulation_date": day - timedelta(days=1),
        "fertile_window": {"start": day - timedelta(days=6), "end": day - timedelta(days=1)},
        "energy": {"level": 2, "label": "high", "probabilities": {"low": 0.1, "medium": 0.3}},
        "detail": None,
    }


BEFORE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.NoStoreApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    folder = Path("/tmp/planher-serving-parts")
    env = harness.server_environment(
        f"sqlite:///{folder / 'db.sqlite3'}", folder, REDIS_URL=args.redis_url
    )
    folder.mkdir(exist_ok=True)
    (folder / "static").mkdir(exist_ok=True)
    os.environ.update(env)
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()
    from rest_framework import renderers

    from core.renderers import JSONRenderer

    rows = []
    drf, ours = renderers.JSONRenderer(), JSONRenderer()
    for name, body in (("90-day forecast", forecast_body()), ("`/current`", current_body())):
        before = best(lambda body=body: drf.render(body), 200)
        after = best(lambda body=body: ours.render(body), 200)
        rows.append((f"render a {name} body", before, after))
        stored_body, stored_bytes = pickle.dumps(body), pickle.dumps(ours.render(body))
        before = best(lambda s=stored_body: drf.render(pickle.loads(s)), 200)
        after = best(lambda s=stored_bytes: bytes(pickle.loads(s)), 200)
        rows.append((f"a cached {name} past the Redis read: unpickle (+ render)", before, after))

    rows += middleware()
    rows += throttles(args.redis_url)
    print(f"\nIn one process, best of 7 loops; {harness.machine()}\n")
    print("| part | before µs | after µs | saved |")
    print("|---|--:|--:|--:|")
    for name, before, after in rows:
        print(f"| {name} | {before:.1f} | {after:.1f} | {100 * (1 - after / before):.0f}% |")


def throttles(url: str) -> list:
    import redis
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from rest_framework import throttling as drf
    from rest_framework.test import APIRequestFactory

    from core import throttling

    class User(AnonymousUser):
        pk = 1
        is_authenticated = True

    request = APIRequestFactory().get("/api/v1/auth/me")
    request.user = User()
    rates = {"user": "1000000/min"}  # the counting, never a refusal

    class Before(drf.UserRateThrottle):
        THROTTLE_RATES = rates

    class After(throttling.UserRateThrottle):
        THROTTLE_RATES = rates

    sent = []
    send = redis.connection.Connection.send_packed_command

    def counting(connection, *a, **k):
        sent.append(1)
        return send(connection, *a, **k)

    cache.clear()
    before = best(lambda: Before().allow_request(request, None), 100)
    cache.clear()
    after = best(lambda: After().allow_request(request, None), 100)
    rows = [("throttle a request (Redis; DRF's list grows over the loops)", before, after)]
    redis.connection.Connection.send_packed_command = counting
    try:
        for name, throttle in (("before", Before), ("after", After)):
            sent.clear()
            throttle().allow_request(request, None)
            print(f"throttle {name}: {len(sent)} Redis round trip(s) per request")
    finally:
        redis.connection.Connection.send_packed_command = send
    cache.clear()
    return rows


def middleware() -> list:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory, override_settings

    factory = RequestFactory()

    def handler(stack):
        with override_settings(MIDDLEWARE=stack):
            app = WSGIHandler()

            def call():
                request = factory.get(
                    "/api/v1/no-such-path", HTTP_HOST="127.0.0.1", HTTP_COOKIE="csrftoken=y"
                )
                app.get_response(request).close()

            return call

    before = best(handler(BEFORE_MIDDLEWARE), 200)
    after = best(handler(list(settings.MIDDLEWARE)), 200)
    return [("an API request through the middleware (a JSON 404, no view work)", before, after)]


if __name__ == "__main__":
    main()
