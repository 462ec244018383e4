"""What a training costs, and what the background thread costs the requests of
its own process (they share the GIL; nice values do not help there).

    .venv/bin/python bench/training_thread.py [--requests 300]

In one process, no server (Django's test client, so only the process matters):
one training of a user with ten years of daily logs, on her latest
``predictions.samples.TRAINING_WINDOW_LOGS`` logs and on all of them; then another user's
GET /auth/me, quiet and while a background thread (as ``core.background``
runs it, niced) trains her over and over: the worst case of a training
sharing the process with requests.
"""

import argparse
import statistics
import sys
import threading
import time

import harness


def timings(client, requests) -> dict:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/api/v1/auth/me")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
        time.sleep(0.005)
    return harness.percentiles(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    harness.setup_django(harness.bench_environment(None, LOG_LEVEL="ERROR"))
    from django.db import connections
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from core.background import lower_priority_of_this_thread
    from predictions import samples as energy_samples
    from predictions import training

    heavy = harness.make_user("heavy@planher.test", days=3650, seed=7, train=False)
    other = harness.make_user("other@planher.test", days=90, seed=8, train=False)

    def train_time(window) -> float:
        energy_samples.TRAINING_WINDOW_LOGS = window
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            outcome = training.energy_model_retrain(user=heavy, force=True)
            runs.append(time.perf_counter() - started)
        return outcome.model.n_samples, statistics.median(runs)

    window = energy_samples.TRAINING_WINDOW_LOGS
    print(f"\n{harness.machine()}; her {heavy.moods.count()} daily logs (ten years)\n")
    print("| training on | samples | s (median of 3) |")
    print("|---|--:|--:|")
    for name, size in ((f"her latest {window} logs", window), ("all her logs", None)):
        samples, seconds = train_time(size)
        print(f"| {name} | {samples} | {seconds:.2f} |")
    energy_samples.TRAINING_WINDOW_LOGS = window

    client = APIClient(SERVER_NAME="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(other)}")
    timings(client, 50)  # warm-up
    rows = {"quiet": timings(client, args.requests)}
    stop, trainings = threading.Event(), [0]

    def train_over_and_over():
        lower_priority_of_this_thread()
        try:
            while not stop.is_set() and trainings[0] < 1000:
                training.energy_model_retrain(user=heavy, force=True)
                trainings[0] += 1
        finally:
            connections.close_all()

    thread = threading.Thread(target=train_over_and_over)
    thread.start()
    try:
        rows["a thread training her non-stop"] = timings(client, args.requests)
    finally:
        stop.set()
        thread.join(timeout=60)
    rows["quiet again"] = timings(client, args.requests)

    print(f"\nother user's GET /auth/me in the same process ({trainings[0]} trainings meanwhile)\n")
    print("| while | p50 ms | p95 ms | p99 ms |")
    print("|---|--:|--:|--:|")
    for name, cut in rows.items():
        print(f"| {name} | {cut['p50']:.1f} | {cut['p95']:.1f} | {cut['p99']:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
