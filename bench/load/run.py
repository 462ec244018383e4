"""PlanHer under load: locust against gunicorn + PostgreSQL + Redis + a Celery worker.

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/python bench/load/run.py [--users 100] [--duration 60] [--workers 3]

One command, on this machine, loopback only. It waits (at most
``--wait-quiet`` s) for other work on the machine to stop, creates a fresh
PostgreSQL database (``planher_load_<timestamp>`` at 127.0.0.1:5432, user
postgres), uses an empty Redis database (127.0.0.1:6379/13: cache, throttle
counters and Celery broker), migrates, seeds ``--users + --clients`` accounts
with 90 to 365 days of synthetic history each and a trained model, starts one
Celery worker (its session niced by ``--celery-nice``, 10) and, for each
gunicorn configuration of ``--workers``:

(a) the scenario: ``--users`` locust users (``ScenarioUser`` in
    ``locustfile.py``) log in, each once, as her own account (``--spawn-rate``
    a second, two logins in flight at most), then each makes one request a
    second, at her own random phase of the second: current prediction,
    today's energy (an upsert with a random level by default: it expires her
    cached answers and queues a retraining on the worker), her last 30 moods,
    a 28-day forecast. After every login and a warm-up, ``--duration``
    seconds are measured.
(b) the closed loop: ``--clients`` other accounts request with no wait,
    ``--saturate`` seconds on ``GET /auth/me`` (the framework's floor), then as
    long on ``GET /predictions/current``, ``--rounds`` times over (alternating
    windows, so that a drift of the machine weighs on both alike): the maximum
    throughput of each, averaged over the rounds, and their ratio. It starts
    once the worker has caught up with (a).

Each second it samples the CPU time of every component (gunicorn, Celery,
PostgreSQL, Redis, locust, the rest of the machine), the time gunicorn's
workers spent waiting for a core, and the trainings done. It prints Markdown
tables (per configuration, and a comparison when several are given), the
machine and the command; raw results (locust CSVs, JSON, logs, the CPU
timeline) stay in the printed directory. Every process it started is stopped,
the database dropped and the Redis database flushed at the end, even on
failure or Ctrl-C. Exit status 0 when every target is met: no failed
request, p95 < 100 ms on every endpoint of (a), and ``/predictions/current``
at >= 70% of ``/auth/me`` in (b).

``--workers`` takes gunicorn configurations: ``3`` is 3 sync workers,
``2x4`` is 2 gthread workers of 4 threads; several (``--workers 3 4 2x4``)
are measured one after the other on the same database and worker.
"""

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psutil
import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))
import harness  # noqa: E402  (bench/harness.py: the helpers of the other benchmarks)

HOST = "127.0.0.1"
POSTGRES = f"postgres://postgres@{HOST}:5432"
EMAIL_PATTERN = "load{:04d}@planher.test"
TARGET_P95_MS = 100.0
TARGET_RATIO = 0.70
SCENARIO_ENDPOINTS = [
    "GET /predictions/current",
    "POST /moods/",
    "GET /moods/?page_size=30",
    "GET /predictions/forecast?days=28",
]
CPU_GROUPS = ["gunicorn", "celery", "postgres", "redis", "locust"]


class Failed(Exception):
    """The run cannot go on (reported, then everything is cleaned up)."""


# --- Configurations -------------------------------------------------------------------


