"""Serving budget of the energy predictions, single client, through gunicorn.

    .venv/bin/python bench/serving.py [--requests 400] [--database-url URL]

Targets (issue: energy predictions): p95 of GET /predictions/current within
1.5x of GET /auth/me, and of a 90-day forecast within 3x. Answers are cached
until her data changes; the "(cold)" rows expire that cache before each
request, so they show the cost of computing an answer.
"""

import argparse
import itertools
from datetime import timedelta

import harness

ENDPOINTS = {
    "GET /auth/me": "/api/v1/auth/me",
    "GET /predictions/current": "/api/v1/predictions/current",
    "GET /predictions/current?date=-10d": None,  # a past date: computed, not recorded
    "GET /predictions/forecast?days=28": "/api/v1/predictions/forecast?days=28",
    "GET /predictions/forecast?days=90": "/api/v1/predictions/forecast?days=90",
}


# The same answers right after a change to her data, when the cache cannot help.
COLD = {
    "GET /predictions/current (cold)": "/api/v1/predictions/current",
    "GET /predictions/forecast?days=90 (cold)": "/api/v1/predictions/forecast?days=90",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="per endpoint")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    env = harness.bench_environment(args.database_url)
    harness.setup_django(env)
    from core.userdata import user_answers_expire

    user = harness.make_user("bench@planher.test", days=365)
    past = (user.local_today() - timedelta(days=10)).isoformat()
    paths = {
        **ENDPOINTS,
        "GET /predictions/current?date=-10d": f"/api/v1/predictions/current?date={past}",
    }

    with harness.gunicorn(env) as port:
        token = harness.login(port, user.email)
        for path in itertools.islice(itertools.cycle(paths.values()), 30 * len(paths)):
            harness.timed(port, "GET", path, token=token)  # warm-up: imports, caches
        samples = {name: [] for name in [*paths, *COLD]}
        for _ in range(args.requests):  # interleaved, so drift hits every endpoint alike
            for name, path in paths.items():
                samples[name].append(harness.timed(port, "GET", path, token=token))
        for _ in range(args.requests):  # then the cold path, in a phase of its own
            for name, path in COLD.items():
                user_answers_expire(user)  # as after any change to her data (not timed)
                samples[name].append(harness.timed(port, "GET", path, token=token))

    floor = harness.percentiles(samples["GET /auth/me"])["p95"]
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nSingle client, gunicorn (1 sync worker), {database}, {args.requests} requests each;")
    print(f"user with 365 days of history and a trained model. Machine: {harness.machine()}\n")
    print("| endpoint | p50 ms | p95 ms | p99 ms | p95 / `/auth/me` p95 |")
    print("|---|---|---|---|---|")
    for name, values in samples.items():
        cut = harness.percentiles(values)
        print(
            f"| `{name}` | {cut['p50']:.1f} | {cut['p95']:.1f} | {cut['p99']:.1f} "
            f"| {cut['p95'] / floor:.2f}x |"
        )


if __name__ == "__main__":
    main()
