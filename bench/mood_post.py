"""p95 of POST /moods/ with in-process training (no broker) and with a broker.

    .venv/bin/python bench/mood_post.py [--requests 100] [--database-url URL]

Each request re-logs a recent day with another level for a user who already
has a trained model, so every request changes her data and asks for a
retraining. Without a broker the
training runs on a background thread of the server's process (before issue 11,
in the request itself); with Redis and a Celery worker the request only
queues it.
"""

import argparse
from datetime import timedelta

import harness
import redis

REDIS = "redis://127.0.0.1:6379/14"


def measure(env, email, requests):
    from django.contrib.auth import get_user_model

    from moods.models import DailyMood

    user = get_user_model().objects.get(email=email)
    logged = dict(DailyMood.objects.filter(user=user).values_list("date", "energy_level"))
    yesterday = user.local_today() - timedelta(days=1)
    # Re-log recent days with another level: every POST changes her training data.
    days = [yesterday - timedelta(days=n) for n in range(requests)]
    with harness.gunicorn(env) as port:
        token = harness.login(port, email)
        samples = []
        for day in days:
            body = {"date": day.isoformat(), "energy_level": (logged.get(day, 0) + 1) % 3}
            samples.append(harness.timed(port, "POST", "/api/v1/moods/", body, token=token))
    return harness.percentiles(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100, help="at most 170")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    env = harness.bench_environment(args.database_url, REDIS_URL=REDIS)
    harness.setup_django(env)
    harness.make_user("inprocess@planher.test", days=180, seed=1)
    harness.make_user("broker@planher.test", days=180, seed=2)

    rows = {
        "in-process training (no broker)": measure(env, "inprocess@planher.test", args.requests)
    }
    broker_env = {**env, "CELERY_BROKER_URL": REDIS}
    broker = redis.Redis.from_url(REDIS)  # a database of this benchmark's own
    broker.flushdb()
    try:
        with harness.celery_worker(broker_env):
            rows["Redis broker + Celery worker"] = measure(
                broker_env, "broker@planher.test", args.requests
            )
    finally:
        broker.flushdb()  # the last retraining, still scheduled when the worker stopped

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nPOST /moods/, single client, gunicorn (1 sync worker), {database},")
    print(f"{args.requests} requests; user with 180 days of logs. Machine: {harness.machine()}\n")
    print("| mode | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|")
    for mode, cut in rows.items():
        print(f"| {mode} | {cut['p50']:.1f} | {cut['p95']:.1f} | {cut['p99']:.1f} |")


if __name__ == "__main__":
    main()