@dataclass(frozen=True)
class Gunicorn:
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, spec: str) -> "Gunicorn":
        workers, _, threads = spec.lower().partition("x")
        try:
            config = cls(int(workers), int(threads or 1))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{spec!r}: give N or NxT, e.g. 4 or 2x4") from None
        if not (1 <= config.workers <= 32 and 1 <= config.threads <= 64):
            raise argparse.ArgumentTypeError(f"{spec!r}: 1-32 workers, 1-64 threads")
        return config

    @property
    def worker_class(self) -> str:
        return "gthread" if self.threads > 1 else "sync"

    def __str__(self) -> str:
        if self.threads == 1:
            return f"{self.workers} sync workers"
        return f"{self.workers} gthread workers x {self.threads} threads"

    def arguments(self) -> list[str]:
        return [
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            self.worker_class,
        ]


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--users", type=int, default=100, help="scenario users (100)")
    add("--duration", type=float, default=60, help="measured seconds of the scenario (60)")
    add("--spawn-rate", type=float, default=2, help="scenario logins a second (2)")
    add("--workers", type=Gunicorn.parse, nargs="+", default=[Gunicorn(3)], help="(3)")
    add("--clients", type=int, default=16, help="closed-loop clients (16)")
    add("--saturate", type=float, default=10, help="closed-loop seconds per window (10)")
    add("--rounds", type=int, default=2, help="closed-loop rounds of both windows (2)")
    add("--warmup", type=float, default=5, help="seconds before each window (5)")
    add(
        "--mood-changes",
        choices=["random", "stable"],
        default="random",
        help="random (default): each POST draws her level, so most change her data and "
        "most retrainings train; stable: she re-logs one level all along",
    )
    add(
        "--celery",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start the Celery worker (--no-celery: tasks wait in Redis, untrained)",
    )
    add("--celery-concurrency", type=int, default=1, help="worker processes (1)")
    add(
        "--celery-nice",
        type=int,
        default=10,
        choices=range(20),
        metavar="0-19",
        help="CPU niceness of the worker's session: requests go first when the cores are "
        "busy (10; 0 shares them equally, like containers of equal CPU weight)",
    )
    add("--redis-db", type=int, default=13, help="an empty Redis database, flushed (13)")
    add("--seed", type=int, default=2026)
    add(
        "--wait-quiet",
        type=float,
        default=300,
        help="wait at most this long for other work on the machine to stop (300 s)",
    )
    add("--out", type=Path, default=None, help="results directory (default: a new one in /tmp)")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 1000 and 1 <= args.clients <= 200):
        parser.error("--users 1-1000, --clients 1-200")
    if not (5 <= args.duration <= 3600 and 5 <= args.saturate <= 600):
        parser.error("--duration 5-3600 s, --saturate 5-600 s")
    if not (1 <= args.rounds <= 20):
        parser.error("--rounds 1-20")
    if not (0.1 <= args.spawn_rate <= 100):
        parser.error("--spawn-rate 0.1-100")
    return args


# --- Throwaway PostgreSQL database and Redis database ---------------------------------


@contextmanager
def fresh_database(name: str):
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"dropped database {name}", file=sys.stderr)


@contextmanager
def empty_redis(db: int):
    import redis

    client = redis.Redis(host=HOST, port=6379, db=db)
    keys = client.dbsize()
    if keys:
        raise Failed(f"Redis database {db} holds {keys} keys: pick an empty one (--redis-db)")
    try:
        yield f"redis://{HOST}:6379/{db}"
    finally:
        client.flushdb()
        client.close()


def server_environment(database_url: str, redis_url: str, workdir: Path) -> dict:
    """Production settings, loopback only, throttles off (as documented for benchmarks)."""
    return harness.server_environment(
        database_url,
        workdir,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        RETRAIN_SWEEP_SCHEDULE="off",
    )


def setup_django(env: dict) -> None:
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Seeding --------------------------------------------------------------------------


