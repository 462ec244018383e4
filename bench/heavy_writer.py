"""Does one heavy writer slow the others down? Another user's GET /auth/me, quiet
and while a user with ten years of daily logs logs moods from three clients.

    .venv/bin/python bench/heavy_writer.py [--requests 300] [--database-url URL]

gunicorn with 2 sync workers and no broker (the embedded default: trainings
are this process's business). Each of her three clients re-logs one of her
recent days with another level (so every POST changes her data and asks for a
retraining), then pauses ``--pause`` seconds; meanwhile the other user's client
asks for /auth/me every ``--gap`` seconds. The quiet phase measures the same
client alone. Target: her neighbour's p95 under load within a few times quiet.
Every loop is bounded by a count and by ``--seconds``.
"""

import argparse
import threading
import time
from datetime import timedelta

import harness

ME = "/api/v1/auth/me"
MOODS = "/api/v1/moods/"
CLIENTS = 3


def neighbour(port, token, requests, gap, deadline) -> list[float]:
    samples = []
    while len(samples) < requests and time.monotonic() < deadline:
        samples.append(harness.timed(port, "GET", ME, token=token))
        time.sleep(gap)
    return samples


def writer(port, token, days, levels, pause, stop, samples):
    """One of her clients: re-log her days in turn, each time with another level."""
    for n in range(10_000):
        if stop.is_set():
            return
        day = days[n % len(days)]
        levels[day] = (levels.get(day, 0) + 1) % 3
        body = {"date": day.isoformat(), "energy_level": levels[day]}
        samples.append(harness.timed(port, "POST", MOODS, body, token=token))
        stop.wait(pause)


def trainings_of(user) -> int:
    from predictions.models import EnergyModel

    return EnergyModel.objects.get(user=user).version


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="of /auth/me, per phase")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between two of them")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between two logs")
    parser.add_argument("--seconds", type=float, default=60, help="at most, per phase")
    parser.add_argument("--years", type=int, default=10, help="of her daily logs")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument(
        "--retrain-delay", default="5", help="RETRAIN_DELAY_SECONDS (3600: no training runs)"
    )
    args = parser.parse_args()

    env = harness.bench_environment(args.database_url, RETRAIN_DELAY_SECONDS=args.retrain_delay)
    harness.setup_django(env)
    from moods.models import DailyMood

    heavy = harness.make_user("heavy@planher.test", days=365 * args.years, seed=7)
    other = harness.make_user("other@planher.test", days=90, seed=8)
    levels = dict(DailyMood.objects.filter(user=heavy).values_list("date", "energy_level"))
    yesterday = heavy.local_today() - timedelta(days=1)
    # Each client its own recent days, so no two of them write the same row.
    days = [[yesterday - timedelta(days=CLIENTS * k + c) for k in range(30)] for c in range(3)]

    with harness.gunicorn(env, workers=2) as port:
        other_token = harness.login(port, other.email)
        heavy_token = harness.login(port, heavy.email)
        for _ in range(40):  # warm-up: both workers import and connect
            harness.timed(port, "GET", ME, token=other_token)
            harness.timed(port, "GET", ME, token=heavy_token)

        quiet = neighbour(
            port, other_token, args.requests, args.gap, time.monotonic() + args.seconds
        )

        before = trainings_of(heavy)
        stop, posts = threading.Event(), [[] for _ in range(CLIENTS)]
        clients = [
            threading.Thread(
                target=writer,
                args=(port, heavy_token, days[c], levels, args.pause, stop, posts[c]),
            )
            for c in range(CLIENTS)
        ]
        started = time.monotonic()
        for client in clients:
            client.start()
        try:
            loaded = neighbour(
                port, other_token, args.requests, args.gap, time.monotonic() + args.seconds
            )
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=120)
        elapsed = time.monotonic() - started
        time.sleep(8)  # her last training (debounced) lands before the count
        trained = trainings_of(heavy) - before

    logs = [sample for client in posts for sample in client]
    quiet_cut, loaded_cut, post_cut = map(harness.percentiles, (quiet, loaded, logs))
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\ngunicorn (2 sync workers), {database}, no broker; {harness.machine()}")
    print(f"RETRAIN_DELAY_SECONDS={args.retrain_delay}")
    print(
        f"her {args.years} years of logs; {len(logs)} POST /moods/ from {CLIENTS} clients "
        f"in {elapsed:.0f} s ({args.pause} s pause), {trained} training(s) of her model\n"
    )
    print("| request | n | p50 ms | p95 ms | p99 ms | p95 / quiet p95 |")
    print("|---|--:|--:|--:|--:|--:|")
    rows = [
        ("other user's `GET /auth/me`, quiet", quiet, quiet_cut),
        ("other user's `GET /auth/me`, under her logs", loaded, loaded_cut),
        ("her `POST /moods/` (3 clients)", logs, post_cut),
    ]
    for name, samples, cut in rows:
        ratio = cut["p95"] / quiet_cut["p95"]
        print(
            f"| {name} | {len(samples)} | {cut['p50']:.1f} | {cut['p95']:.1f} | "
            f"{cut['p99']:.1f} | {ratio:.1f}x |"
        )


if __name__ == "__main__":
    main()
