"""What each serving change saves, part by part, in one process.

    .venv/bin/python bench/serving_parts.py [--redis-url redis://127.0.0.1:6379/9]
        [--database-url postgres://postgres@127.0.0.1:5432/planher_perf]

Each figure is the best of several repeats of a tight loop (the best is what a
busy machine disturbs least), in microseconds per operation:

- rendering a 90-day forecast's body and a ``/current`` body: DRF's renderer
  (standard library ``json``) against ``core.renderers.JSONRenderer`` (orjson);
- a cached answer's hit, past the Redis read: unpickling the body and rendering
  it (before) against unpickling its bytes (after);
- the throttle, against a real Redis: DRF's ``UserRateThrottle`` (GET and SET
  of a list of timestamps) against ``core.throttling.UserRateThrottle`` (one
  round trip), with the Redis round trips each makes;
- the middleware stack on an API request (a path that answers the JSON 404:
  no database, no throttle): ``main``'s list against this one;
- what authentication reads on every request (``authentication()``): her row,
  her token, the database health check, and ``/auth/me``'s serializer.
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
    parser.add_argument(
        "--database-url",
        help="for the authentication parts (her row, the health check): PostgreSQL's "
        "figures need it, e.g. postgres://postgres@127.0.0.1:5432/planher_perf; "
        "a SQLite file by default",
    )
    args = parser.parse_args()
    folder = Path("/tmp/planher-serving-parts")
    env = harness.server_environment(
        args.database_url or f"sqlite:///{folder / 'db.sqlite3'}", folder, REDIS_URL=args.redis_url
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
    rows += authentication()
    rows += local_copy()
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


def authentication() -> list:
    """What authentication reads on every request, before and after: her row
    (the ORM's ``get`` against the statement compiled once, prepared on
    PostgreSQL), the token (simplejwt's verification against a token this
    process verified), the health check (a ``SELECT 1`` against the quiet
    socket's), and ``/auth/me``'s serializer (built per instance against once
    per class)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.postgresql.base import DatabaseWrapper as Django
    from rest_framework import serializers

    from accounts.authentication import SessionJWTAuthentication
    from accounts.models import User
    from accounts.serializers import UserSerializer
    from accounts.tokens import SessionAccessToken, SessionRefreshToken

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(email="serving-parts@planher.test")
    rows = [
        (
            f"read her row ({connection.vendor}): the ORM's get, the compiled statement",
            best(lambda: User.objects.get(pk=user.pk), 300),
            best(lambda: SessionJWTAuthentication.users.get(user.pk), 300),
        )
    ]
    raw = str(SessionRefreshToken.for_user(user).access_token).encode()
    verified = SessionJWTAuthentication.verified
    verified.add(raw, SessionAccessToken(raw))
    rows.append(
        (
            "verify her token: simplejwt, a token this process verified",
            best(lambda: SessionAccessToken(raw), 300),
            best(lambda: verified.get(raw), 300),
        )
    )
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        rows.append(
            (
                "health check of a quiet connection: SELECT 1, the socket",
                best(lambda: Django.is_usable(connection), 300),
                best(connection.is_usable, 300),
            )
        )

    class Before(serializers.ModelSerializer):
        timezone = UserSerializer._declared_fields["timezone"]

        class Meta(UserSerializer.Meta):
            pass

    rows.append(
        (
            "`/auth/me`'s serializer: fields built per instance, once per class",
            best(lambda: Before(user).data, 300),
            best(lambda: UserSerializer(user).data, 300),
        )
    )
    return rows


def local_copy() -> list:
    """A cached ``/current`` found: in Redis (a GET) against this process's copy."""
    from django.core.cache import cache

    from core.renderers import JSONRenderer
    from core.userdata import LocalAnswers

    body = JSONRenderer().render(current_body())
    cache.set("serving-parts:answer", body, 60)
    copies = LocalAnswers(1 << 20, 60)
    copies.put("serving-parts:answer", body)
    return [
        (
            "a cached `/current` found: Redis's GET, this process's copy",
            best(lambda: cache.get("serving-parts:answer"), 300),
            best(lambda: copies.get("serving-parts:answer"), 300),
        )
    ]


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
