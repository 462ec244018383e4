"""What each serving cache saves: the same requests with one layer turned off at a time.

    .venv/bin/python bench/caches.py [--requests 300]                 # in-process layers
    .venv/bin/python bench/caches.py --redis redis://127.0.0.1:6379/13  # the Redis client

In-process, through DRF's test client (no network: the figures are the server's
own time per request), for a user with a year of history and a trained model
that serves. Layers are switched off by patching this process only:

- answer cache: ``predictions.views.cached_answer`` computes every time;
- position table: her row's precomputed table is emptied, so the estimator runs;
- estimator LRU: ``lifecycle.estimators`` forgets every entry, so each request
  reads, verifies and unpickles her file.

(A per-position memo of forest answers was measured here too, at commit 5ad84cb,
and removed: with the table on it saved nothing measurable.)

"far forecast" asks for 90 days starting 200 days ahead: positions outside the
table, the one path that reaches the estimator with the table on.
``--redis`` compares ``core.cache.RedisCache`` with Django's own Redis backend
on the cached answers, with the per-user throttle on (as in production).
"""

import argparse
import statistics
import time
from datetime import timedelta

import harness

WARM_UP = 20


def timed_ms(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.content
    return elapsed


def measure(client, paths: dict[str, str], requests: int) -> dict[str, float]:
    """Median ms per request for each path, requests interleaved."""
    for _ in range(WARM_UP):
        for path in paths.values():
            timed_ms(client, path)
    samples = {name: [] for name in paths}
    for _ in range(requests):
        for name, path in paths.items():
            samples[name].append(timed_ms(client, path))
    return {name: statistics.median(values) for name, values in samples.items()}


def client_for(user):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient(SERVER_NAME="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def serving_user():
    """A user with a year of history whose forest serves (not every user's does)."""
    from predictions.models import EnergyModel

    for seed in range(1, 30):
        user = harness.make_user(f"caches{seed}@planher.test", days=365, seed=seed)
        row = EnergyModel.objects.get(user=user)
        if row.serves_model:  # so its forest has a weight in the blend
            return user, row
    raise SystemExit("no synthetic user's model serves")


def in_process_layers(requests: int) -> None:
    from predictions import lifecycle, views

    user, row = serving_user()
    far = (user.local_today() + timedelta(days=200)).isoformat()
    paths = {
        "current": "/api/v1/predictions/current",
        "forecast 90 days": "/api/v1/predictions/forecast?days=90",
        "far forecast": f"/api/v1/predictions/forecast?start={far}&days=90",
    }
    client = client_for(user)
    cached_answer, table = views.cached_answer, row.position_table

    def configure(*, answers=True, positions=True, lru=True):
        views.cached_answer = cached_answer if answers else (lambda key, make: make())
        type(row).objects.filter(pk=row.pk).update(position_table=table if positions else {})
        lifecycle.estimators.clear()
        lifecycle.estimators.size = lifecycle.CACHE_SIZE if lru else 0

    configurations = {
        "all layers on": {},
        "answer cache off": {"answers": False},
        "answer cache, LRU off": {"answers": False, "lru": False},
        "answer cache, table off": {"answers": False, "positions": False},
        "answer cache, table, LRU off": {"answers": False, "positions": False, "lru": False},
    }
    print(f"\nIn-process (DRF test client), {requests} requests each, median ms per request;")
    print(f"a user with 365 days of history whose model serves. Machine: {harness.machine()}\n")
    print(f"| layers | {' | '.join(paths)} |")
    print(f"|---|{'--:|' * len(paths)}")
    for name, switches in configurations.items():
        configure(**switches)
        figures = measure(client, paths, requests)
        print(f"| {name} | {' | '.join(f'{figures[p]:.2f}' for p in paths)} |")
    configure()


def redis_client(url: str, requests: int) -> None:
    from django.test import override_settings

    user = harness.make_user("caches@planher.test", days=365)
    paths = {"auth/me": "/api/v1/auth/me", "current": "/api/v1/predictions/current"}
    backends = {
        "core.cache.RedisCache": "core.cache.RedisCache",
        "Django's RedisCache": "django.core.cache.backends.redis.RedisCache",
    }
    print(f"\nRedis cache at {url}, throttles on, {requests} requests each, median ms;")
    print(f"answers cached. Machine: {harness.machine()}\n")
    print(f"| cache backend | {' | '.join(paths)} | 1000 GETs of one key, ms each |")
    print(f"|---|{'--:|' * (len(paths) + 1)}")
    for name, backend in backends.items():
        caches = {"default": {"BACKEND": backend, "LOCATION": url}}
        with override_settings(CACHES=caches):
            from django.core.cache import cache

            cache.clear()
            figures = measure(client_for(user), paths, requests)
            cache.set("bench:key", "value")
            started = time.perf_counter()
            for _ in range(1000):
                cache.get("bench:key")
            per_get = time.perf_counter() - started  # s for 1000 = ms each
            cache.clear()
        cells = " | ".join(f"{figures[p]:.2f}" for p in paths)
        print(f"| {name} | {cells} | {per_get:.3f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="per path and configuration")
    parser.add_argument("--redis", metavar="URL", help="compare the Redis cache clients")
    args = parser.parse_args()
    # Throttles on (as in production) but never reached: their cache calls count.
    rates = {"THROTTLE_USER_RATE": "1000000/min", "THROTTLE_AUTH_RATE": "1000000/min"}
    harness.setup_django(harness.bench_environment(None, **rates))
    if args.redis:
        redis_client(args.redis, args.requests)
    else:
        in_process_layers(args.requests)


if __name__ == "__main__":
    main()