def seed_accounts(count: int, *, seed: int) -> None:
    """``count`` accounts with 90-365 days of synthetic history each (ending
    yesterday, so today's energy is not logged yet) and a trained model."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connections
    from django.utils.timezone import now

    from predictions.seeding import history_store
    from predictions.synthetic import make_user_history

    user_model = get_user_model()
    password = make_password(harness.PASSWORD)  # one hash for all: each costs ~0.5 s
    users = user_model.objects.bulk_create(
        user_model(email=EMAIL_PATTERN.format(n), password=password) for n in range(count)
    )
    yesterday = now().date() - timedelta(days=1)
    for number, user in enumerate(users):
        rng = random.Random(seed * 10_000 + number)
        history = make_user_history(rng, days=rng.randint(90, 365), today=yesterday)
        history_store(user=user, history=history)
    connections.close_all()
    with ProcessPoolExecutor(
        max_workers=os.cpu_count() or 1,
        mp_context=get_context("spawn"),
        initializer=setup_django,
        initargs=(dict(os.environ),),
    ) as pool:
        outcomes = list(pool.map(train_account, [user.pk for user in users], chunksize=4))
    if any(outcome != "trained" for outcome in outcomes):
        raise Failed(f"seeding: trainings ended {sorted(set(outcomes))}")


def train_account(user_id: int) -> str:
    from django.contrib.auth import get_user_model

    from predictions.training import energy_model_retrain

    user = get_user_model().objects.get(pk=user_id)
    return energy_model_retrain(user=user, force=True).status


# --- Processes ------------------------------------------------------------------------


@contextmanager
def process(name: str, command: list[str], env: dict, log: Path):
    """A child process, in its own session; terminated (then killed) at the end."""
    with open(log, "ab") as out:
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        stop(child, name)


def stop(child: subprocess.Popen, name: str, seconds: float = 30) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in {seconds:.0f} s: killed", file=sys.stderr)
        child.kill()
        child.wait(timeout=10)


def renice_session(pid: int, niceness: int) -> None:
    """Lower the CPU priority of a child started in its own session.

    With the kernel's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``),
    CPU is first shared fairly between sessions: gunicorn's workers, the Celery
    worker and any other busy session each get an equal part, whatever their
    process counts, and a process's own nice value only counts inside its
    session. So both are set: the session's (``/proc/PID/autogroup``) and the
    processes'. In production the same knob is the worker's cgroup CPU weight
    (systemd ``CPUWeight=``, Docker ``cpu_shares``).
    """
    if not niceness:
        return
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(niceness))
    for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            proc.nice(niceness)


@contextmanager
def gunicorn_server(config: Gunicorn, env: dict, log: Path):
    port = harness.free_port()
    command = [
        str(BIN / "gunicorn"),
        "planher.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        *config.arguments(),
        "--log-level",
        "warning",
    ]
    with process("gunicorn", command, env, log) as child:
        harness.wait_until_up(port, seconds=60)
        yield child, port


def celery_command(concurrency: int) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "planher",
        "worker",
        f"--concurrency={concurrency}",
        "--loglevel=WARNING",
        "--hostname=loadbench@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def run_locust(
    user_class: str,
    *,
    port: int,
    users: int,
    spawn_rate: float,
    windows: int,
    measure: float,
    args,
    out: Path,
    extra: list[str],
    sampler,
) -> dict:
    """One locust process (headless); returns its controller's results."""
    name = f"{user_class}-{port}"
    results = out / f"{name}.json"
    login_timeout = users / spawn_rate + 300
    bound = login_timeout + windows * (args.warmup + measure) + 30  # locust's --run-time
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        f"http://{HOST}:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{int(bound)}s",
        "--csv",
        str(out / name),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--measure-seconds",
        str(measure),
        "--warmup-seconds",
        str(args.warmup),
        "--login-timeout",
        str(login_timeout),
        "--results",
        str(results),
        "--email-pattern",
        EMAIL_PATTERN,
        "--password",
        harness.PASSWORD,
        *extra,
        user_class,
    ]
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    with process("locust", command, env, out / f"{name}.log") as child:
        sampler.locust = child.pid
        try:
            child.wait(timeout=bound + 60)
        except subprocess.TimeoutExpired:
            raise Failed(f"locust ({user_class}) overran {bound + 60:.0f} s") from None
        finally:
            sampler.locust = None
    if not results.exists():
        raise Failed(f"locust ({user_class}) wrote no results: see {out / name}.log")
    outcome = json.loads(results.read_text())
    if "error" in outcome:
        raise Failed(f"locust ({user_class}): {outcome['error']}")
    return outcome


# --- CPU and training sampler ---------------------------------------------------------


def run_queue_seconds(pid: int) -> float:
    """Seconds the threads of a process have spent runnable, waiting for a core."""
    waited = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                waited += int((task / "schedstat").read_text().split()[1])
    except OSError:
        pass
    return waited / 1e9


