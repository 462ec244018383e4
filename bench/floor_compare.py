"""PlanHer beside the floor (a bare FastAPI ``/me``, ``../shared/bench/floor``), in one run.

    .venv/bin/python bench/floor_compare.py              # or: make bench-floor
    .venv/bin/python bench/floor_compare.py --servers granian,gunicorn --writes

Starts the floor (uvicorn, its own virtual environment: see the floor's README)
and PlanHer (PostgreSQL, Redis, production settings: DEBUG off, the per-user
throttle at its production rate) with the same number of workers, seeds
``--users`` accounts, then runs ``wrk`` in short windows that alternate between
the floor's ``/me`` and PlanHer's ``/auth/me`` and cached
``/predictions/current``, round after round. Each request carries the next
user's token, for both apps alike. It prints the machine, its load average and
the versions, each target's median req/s and latency over the rounds, and the
ratio to the floor taken within each round (the median of those ratios): the
figure that survives a machine shared with other work.

``--writes`` adds ``POST /moods/`` windows at ``--write-connections`` (100)
clients: each logs her energy for a recent day at a random level (two in three
change her data, expire her cached answers and queue a retraining: on Redis for
Celery workers, as in production, none of which runs here, so the web tier's
own cost is what is measured; ``--in-process-trainings`` runs them on the
server's background threads instead). The floor has no write endpoint; compare these
rows between two checkouts.

It drops and recreates ``--database-url``'s database and empties the Redis
database of ``--redis-url``: give it ones of its own.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import harness

ROOT = harness.ROOT
LUA = Path(__file__).with_name("floor_wrk.lua")
FLOOR_DIR = ROOT.parent / "shared" / "bench" / "floor"
FLOOR_SECRET = "floor-bench-secret-key-not-for-production-0123456789abcdef"
RESULT = re.compile(r"RESULT (.*)")

# How PlanHer is served; {port} and {workers} are filled in.


def granian(threads: int) -> list[str]:
    """granian's WSGI server, ``threads`` Python threads a worker (the image: 2)."""
    return [
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        "{workers}",
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--log-level",
        "warning",
        "planher.wsgi:application",
    ]


SERVERS = {
    "granian": granian(1),
    "granian-2threads": granian(2),
    "granian-threads": granian(4),
    "gunicorn": [
        "gunicorn",
        "planher.wsgi:application",
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        "{workers}",
        "--log-level",
        "warning",
    ],
    "gunicorn-gthread": [
        "gunicorn",
        "planher.wsgi:application",
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        "{workers}",
        "--threads",
        "4",
        "--log-level",
        "warning",
    ],
}


def sh(*command, **kwargs) -> str:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=30, **kwargs
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(command: list[str], *, env=None, cwd=None):
    child = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True)
    try:
        yield child
    finally:
        # The whole group: uvicorn's and granian's workers are its children.
        try:
            os.killpg(child.pid, signal.SIGTERM)
            child.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(child.pid, signal.SIGKILL)


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(count: int, days: int) -> list:
    """``count`` users with ``days`` of synthetic history each (no trained
    model: the answers served are the cached ones either way)."""
    import random
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils.timezone import now

    from predictions.seeding import history_store
    from predictions.synthetic import make_user_history

    User = get_user_model()
    password = make_password(harness.PASSWORD)
    User.objects.bulk_create(
        User(email=f"bench{n}@planher.test", password=password) for n in range(count)
    )
    users = list(User.objects.order_by("pk"))
    yesterday = now().date() - timedelta(days=1)
    for n, user in enumerate(users):
        history_store(
            user=user, history=make_user_history(random.Random(n), days=days, today=yesterday)
        )
    return users


def planher_tokens(users, path: Path) -> None:
    from accounts.tokens import SessionRefreshToken

    path.write_text("\n".join(str(SessionRefreshToken.for_user(u).access_token) for u in users))


def floor_tokens(count: int, path: Path) -> None:
    import jwt

    exp = int(time.time()) + 3600
    path.write_text(
        "\n".join(
            jwt.encode({"sub": str(n), "exp": exp}, FLOOR_SECRET, algorithm="HS256")
            for n in range(1, count + 1)
        )
    )


TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """A server's master and every process under it (its workers)."""
    tree, todo = [], [pid]
    while todo:
        parent = todo.pop()
        tree.append(parent)
        todo += [int(child) for child in sh("pgrep", "-P", str(parent)).split()]
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def warm(url: str, tokens: Path) -> None:
    """One request per user, so that every answer is cached before a window."""
    from concurrent.futures import ThreadPoolExecutor

    def get(token):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, tokens.read_text().split()))


def wrk(
    url: str,
    tokens: Path,
    *,
    seconds: float,
    connections: int,
    threads: int,
    mode="get",
    server: list[int] = (),
) -> dict:
    """One wrk window; with ``server`` (its processes), the CPU time they used
    per request served."""
    cpu_before = cpu_seconds(server)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
            "--",
            str(tokens),
            mode,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    match = RESULT.search(output)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    fields = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    fields["rps"] = fields["requests"] / (fields["duration_us"] / 1e6)
    fields["errors"] = fields["errors_socket"] + fields["errors_status"] + fields["errors_timeout"]
    cpu = cpu_seconds(server) - cpu_before
    fields["cpu_ms"] = 1000 * cpu / fields["requests"] if server and fields["requests"] else 0.0
    return fields


def versions(floor_python: str) -> str:
    from importlib.metadata import version

    ours = ", ".join(
        f"{name} {version(name)}"
        for name in (
            "Django",
            "djangorestframework",
            "djangorestframework-simplejwt",
            "gunicorn",
            "granian",
            "orjson",
            "redis",
            "psycopg",
        )
        if _installed(name)
    )
    floor = sh(
        floor_python,
        "-c",
        "from importlib.metadata import version as v;"
        "print(', '.join(f'{n} {v(n)}' for n in "
        "('fastapi','uvicorn','uvloop','httptools','pyjwt','psycopg','psycopg-pool')))",
    )
    postgres = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version")
    redis = (sh("redis-cli", "info", "server").partition("redis_version:")[2] or "?").split()[0]
    return (
        f"PlanHer: Python {platform.python_version()}, {ours}\n"
        f"floor: {floor}\n"
        f"{(sh('wrk', '-v') + chr(10)).splitlines()[0]}; PostgreSQL {postgres}; Redis {redis}"
    )


