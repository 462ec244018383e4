"""Shared pieces of the fault checks: throwaway databases, a gunicorn server
whose workers can be killed, named checks and their summary.

Everything stays on loopback; every loop is bounded; whatever a check starts
(processes, databases, folders) is removed on the way out, failure or not.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/, for harness

import harness  # noqa: E402

ROOT = harness.ROOT
BIN = harness.BIN
POSTGRES_ADMIN_URL = os.environ.get("FAULTS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


# --- Results ---------------------------------------------------------------------------


@dataclass
class Checks:
    """Named checks, printed as they are decided; the exit code says if all passed."""

    name: str
    results: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        return bool(ok)

    def fact(self, key: str, value) -> None:
        self.facts[key] = value
        print(f"      {key} = {value}", flush=True)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(result["ok"] for result in self.results)

    def write(self, path: str | None) -> None:
        summary = {
            "name": self.name,
            "passed": self.passed,
            "checks": self.results,
            "facts": self.facts,
        }
        if path:
            Path(path).write_text(json.dumps(summary, indent=2, default=str))
        verdict = "all checks passed" if self.passed else "SOME CHECKS FAILED"
        print(f"\n{self.name}: {verdict}", flush=True)


def arguments(description: str, *, postgres_only: bool = False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    if not postgres_only:
        parser.add_argument(
            "--database",
            choices=["sqlite", "postgres"],
            default="sqlite",
            help="a throwaway SQLite file, or a throwaway database on 127.0.0.1:5432",
        )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--seed", type=int, default=None)
    return parser


def main_guard(run, checks: Checks, json_path: str | None) -> int:
    """Run ``run(checks)``: SIGTERM and Ctrl-C unwind through every cleanup."""

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    try:
        run(checks)
    except SystemExit:
        raise
    except BaseException as error:
        checks.check("the check ran to its end", False, f"{type(error).__name__}: {error}")
        import traceback

        traceback.print_exc()
    finally:
        checks.write(json_path)
    return 0 if checks.passed else 1


# --- Environment and databases -----------------------------------------------------------


@contextlib.contextmanager
def workdir():
    path = Path(tempfile.mkdtemp(prefix="planher-faults-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def postgres_admin():
    import psycopg

    return psycopg.connect(f"{POSTGRES_ADMIN_URL}/postgres", autocommit=True, connect_timeout=5)


@contextlib.contextmanager
def throwaway_database(kind: str, folder: Path):
    """A database URL that exists only for this check."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'faults.sqlite3'}"
        return
    name = f"planher_fault_{os.getpid()}_{secrets.token_hex(3)}"
    with postgres_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL}/{name}"
    finally:
        with postgres_admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_reachable() -> bool:
    try:
        with postgres_admin() as admin:
            admin.execute("SELECT 1")
        return True
    except Exception:
        return False


# --- Processes ----------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces: fields resume after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2 :].split()[0]
    except OSError:
        return "X"


def kill(pid: int, sig=signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def stop_process(process: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; then any child left behind."""
    if process.poll() is None:
        leftovers = children(process.pid)
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for pid in leftovers:
            if alive(pid):
                kill(pid)


class Gunicorn:
    """A gunicorn server on loopback whose workers a check may kill."""

    def __init__(self, env: dict, folder: Path, *, workers: int = 1, preload: bool = True):
        self.env, self.folder, self.workers, self.preload = env, folder, workers, preload
        self.port = harness.free_port()
        self.log = folder / "gunicorn.log"
        self.process = None
        self.seen_workers: set[int] = set()

    def __enter__(self):
        command = [
            str(BIN / "gunicorn"),
            "planher.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--access-logfile",
            str(self.folder / "access.log"),
            "--timeout",
            "60",
        ]
        if self.preload:
            command.append("--preload")  # a replacement worker forks at once
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            harness.wait_until_up(self.port, seconds=90)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.seen_workers.update(self.worker_pids())
        return self

    def __exit__(self, *exc):
        stop_process(self.process)
        for pid in self.seen_workers:
            if alive(pid):
                kill(pid)

    def worker_pids(self) -> list[int]:
        pids = children(self.process.pid)
        self.seen_workers.update(pids)
        return pids

    def wait_for_workers(self, seconds: float = 60) -> list[int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= self.workers:
                with contextlib.suppress(OSError):
                    if harness.request(self.port, "GET", "/api/v1/health")[0] == 200:
                        return pids
            time.sleep(0.05)
        raise RuntimeError("gunicorn did not bring a worker back")


def call(port: int, method: str, path: str, body=None, token=None, timeout: float = 30):
    """(status, body) of one request, or (None, error) when the connection broke."""
    import http.client

    try:
        return harness.request(port, method, path, body, token, timeout=timeout)
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"


def access_token(user) -> str:
    from rest_framework_simplejwt.tokens import RefreshToken

    return str(RefreshToken.for_user(user).access_token)
