"""How long `manage.py seed` takes on a fresh SQLite database (as after `make run`),
and what a /calendar answer costs for a seeded demo user, uncached, for a week,
a month and a year.

    .venv/bin/python bench/seed_and_calendar.py [--users 3] [--requests 20]

Everything runs in a throwaway folder; the seed and the startup of a bare
`manage.py check` (Django, scikit-learn and the apps imported: the part of the
seed's time that is not seeding) are timed as separate processes.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

CALENDAR_TIMING = """
import statistics, time
from datetime import timedelta
from django.core.cache import cache
from rest_framework.test import APIClient
from accounts.models import User
user = User.objects.get(email="demo1@planher.test")
client = APIClient()
client.force_authenticate(user)
today = user.local_today()
for days in (7, 31, 366):
    start = today - timedelta(days=days // 2)
    end = start + timedelta(days=days - 1)
    times = []
    for _ in range({requests}):
        cache.clear()  # uncached: the answer is built every time
        began = time.perf_counter()
        response = client.get("/api/v1/calendar", {{"start": start, "end": end}})
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    print(f"/calendar {{days:>3}} days, uncached: median {{statistics.median(times):.1f}} ms, "
          f"max {{max(times):.1f}} ms")
"""


def run(env, *args) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=harness.ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = harness.server_environment(f"sqlite:///{folder}/bench.sqlite3", Path(folder))
        env["DEBUG"] = "1"  # as `make run`
        env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
        run(env, "migrate", "--noinput")
        startup = statistics.median(run(env, "check") for _ in range(3))
        seed = run(env, "seed", "--users", str(options.users))
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(
            f"manage.py seed --users {options.users}: {seed:.1f} s wall "
            f"(of which process startup {startup:.1f} s, as `manage.py check`)"
        )
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                CALENDAR_TIMING.format(requests=options.requests),
            ],
            cwd=harness.ROOT,
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