class Sampler:
    """Each second: CPU seconds used so far by each component, seconds its
    processes spent runnable but waiting for a core (``/proc/PID/schedstat``),
    and trainings done.

    A bounded loop in a thread. Processes that come and go (PostgreSQL
    backends) are followed by pid, so the time of one that exits is kept.
    """

    MAX_SAMPLES = 6 * 3600

    def __init__(self):
        self.gunicorn: int | None = None
        self.celery: int | None = None
        self.locust: int | None = None
        self.samples: list[tuple[float, dict[str, float], int]] = []
        self._seen: dict[int, tuple[psutil.Process, str, float, float]] = {}
        self._totals = dict.fromkeys(
            [*CPU_GROUPS, *(f"{group}:wait" for group in CPU_GROUPS), "machine"], 0.0
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)

    def _groups(self) -> dict[int, str]:
        groups = {}
        for pid, group in ((self.gunicorn, "gunicorn"), (self.celery, "celery")):
            if pid is None:
                continue
            try:
                parent = psutil.Process(pid)
                for proc in [parent, *parent.children(recursive=True)]:
                    groups[proc.pid] = group
            except psutil.Error:
                pass
        if self.locust is not None:
            groups[self.locust] = "locust"
        for proc in psutil.process_iter(["name"]):
            name = proc.info["name"] or ""
            if name == "postgres" or name.startswith("postgres:"):
                groups[proc.pid] = "postgres"
            elif name.startswith("redis-server"):
                groups[proc.pid] = "redis"
        return groups

    def _sample(self, first: bool) -> None:
        for pid, group in self._groups().items():
            seen = self._seen.get(pid)
            try:
                proc = seen[0] if seen and seen[1] == group else psutil.Process(pid)
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used, waited = times.user + times.system, run_queue_seconds(pid)
            if seen and seen[1] == group:
                before = seen[2:]
            else:  # a new process: count all of it, unless it was there at the start
                before = (used, waited) if first else (0.0, 0.0)
            self._totals[group] += max(0.0, used - before[0])
            self._totals[f"{group}:wait"] += max(0.0, waited - before[1])
            self._seen[pid] = (proc, group, used, waited)
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        if first:
            self._machine_start = busy
        self._totals["machine"] = busy - self._machine_start
        self.samples.append((time.time(), dict(self._totals), self._trainings()))

    @staticmethod
    def _trainings() -> int:
        from django.db.models import Sum

        from predictions.models import EnergyModel

        return EnergyModel.objects.aggregate(total=Sum("version"))["total"] or 0

    def _run(self) -> None:
        from django.db import connection

        try:
            for count in range(self.MAX_SAMPLES):
                self._sample(first=count == 0)
                if self._stop.wait(1.0):
                    break
        finally:
            connection.close()

    def window(self, start: float, end: float) -> dict:
        """Cores used by each component between two times, and trainings done."""
        before = max((s for s in self.samples if s[0] <= start), default=None, key=lambda s: s[0])
        after = min((s for s in self.samples if s[0] >= end), default=None, key=lambda s: s[0])
        if before is None or after is None:
            return {}
        seconds = after[0] - before[0]
        cores = {group: (after[1][group] - before[1][group]) / seconds for group in after[1]}
        cores["other"] = max(0.0, cores["machine"] - sum(cores[g] for g in CPU_GROUPS))
        return {"seconds": seconds, "cores": cores, "trainings": after[2] - before[2]}


def wait_until_quiet(seconds: float, busy_cores: float = 0.3) -> float:
    """Wait (bounded) until the machine is nearly idle; returns the cores busy at the end.

    Other work on this machine (a test suite, an install) takes CPU from the
    server: the figures would be pessimistic. The "other" column of the CPU
    table shows what it took during each window anyway.
    """
    deadline = time.monotonic() + seconds
    told = False
    while True:
        busy = psutil.cpu_percent(interval=3) / 100 * (os.cpu_count() or 1)
        if busy < busy_cores or time.monotonic() > deadline:
            return busy
        if not told:
            print(f"[{clock()}] {busy:.1f} cores busy with other work: waiting", file=sys.stderr)
            told = True


def save_samples(sampler: Sampler, path: Path) -> None:
    """The CPU timeline, kept with the raw results (and for a post-mortem)."""
    rows = [{"at": at, "cpu_seconds": cpu, "trainings": n} for at, cpu, n in sampler.samples]
    path.write_text(json.dumps(rows))


def wait_for_worker(seconds: float) -> float | None:
    """Seconds until no retraining is queued or running (None: not within ``seconds``)."""
    from django.db.models import Q

    from predictions.models import EnergyModel

    pending = Q(training_queued_at__isnull=False) | Q(training_started_at__isnull=False)
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not EnergyModel.objects.filter(pending).exists():
            return time.monotonic() - started
        time.sleep(0.5)
    return None


# --- One configuration ----------------------------------------------------------------


