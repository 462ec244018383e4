"""What one API request costs inside a worker, with no server and no load.

    .venv/bin/python bench/request_cost.py [--requests 2000] [--profile current]

Calls the WSGI application directly, in this one process, with the settings
``floor_compare.py`` serves (DEBUG off, PostgreSQL, Redis, the per-user throttle
on), for the users that benchmark seeded (run it once first, or pass
``--seed``). For ``/auth/me``, a cached ``/predictions/current`` and ``POST /moods/`` (her
energy for a recent day, at random: as ``floor_compare.py --writes`` posts) it prints
the CPU time per request (this process's user+system time, so the database's
and Redis's own work is not in it) and the wall time, each the best of
``--loops`` loops (the loop a busy machine disturbed least), and what each request sends
out: SQL queries and Redis commands, counted. ``--profile TARGET`` adds a
deterministic profile (cProfile) of that target's requests, by function, own
time first: the figures to read beside ``floor_compare.py --profile``'s
sampled one, which runs under load.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

# name: (path, whether it posts her energy for a day)
TARGETS = {
    "me": ("/api/v1/auth/me", False),
    "current": ("/api/v1/predictions/current", False),
    "mood": ("/api/v1/moods/", True),
}


def environ(path: str, token: str, body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": "POST" if body else "GET",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


class Counter:
    """Counts SQL queries (a database execute wrapper) and Redis commands."""

    def __init__(self):
        self.queries = 0
        self.redis = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def count_redis(counter: Counter) -> None:
    """Count each round trip to Redis: each write of commands to a connection."""
    from redis.connection import AbstractConnection

    send = AbstractConnection.send_packed_command

    def counted(self, *args, **kwargs):
        counter.redis += 1
        return send(self, *args, **kwargs)

    AbstractConnection.send_packed_command = counted


def mood_body(n: int) -> bytes:
    """As ``floor_wrk.lua`` posts: a recent day, a level at random (two in three
    change her data)."""
    rng = random.Random(n)
    day = date.today() - timedelta(days=rng.randint(1, 30))
    return json.dumps({"date": day.isoformat(), "energy_level": rng.randint(0, 2)}).encode()


def run(
    application, path: str, tokens: list[str], count: int, write: bool = False
) -> tuple[float, float, int]:
    """CPU and wall microseconds per request, and the last status seen."""
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(count):
        sent = mood_body(n) if write else b""
        body = application(environ(path, tokens[n % len(tokens)], sent), start_response)
        b"".join(body)
        body.close()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / count * 1e6, wall / count * 1e6, status[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per loop")
    parser.add_argument("--loops", type=int, default=5, help="the best loop is reported")
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/planher_perf")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--profile", choices=sorted(TARGETS), action="append", default=[])
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--seed", action="store_true", help="seed the users first")
    parser.add_argument(
        "--code",
        metavar="PATH",
        help="serve another checkout's code (e.g. `git worktree add /tmp/before <commit>`)",
    )
    args = parser.parse_args()
    if args.code:
        harness.ROOT = Path(args.code).resolve()
        os.chdir(harness.ROOT)  # Django's setup puts the working folder first on the path

    env = harness.bench_environment(
        args.database_url,
        REDIS_URL=args.redis_url,
        THROTTLE_USER_RATE="1000000/min",  # on, as in production, but never refusing here
        THROTTLE_AUTH_RATE="10/min",
        FIELD_ENCRYPTION_KEYS="Zmxvb3ItY29tcGFyZS1iZW5jaC1vbmx5LW5vdC1rZXk=",
        ALLOWED_HOSTS="127.0.0.1",
        # The trainings her writes queue wait on Redis for Celery workers, as in
        # production: none runs in this process.
        CELERY_BROKER_URL=args.redis_url,
    )
    Path(env["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
    harness.setup_django(env)
    from django.contrib.auth import get_user_model
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from accounts.tokens import SessionRefreshToken

    if args.seed:
        import floor_compare

        floor_compare.seed(args.users, 120)
    users = list(get_user_model().objects.filter(email__startswith="bench").order_by("pk"))
    users = users[: args.users]
    if not users:
        sys.exit("no bench users: run floor_compare.py once, or pass --seed")
    tokens = [str(SessionRefreshToken.for_user(u).access_token) for u in users]
    application = get_wsgi_application()
    counter = Counter()
    count_redis(counter)

    print(f"{len(users)} users, {args.requests} requests per target, one process, no server")
    print("| target | CPU µs per request | wall µs per request | SQL queries | Redis round trips |")
    print("|---|--:|--:|--:|--:|")
    for path, write in TARGETS.values():
        # Warm: imports, connections, every answer cached.
        run(application, path, tokens, len(tokens), write)
        counter.queries = counter.redis = 0
        with connection.execute_wrapper(counter):
            loops = [
                run(application, path, tokens, args.requests, write) for _ in range(args.loops)
            ]
        assert all(status[:3] in ("200", "201") for _, _, status in loops), loops
        cpu, wall = min(cpu for cpu, _, _ in loops), min(wall for _, wall, _ in loops)
        sent = args.requests * args.loops
        print(
            f"| `{path}` | {cpu:.0f} | {wall:.0f} "
            f"| {counter.queries / sent:.2f} | {counter.redis / sent:.2f} |"
        )
    for name in args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        path, write = TARGETS[name]
        run(application, path, tokens, args.requests, write)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        print(f"\n## cProfile of {path}, {args.requests} requests, own time first")
        print(out.getvalue())


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
