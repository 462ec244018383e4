"""A Celery worker killed mid-training never leaves a corrupt model served.

    .venv/bin/python bench/faults/celery_kill.py [--mode child|worker] [--database sqlite|postgres]

A real worker (prefork, one child, as in docker-compose) takes its tasks from
the Redis at 127.0.0.1:6379, database 12 (flushed before and after). She has a
trained model (version 1); a mood posted over HTTP queues a retraining; once
the worker has started training (``training_started_at`` is set) it gets
SIGKILL a few milliseconds later:

- ``--mode child``: the pool child doing the work dies (the OOM killer's
  choice). With acks_late and reject_on_worker_lost the task goes straight
  back to the queue.
- ``--mode worker``: the whole worker dies and is started again. Redis hands
  the task back after its visibility timeout: compressed here to 12 s, with
  the training lock compressed to 6 s in proportion (see ``celery_app.py``).

Throughout, a client asks gunicorn for /predictions/current, /forecast and
/model every 100 ms, and a watcher verifies the file her model row points at
(HMAC, format and scikit-learn version) every 50 ms. Checks:

1. the worker was killed in the middle of a training;
2. the model row always pointed at a verified file (or none);
3. serving answered 200 throughout;
4. the killed task was delivered again;
5. the redelivered task retrained her model to a new, verified version.

Exits non-zero when a check fails. Loopback only; bounded in time.
``FAULTS_KEEP_LOG=path`` keeps a copy of the worker's log.
"""

import os
import random
import re
import shutil
import subprocess
import threading
import time
from datetime import timedelta

import common

REDIS_URL = "redis://127.0.0.1:6379/12"
ATTEMPTS = 5
VISIBILITY_TIMEOUT = 12  # --mode worker only
LOCK_SECONDS = 6  # --mode worker only
RETRAIN_WAIT = {"child": 40, "worker": VISIBILITY_TIMEOUT + 30}
TASK = "predictions.tasks.retrain_user_model"


def main() -> int:
    parser = common.arguments(__doc__)
    parser.add_argument("--mode", choices=["child", "worker"], default="child")
    args = parser.parse_args()
    checks = common.Checks(f"celery {args.mode} killed mid-training")
    return common.main_guard(lambda c: run(c, args), checks, args.json)