def measure_configuration(config: Gunicorn, args, env, out: Path, sampler) -> dict:
    log = out / f"gunicorn-{config.workers}x{config.threads}.log"
    with gunicorn_server(config, env, log) as (server, port):
        sampler.gunicorn = server.pid
        print(f"[{clock()}] {config}: scenario, {args.users} users", file=sys.stderr)
        scenario = run_locust(
            "ScenarioUser",
            port=port,
            users=args.users,
            spawn_rate=args.spawn_rate,
            windows=1,
            measure=args.duration,
            args=args,
            out=out,
            extra=["--mood-changes", args.mood_changes],
            sampler=sampler,
        )
        drained = wait_for_worker(300) if args.celery else None
        wait_until_quiet(60)  # the worker's last trainings, others' work
        print(f"[{clock()}] {config}: closed loop, {args.clients} clients", file=sys.stderr)
        closed = run_locust(
            "ClosedLoopUser",
            port=port,
            users=args.clients,
            spawn_rate=min(args.clients, 4),
            windows=2 * args.rounds,
            measure=args.saturate,
            args=args,
            out=out,
            extra=[
                "--first-user",
                str(args.users),
                "--closed-loop-targets",
                ",".join(["me,current"] * args.rounds),
            ],
            sampler=sampler,
        )
        sampler.gunicorn = None
    for outcome in (scenario, closed):
        for window in [outcome["ramp"], *outcome["windows"]]:
            window["cpu"] = sampler.window(window["start"], window["end"])
    return {"config": config, "scenario": scenario, "closed": closed, "drained": drained}


# --- Report ---------------------------------------------------------------------------


def ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def scenario_table(result: dict) -> list[str]:
    window = result["scenario"]["windows"][0]
    seconds = window["end"] - window["start"]
    rows = [
        f"Scenario: {result['scenario']['users']} users, one request a second each, "
        f"{seconds:.0f} s measured after every login and a {result['warmup']:.0f} s warm-up.",
        "",
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    endpoints = window["endpoints"]
    for name in [*SCENARIO_ENDPOINTS, *sorted(set(endpoints) - set(SCENARIO_ENDPOINTS))]:
        row = endpoints.get(name)
        if row:
            rows.append(
                f"| `{name}` | {row['requests']} | {row['rps']:.1f} | {ms(row['p50'])} "
                f"| {ms(row['p95'])} | {ms(row['p99'])} | {ms(row['max'])} | {row['failures']} |"
            )
    total = window["total"]
    rows.append(
        f"| **all** | {total['requests']} | **{total['rps']:.1f}** | {ms(total.get('p50'))} "
        f"| {ms(total.get('p95'))} | {ms(total.get('p99'))} | {ms(total.get('max'))} "
        f"| {total['failures']} |"
    )
    ramp = result["scenario"]["ramp"]
    login = ramp["login"]
    rows += [
        "",
        f"Ramp (not in the table): {ramp['logins']['ok']} logins at "
        f"{result['scenario']['spawn_rate']:g}/s in {ramp['seconds']:.0f} s, "
        f"`POST /auth/login` p50 {login['p50']:.0f} ms, p95 {login['p95']:.0f} ms, "
        f"max {login['max']:.0f} ms (password hashing, PBKDF2).",
    ]
    return rows


def closed_table(result: dict) -> list[str]:
    windows = result["closed"]["windows"]
    seconds = windows[0]["end"] - windows[0]["start"]
    rps = closed_loop_rps(result)
    me = rps.get("GET /auth/me", 0.0)
    rows = [
        f"Closed loop: {result['closed']['users']} clients, no wait, {len(windows)} windows "
        f"of {seconds:.0f} s in turn.",
        "",
        "| window | endpoint | req/s | p50 ms | p95 ms | p99 ms | failures |",
        "|--:|---|--:|--:|--:|--:|--:|",
    ]
    for number, window in enumerate(windows, 1):
        name = window["name"]
        row = window["endpoints"].get(name, {"rps": 0.0})
        rows.append(
            f"| {number} | `{name}` | {row['rps']:.0f} | {ms(row.get('p50'))} "
            f"| {ms(row.get('p95'))} | {ms(row.get('p99'))} | {row.get('failures', 0)} |"
        )
    rows += [
        "",
        f"Mean throughput: `/auth/me` {me:.0f} req/s, `/predictions/current` "
        f"{rps.get('GET /predictions/current', 0.0):.0f} req/s: "
        f"**{closed_loop_ratio(result):.0%}** of the framework's floor.",
    ]
    return rows


def cpu_table(result: dict) -> list[str]:
    windows = [
        ("scenario ramp (logins)", result["scenario"]["ramp"]),
        ("scenario", result["scenario"]["windows"][0]),
        *[(f"{n}. {w['name']}", w) for n, w in enumerate(result["closed"]["windows"], 1)],
    ]
    rows = [
        f'CPU, in cores busy (of the machine\'s {os.cpu_count()}); "gunicorn waiting": its '
        "workers runnable but waiting for a core (in cores, from /proc schedstat); models "
        "trained during each window; gunicorn's CPU per request, which other work on the "
        "machine hardly changes:",
        "",
        "| window | gunicorn | gunicorn waiting | Celery worker | PostgreSQL | Redis | locust "
        "| other | machine | trainings | gunicorn CPU ms/request |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    columns = ["gunicorn", "gunicorn:wait", *CPU_GROUPS[1:], "other", "machine"]
    for name, window in windows:
        cpu = window.get("cpu") or {}
        cores = cpu.get("cores")
        if not cores:
            continue
        cells = " | ".join(f"{cores[column]:.2f}" for column in columns)
        rps = window.get("total", {}).get("rps")
        per_request = f"{cores['gunicorn'] / rps * 1000:.1f}" if rps else "-"
        rows.append(f"| {name} | {cells} | {cpu['trainings']} | {per_request} |")
    others = [w.get("cpu", {}).get("cores", {}).get("other", 0.0) for _, w in windows]
    if max(others, default=0.0) > 0.2:
        rows += [
            "",
            f"Other work on the machine took up to {max(others):.2f} cores during a window: "
            "these figures are pessimistic.",
        ]
    drained = result["drained"]
    if drained is not None:
        rows += ["", f"The worker had caught up {drained:.0f} s after the scenario ended."]
    return rows


def closed_loop_rps(result: dict) -> dict[str, float]:
    """Each closed-loop endpoint's throughput, the mean of its windows."""
    windows: dict[str, list[float]] = {}
    for window in result["closed"]["windows"]:
        row = window["endpoints"].get(window["name"], {"rps": 0.0})
        windows.setdefault(window["name"], []).append(row["rps"])
    return {name: sum(values) / len(values) for name, values in windows.items()}


def closed_loop_ratio(result: dict) -> float:
    """Throughput of ``/predictions/current`` over that of ``/auth/me``."""
    rps = closed_loop_rps(result)
    me = rps.get("GET /auth/me", 0.0)
    return rps.get("GET /predictions/current", 0.0) / me if me else 0.0


def checks(result: dict) -> list[tuple[str, bool]]:
    scenario = result["scenario"]["windows"][0]
    failures = result["scenario"]["failures"]["count"] + result["closed"]["failures"]["count"]
    exceptions = (
        result["scenario"]["failures"]["exceptions"] + result["closed"]["failures"]["exceptions"]
    )
    worst = max(scenario["endpoints"].items(), key=lambda item: item[1].get("p95", 0))
    return [
        (
            f"no failed request over the whole run, ramps included ({failures} failed, "
            f"{exceptions} client exceptions)",
            failures == 0 and exceptions == 0,
        ),
        (
            f"p95 < {TARGET_P95_MS:.0f} ms on every endpoint at {result['scenario']['users']} "
            f"users (worst: `{worst[0]}` {worst[1].get('p95', 0):.1f} ms)",
            all(row.get("p95", 0) < TARGET_P95_MS for row in scenario["endpoints"].values()),
        ),
        (
            f"`/predictions/current` at >= {TARGET_RATIO:.0%} of `/auth/me` throughput "
            f"({closed_loop_ratio(result):.0%})",
            closed_loop_ratio(result) >= TARGET_RATIO,
        ),
    ]


def comparison_table(results: list[dict]) -> list[str]:
    rows = [
        "| gunicorn | scenario req/s | worst p95 ms (endpoint) | `/auth/me` req/s "
        "| `/predictions/current` req/s | ratio | targets |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for result in results:
        window = result["scenario"]["windows"][0]
        worst = max(window["endpoints"].items(), key=lambda item: item[1].get("p95", 0))
        rps = closed_loop_rps(result)
        me, current = rps.get("GET /auth/me", 0.0), rps.get("GET /predictions/current", 0.0)
        met = all(ok for _, ok in result["checks"])
        rows.append(
            f"| {result['config']} | {window['total']['rps']:.1f} "
            f"| {worst[1].get('p95', 0):.1f} (`{worst[0]}`) | {me:.0f} | {current:.0f} "
            f"| {closed_loop_ratio(result):.0%} | {'met' if met else 'missed'} |"
        )
    return rows


def machine_line() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {postgres_version()}, "
        f"locust {locust_version()}; load generator, server, worker and databases share it"
    )


def postgres_version() -> str:
    with psycopg.connect(f"{POSTGRES}/postgres") as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0].split()[0]


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


def report(results: list[dict], args, command: str, seconds: float, out: Path) -> str:
    lines = [f"Machine: {machine_line()}.", ""]
    for result in results:
        lines += [f"### gunicorn: {result['config']}", ""]
        lines += [*scenario_table(result), "", *closed_table(result), "", *cpu_table(result), ""]
        lines += [f"- [{'x' if ok else ' '}] {text}" for text, ok in result["checks"]]
        lines.append("")
    if len(results) > 1:
        lines += ["### Configurations compared", "", *comparison_table(results), ""]
    worker = (
        f"one Celery worker (prefork, concurrency {args.celery_concurrency}, "
        f"nice {args.celery_nice})"
        if args.celery
        else "no Celery worker (retrainings wait in Redis)"
    )
    lines += [
        f"Setup: PostgreSQL and Redis on 127.0.0.1, {worker}, "
        f"{args.users + args.clients} seeded accounts with 90-365 days of history and a "
        f"trained model each; mood levels: {args.mood_changes}.",
        "",
        f"Command: `{command}` (total {seconds / 60:.1f} min). Raw results: `{out}`.",
    ]
    return "\n".join(lines)


def interrupted(signum, frame):
    """SIGTERM unwinds like Ctrl-C, so that every cleanup runs."""
    raise KeyboardInterrupt


def clock() -> str:
    return time.strftime("%H:%M:%S")


# --- Main -----------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_arguments(argv)
    started = time.monotonic()
    stamp = time.strftime("%Y%m%d_%H%M%S")
    out = args.out or Path(f"/tmp/planher-load-{stamp}")
    out.mkdir(parents=True, exist_ok=True)
    command = " ".join([".venv/bin/python", "bench/load/run.py", *sys.argv[1:]])
    signal.signal(signal.SIGTERM, interrupted)

    results: list[dict] = []
    busy = wait_until_quiet(args.wait_quiet)
    if busy >= 0.3:
        print(f"[{clock()}] still {busy:.1f} cores busy: measuring anyway", file=sys.stderr)
    try:
        with ExitStack() as stack:
            database_url = stack.enter_context(fresh_database(f"planher_load_{stamp}"))
            redis_url = stack.enter_context(empty_redis(args.redis_db))
            for scratch in ("media", "static"):
                stack.callback(shutil.rmtree, out / scratch, ignore_errors=True)
            env = server_environment(database_url, redis_url, out)
            setup_django(env)
            from django.core.management import call_command

            print(f"[{clock()}] migrating {database_url}", file=sys.stderr)
            call_command("migrate", verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)  # as in production
            accounts = args.users + args.clients
            print(f"[{clock()}] seeding {accounts} accounts", file=sys.stderr)
            seed_accounts(accounts, seed=args.seed)
            sampler = stack.enter_context(Sampler())
            stack.callback(save_samples, sampler, out / "cpu-samples.json")
            if args.celery:
                celery = celery_command(args.celery_concurrency)
                worker = stack.enter_context(process("celery", celery, env, out / "celery.log"))
                sampler.celery = worker.pid
                renice_session(worker.pid, args.celery_nice)
            for config in args.workers:
                result = measure_configuration(config, args, env, out, sampler)
                result["warmup"] = args.warmup
                result["checks"] = checks(result)
                results.append(result)
    except Failed as error:
        print(f"load test failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: cleaned up", file=sys.stderr)
        return 130

    text = report(results, args, command, time.monotonic() - started, out)
    (out / "report.md").write_text(text + "\n")
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(text)
    return 0 if all(ok for result in results for _, ok in result["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