def _installed(name: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(name)
        return True
    except PackageNotFoundError:
        return False


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().split()[1]
        memory = f"{int(memory) / 2**20:.0f} GiB"
    except OSError:
        memory = "?"
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({model}), {memory}, {platform.platform()}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--servers", default="granian-2threads", help=f"comma-separated, of {', '.join(SERVERS)}"
    )
    parser.add_argument("--workers", type=int, default=2, help="per app (the floor too)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=float, default=5, help="seconds per wrk window")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--days", type=int, default=120, help="history per user")
    parser.add_argument("--writes", action="store_true", help="also POST /moods/ windows")
    parser.add_argument(
        "--in-process-trainings",
        action="store_true",
        help="with --writes: run the trainings they queue on the web workers' background "
        "threads (no broker) instead of queueing them on Redis for Celery workers, as "
        "production does (none consumes them here: the web tier's own cost is measured)",
    )
    parser.add_argument("--write-connections", type=int, default=100)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/planher_perf")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="keep the database (and its users) of an earlier run instead of seeding anew",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument(
        "--before",
        metavar="PATH",
        action="append",
        default=[],
        help="another checkout (e.g. `git worktree add /tmp/before main`) served the same "
        "way beside this one, on the next Redis database: before/after in one run. Repeat "
        "it for several steps (each labelled by its folder's name, the first as 'before'); "
        "at most two, as Redis databases 7-9 are this benchmark's",
    )
    parser.add_argument("--floor-python", default="/tmp/floorvenv/bin/python")
    parser.add_argument("--floor-dir", default=str(FLOOR_DIR))
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="SERVER:TARGET",
        help="py-spy a worker during one extra window, e.g. granian:current",
    )
    args = parser.parse_args()
    servers = args.servers.split(",")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = load()
    if not args.reuse_database:
        recreate_database(args.database_url)
    sh("redis-cli", "-u", args.redis_url, "flushdb")
    env = harness.bench_environment(
        args.database_url,
        REDIS_URL=args.redis_url,
        THROTTLE_USER_RATE="600/min",  # production's default: the throttle works on every request
        THROTTLE_AUTH_RATE="10/min",
        WEB_CONCURRENCY=str(args.workers),
        # One fixed key for this benchmark's throwaway notes: a reused database stays readable.
        FIELD_ENCRYPTION_KEYS="Zmxvb3ItY29tcGFyZS1iZW5jaC1vbmx5LW5vdC1rZXk=",
    )
    Path(env["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns without it
    if args.writes and not args.in_process_trainings:
        env["CELERY_BROKER_URL"] = args.redis_url  # trainings queued, as in production
    harness.setup_django(env)
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(email__startswith="bench").order_by("pk"))
    if len(users) < args.users:
        print(f"seeding {args.users} users with {args.days} days each ...", flush=True)
        get_user_model().objects.filter(email__startswith="bench").delete()
        users = seed(args.users, args.days)
    users = users[: args.users]
    folder = Path(tempfile.mkdtemp(prefix="planher-floor-"))
    ours, floors = folder / "planher.tokens", folder / "floor.tokens"
    floor_tokens(min(args.users, 1000), floors)

    targets = []  # (name, url, tokens)
    pids = {}  # server: the pid of its master process
    with ExitStack() as stack:
        floor_port = harness.free_port()
        floor = stack.enter_context(
            process(
                [
                    args.floor_python,
                    "-m",
                    "uvicorn",
                    "app:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(floor_port),
                    "--workers",
                    str(args.workers),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=args.floor_dir,
            )
        )
        wait_for(f"http://127.0.0.1:{floor_port}/ping")
        pids["floor"] = floor.pid
        targets.append(("floor `/me`", f"http://127.0.0.1:{floor_port}/me", floors, "floor"))
        checkouts = [("", ROOT, env)]
        redis_base, redis_number = args.redis_url.rsplit("/", 1)
        for number, path in enumerate(args.before, start=1):
            redis_before = f"{redis_base}/{int(redis_number) + number}"
            sh("redis-cli", "-u", redis_before, "flushdb")
            before_env = {**env, "PYTHONPATH": path, "REDIS_URL": redis_before}
            if "CELERY_BROKER_URL" in env:
                before_env["CELERY_BROKER_URL"] = redis_before
            label = "before " if number == 1 else f"{Path(path).name} "
            checkouts.insert(number - 1, (label, Path(path), before_env))
        for label, folder_of_code, code_env in checkouts:
            for server in servers:
                port = harness.free_port()
                command = [part.format(port=port, workers=args.workers) for part in SERVERS[server]]
                command[0] = str(harness.BIN / command[0])
                child = stack.enter_context(process(command, env=code_env, cwd=folder_of_code))
                pids[f"{label}{server}"] = child.pid
                wait_for(f"http://127.0.0.1:{port}/api/v1/health")
                base = f"http://127.0.0.1:{port}/api/v1"
                name = f"{label}{server}"
                targets.append((f"{name} `/auth/me`", f"{base}/auth/me", ours, name))
                targets.append(
                    (f"{name} `/predictions/current`", f"{base}/predictions/current", ours, name)
                )
        planher_tokens(users, ours)

        trees = {name: process_tree(pid) for name, pid in pids.items()}
        common = {"connections": args.connections, "threads": args.threads}
        for _, url, tokens, _ in targets:  # warm-up: imports, pools
            wrk(url, tokens, seconds=3, **common)
        results = {name: [] for name, _, _, _ in targets}
        for number in range(args.rounds):
            planher_tokens(users, ours)  # fresh access tokens (they live 15 minutes)
            for _, url, tokens, _ in targets:
                if url.endswith("/current"):
                    warm(url, tokens)  # every user's answer is cached (it lives 5 minutes)
            for name, url, tokens, server in targets:
                results[name].append(
                    wrk(url, tokens, seconds=args.window, server=trees[server], **common)
                )
            print(
                f"round {number + 1}/{args.rounds}: "
                + ", ".join(f"{n} {r[-1]['rps']:.0f}" for n, r in results.items()),
                flush=True,
            )

        # Before the writes: their trainings would run on in the workers' background threads.
        profiles = [profile(spec, args, targets, ours, folder, pids) for spec in args.profile]
        writes = {}
        if args.writes:
            post = [
                (f"{server} `POST /moods/`", u.rsplit("/auth/me", 1)[0] + "/moods/", server)
                for _, u, _, server in targets
                if u.endswith("/auth/me")
            ]
            writes = {name: [] for name, _, _ in post}
            planher_tokens(users, ours)
            for _ in range(max(1, args.rounds // 2)):
                for name, url, server in post:
                    writes[name].append(
                        wrk(
                            url,
                            ours,
                            server=trees[server],
                            seconds=args.window * 2,
                            mode="post",
                            connections=args.write_connections,
                            threads=args.threads,
                        )
                    )

    floor_name = targets[0][0]
    print(f"\n{started}; machine: {machine()}")
    print(f"load average before {load_before}, after {load()}")
    print(versions(args.floor_python))
    print(
        f"{args.workers} workers each; wrk -t{args.threads} -c{args.connections}, "
        f"{args.rounds} rounds of {args.window:g} s windows alternated; {args.users} users, "
        "a token each, rotated per request.\n"
    )
    print(
        "| target | req/s median (min-max) | vs floor `/me` | server CPU ms per request "
        "| floor's CPU / its CPU | p50 ms | p95 ms | p99 ms | errors |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    floor_runs = results[floor_name]

    def median(runs, field):
        return statistics.median(r[field] for r in runs)

    for name, runs in [*results.items(), *writes.items()]:
        rps = [r["rps"] for r in runs]
        if name in results:  # ratios within each round, then their median
            pairs = list(zip(runs, floor_runs, strict=True))
            ratio = f"{statistics.median(r['rps'] / f['rps'] for r, f in pairs):.2f}x"
            cpu = f"{statistics.median(f['cpu_ms'] / r['cpu_ms'] for r, f in pairs):.2f}x"
        else:
            name, ratio, cpu = f"{name} ({args.write_connections} clients)", "-", "-"
        print(
            f"| {name} | {statistics.median(rps):.0f} ({min(rps):.0f}-{max(rps):.0f}) | {ratio} "
            f"| {median(runs, 'cpu_ms'):.2f} | {cpu} "
            f"| {median(runs, 'p50_us') / 1000:.1f} | {median(runs, 'p95_us') / 1000:.1f} "
            f"| {median(runs, 'p99_us') / 1000:.1f} | {sum(r['errors'] for r in runs)} |"
        )
    for text in profiles:
        print(text)
    print("\n" + json.dumps({"results": results, "writes": writes}))


def profile(spec: str, args, targets, tokens, folder, pids) -> str:
    """py-spy on one worker of a PlanHer server while wrk loads it: the summary
    of ``bench/profile_summary.py``, the per-request figures counting that worker's
    share of the requests."""
    import profile_summary

    server, _, which = spec.partition(":")
    name, url, _, _ = next(t for t in targets if t[0].startswith(server) and which in t[1])
    master = str(pids[server])
    workers = sh("pgrep", "-P", master).split() or [master]
    out = folder / f"profile-{server}-{which}.txt".replace(" ", "-").replace("/", "-")
    seconds = max(2, round(args.window * 2))
    command = [str(harness.BIN / "py-spy"), "record", "--pid", workers[0], "--nonblocking"]
    command += ["--duration", str(seconds), "--rate", "250", "--format", "raw"]
    spy = subprocess.Popen(
        [*command, "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    result = wrk(url, tokens, seconds=seconds, connections=args.connections, threads=args.threads)
    spy.wait(timeout=60)
    parts, total = profile_summary.summarise(str(out))
    served = result["requests"] / len(workers)
    lines = [
        f"\nprofile of {name}, worker {workers[0]} of {len(workers)}: {out} "
        f"({total} samples at 250/s, {result['rps']:.0f} req/s in all)",
        "| part of the request | share | sampled ms per request |",
        "|---|--:|--:|",
    ]
    for part, count in parts.most_common():
        lines.append(f"| {part} | {100 * count / total:.0f}% | {1000 * count / 250 / served:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