class Worker:
    """``celery worker`` (prefork, one child) writing its log to a file."""

    def __init__(self, env: dict, log):
        self.env, self.log, self.process, self.pids = env, log, None, set()

    def start(self):
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(common.BIN / "celery"),
                    "-A",
                    "celery_app",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=common.ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.pids.add(self.process.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "ready." not in self.tail(offset):
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        return self

    def tail(self, offset: int) -> str:
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def children(self) -> list[int]:
        pids = common.children(self.process.pid)
        self.pids.update(pids)
        return pids

    def stop(self):
        if self.process is not None:
            self.children()
            common.stop_process(self.process, grace=20)
        for pid in self.pids:
            if common.alive(pid):
                common.kill(pid)


def run(checks: common.Checks, args) -> None:
    import redis

    broker = redis.Redis.from_url(REDIS_URL)
    try:
        broker.ping()
    except redis.ConnectionError as error:
        checks.check("Redis answers at 127.0.0.1:6379", False, str(error))
        return
    broker.flushdb()
    rng = random.Random(args.seed)
    try:
        with common.workdir() as folder, common.throwaway_database(args.database, folder) as url:
            env = common.harness.server_environment(
                url,
                folder,
                CELERY_BROKER_URL=REDIS_URL,
                REDIS_URL=REDIS_URL,
                RETRAIN_DELAY_SECONDS="1",
                RETRAIN_SWEEP_SCHEDULE="off",
                LOG_LEVEL="INFO",
            )
            common.harness.setup_django(env)
            worker_env = {
                **env,
                "PYTHONPATH": f"{common.ROOT}:{common.HERE}",
                # A training takes ~0.1-0.5 s here: stretch it so the kill
                # reliably lands in the middle of one, however fast the machine.
                "FAULTS_TRAINING_SECONDS": "1.5",
                **(
                    {
                        "FAULTS_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
                        "FAULTS_LOCK_SECONDS": str(LOCK_SECONDS),
                    }
                    if args.mode == "worker"
                    else {}
                ),
            }
            user = common.harness.make_user("trainee@faults.test", days=365, seed=5, train=True)
            worker = Worker(worker_env, folder / "worker.log")
            try:
                with common.Gunicorn({**env, "LOG_LEVEL": "WARNING"}, folder, workers=2) as server:
                    worker.start()
                    scenario(checks, args.mode, rng, user, server, worker, broker)
            finally:
                worker.stop()
                if os.environ.get("FAULTS_KEEP_LOG"):  # for a look after the run
                    shutil.copy(folder / "worker.log", os.environ["FAULTS_KEEP_LOG"])
    finally:
        broker.flushdb()


def scenario(checks, mode, rng, user, server, worker, broker) -> None:
    from predictions.models import EnergyModel

    token = common.access_token(user)
    watch = Watchers(server.port, token, user)
    watch.start()
    try:
        killed_at = kill_mid_training(checks, mode, rng, user, server, token, worker, broker)
        if killed_at is None:
            return
        offset, version_at_kill, lock_ttl = killed_at
        checks.fact("training lock TTL at the kill (s)", lock_ttl)
        if mode == "worker":
            worker.process.wait(timeout=10)
            worker.start()
        log = worker.log
        task_id = in_flight_task(log.read_text(errors="replace")[:offset])
        checks.fact("task killed", task_id)

        deadline = time.monotonic() + RETRAIN_WAIT[mode]
        redelivered = retrained = False
        while time.monotonic() < deadline:
            after = log.read_text(errors="replace")[offset:]
            redelivered = redelivered or f"{TASK}[{task_id}] received" in after
            row = EnergyModel.objects.get(user=user)
            retrained = row.version > version_at_kill and row.training_started_at is None
            finished = re.search(rf"{re.escape(task_id)}\] (succeeded|raised unexpected)", after)
            if retrained or finished:
                break
            time.sleep(0.2)
        time.sleep(1)  # a last round of serving and verification after the outcome
    finally:
        watch.stop()

    after = log.read_text(errors="replace")[offset:]
    retries = after.count(f"{TASK}[{task_id}] retry:")
    checks.fact("retries of the redelivered task", retries)
    checks.fact(
        "redelivered task gave up",
        "MaxRetriesExceededError" in after or "Retry limit exceeded" in after,
    )
    row = EnergyModel.objects.get(user=user)
    checks.fact("model version before / after", f"{version_at_kill} / {row.version}")
    checks.check(
        "the model row always pointed at a verified file",
        watch.verified > 0 and not watch.violations,
        f"{watch.verified} verifications; " + "; ".join(watch.violations[:3]),
    )
    checks.check(
        "serving answered 200 throughout",
        watch.answers > 0 and not watch.failures,
        f"{watch.answers} answers; " + "; ".join(watch.failures[:3]),
    )
    checks.check("the killed task was delivered again", redelivered, f"task {task_id}")
    detail = (
        ""
        if retrained
        else (
            f"still version {row.version} after {RETRAIN_WAIT[mode]} s; the redelivered task "
            f"retried {retries} time(s) on the training lock the killed run left behind "
            f"(TTL {lock_ttl} s)"
        )
    )
    checks.check("the redelivered task retrained her model", retrained and verified(row), detail)


def kill_mid_training(checks, mode, rng, user, server, token, worker, broker):
    """Queue a training and kill the worker while it trains; None if it never landed."""
    from moods.models import DailyMood
    from predictions.models import EnergyModel

    today = user.local_today()
    for attempt in range(ATTEMPTS):
        version = EnergyModel.objects.get(user=user).version
        day = today - timedelta(days=2 + attempt)
        logged = DailyMood.objects.filter(user=user, date=day).first()
        level = (logged.energy_level + 1) % 3 if logged else 1  # her data really changes
        status, body = common.call(
            server.port,
            "POST",
            "/api/v1/moods/",
            {"date": day.isoformat(), "energy_level": level, "notes": f"attempt {attempt}"},
            token,
        )
        assert status in (200, 201), body
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if EnergyModel.objects.filter(user=user, training_started_at__isnull=False).exists():
                break
            time.sleep(0.003)
        else:
            raise RuntimeError("the worker never started the training")
        time.sleep(rng.uniform(0.0, 0.06))
        children = worker.children()
        targets = children if mode == "child" else [worker.process.pid, *children]
        for pid in targets:
            common.kill(pid)
        offset = len(worker.log.read_text(errors="replace"))
        lock_ttl = broker.ttl(f":1:predictions:training-lock:{user.pk}")  # Django's key prefix
        time.sleep(0.5)
        row = EnergyModel.objects.get(user=user)
        if row.training_started_at is not None:  # its `finally` never ran: killed mid-training
            checks.fact("attempts until a kill landed mid-training", attempt + 1)
            checks.check("the worker was killed in the middle of a training", True)
            return offset, row.version, lock_ttl
        if mode == "worker":
            worker.process.wait(timeout=10)
            worker.start()
        version = row.version
    checks.check(
        "the worker was killed in the middle of a training",
        False,
        f"{ATTEMPTS} attempts, each training finished before the kill (version {version})",
    )
    return None


def in_flight_task(log: str) -> str:
    received = re.findall(rf"{re.escape(TASK)}\[([0-9a-f-]+)\] received", log)
    done = set(re.findall(rf"{re.escape(TASK)}\[([0-9a-f-]+)\] (?:succeeded|retry)", log))
    pending = [task for task in received if task not in done]
    return (pending or received or ["?"])[-1]


def verified(row) -> bool:
    from predictions import lifecycle

    if not row.file:
        return True
    try:
        lifecycle.check_compatible(row)
        lifecycle.read_verified(row)
    except lifecycle.ModelFileError:
        return False
    return True


class Watchers:
    """Serving through gunicorn, and the model row's file, checked all along."""

    ROUTES = (
        "/api/v1/predictions/current",
        "/api/v1/predictions/forecast?days=90",
        "/api/v1/predictions/model",
    )

    def __init__(self, port, token, user):
        self.port, self.token, self.user = port, token, user
        self.answers, self.failures = 0, []
        self.verified, self.violations = 0, []
        self.done = threading.Event()
        self.threads = [
            threading.Thread(target=self.serve, daemon=True),
            threading.Thread(target=self.verify, daemon=True),
        ]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def serve(self):
        n = 0
        while not self.done.is_set():
            route = self.ROUTES[n % len(self.ROUTES)]
            status, body = common.call(self.port, "GET", route, token=self.token)
            self.answers += 1
            if status != 200:
                self.failures.append(f"{route}: {status} {body!r:.200}")
            n += 1
            self.done.wait(0.1)

    def verify(self):
        from django.db import connection

        from predictions.models import EnergyModel

        try:
            while not self.done.is_set():
                row = EnergyModel.objects.get(user=self.user)
                if not verified(row):
                    again = EnergyModel.objects.get(user=self.user)
                    # A retraining may have replaced the file between the two reads.
                    if (again.version, again.digest) == (row.version, row.digest):
                        self.violations.append(f"v{row.version} {row.file.name}")
                self.verified += 1
                self.done.wait(0.05)
        finally:
            connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
