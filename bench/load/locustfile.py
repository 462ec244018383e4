"""PlanHer under load: the locust users that ``bench/load/run.py`` drives.

Two user classes; pick one by name on the command line:

``ScenarioUser``
    A realistic session. She logs in once (as her own seeded account), then
    makes one request a second (each session at its own random phase of the
    second, see ``Session.wait_time``), in this loop: her
    current prediction, today's energy (``POST /moods/``, an upsert), her last
    30 moods, a 28-day forecast. Logging her energy changes her data, so it
    expires her cached answers and queues a retraining on the Celery worker.

``ClosedLoopUser``
    Logs in once, then requests one endpoint with no wait at all (a closed
    loop: the throughput is the server's maximum). The controller moves every
    client from ``GET /auth/me`` (the framework's floor: authentication and a
    tiny serializer) to ``GET /predictions/current``, one window each.

Logins queue for one of ``--login-concurrency`` slots, so that a ramp of
users does not pile password hashes (~0.5 s of CPU each) onto the server
until they time out. A controller greenlet runs the phases and stops locust
by itself: it waits until every user has logged in (bounded by
``--login-timeout``), warms up, resets the statistics, measures for
``--measure-seconds`` (each window) and writes ``--results`` (JSON: every
window's latencies per endpoint, exact percentiles from the raw samples, and
every failure of the run, ramp and warm-ups included). ``--run-time`` stays
as the outer bound. By hand::

    .venv/bin/locust -f bench/load/locustfile.py --headless -H http://127.0.0.1:8000 \\
        -u 100 -r 3 --run-time 400s --measure-seconds 60 --results out.json ScenarioUser

Only the host given with ``-H`` is contacted (run.py: 127.0.0.1).
"""

import itertools
import json
import random
import statistics
import time
from datetime import UTC, datetime

import gevent
from gevent.lock import BoundedSemaphore
from locust import FastHttpUser, SequentialTaskSet, constant, events, task
from locust.exception import StopUser

API = "/api/v1"
EMAIL_PATTERN = "load{:04d}@planher.test"
PASSWORD = "bench-password-2026"
REFRESH_AFTER_SECONDS = 10 * 60  # access tokens live 15 minutes
MAX_SAMPLES = 2_000_000  # per window: bounds the memory of the raw latencies
MAX_FAILURES_KEPT = 50

CLOSED_LOOP_TARGETS = {
    "me": ("GET /auth/me", f"{API}/auth/me"),
    "current": ("GET /predictions/current", f"{API}/predictions/current"),
}


@events.init_command_line_parser.add_listener
def _options(parser):
    group = parser.add_argument_group("PlanHer load test")
    group.add_argument("--measure-seconds", type=float, default=60, help="each window")
    group.add_argument("--warmup-seconds", type=float, default=5, help="before each window")
    group.add_argument("--login-timeout", type=float, default=240, help="for every user to log in")
    group.add_argument("--results", default="locust-results.json", help="JSON written at the end")
    group.add_argument(
        "--login-concurrency",
        type=int,
        default=2,
        help="logins in flight at once (each hashes her password for ~0.5 s of CPU)",
    )
    group.add_argument("--first-user", type=int, default=0, help="index of the first account")
    group.add_argument("--email-pattern", default=EMAIL_PATTERN)
    group.add_argument("--password", default=PASSWORD)
    group.add_argument(
        "--mood-changes",
        choices=["random", "stable"],
        default="random",
        help="random: every POST draws her level (most change her data, so most retrainings "
        "train); stable: she re-logs the level she chose at start",
    )
    group.add_argument(
        "--closed-loop-targets",
        default="me,current",
        help=f"ClosedLoopUser windows, in order, from {sorted(CLOSED_LOOP_TARGETS)}",
    )


# --- State shared by the users of this locust process -----------------------------------

_account_numbers = itertools.count()
_logins = {"ok": 0, "failed": 0}
_login_slots: BoundedSemaphore | None = None  # made at test start, from --login-concurrency
_target: tuple[str, str] | None = None  # ClosedLoopUser: (name, path) of the current window


class Recorder:
    """Raw latencies of the current window and every failure of the run."""

    def __init__(self):
        self.samples: dict[str, list[float]] = {}
        self.failures: dict[str, int] = {}
        self.recording = False
        self.failure_count = 0
        self.failure_examples: list[dict] = []

    def start_window(self):
        self.samples, self.failures, self.recording = {}, {}, True

    def stop_window(self):
        self.recording = False

    def on_request(self, request_type, name, response_time, exception=None, **_):
        if exception is not None:
            self.failure_count += 1
            if len(self.failure_examples) < MAX_FAILURES_KEPT:
                self.failure_examples.append(
                    {"at": time.time(), "request": name, "error": str(exception)[:300]}
                )
        if not self.recording:
            return
        samples = self.samples.setdefault(name, [])
        if len(samples) < MAX_SAMPLES:
            samples.append(response_time)
        if exception is not None:
            self.failures[name] = self.failures.get(name, 0) + 1

    def window_summary(self, seconds: float) -> dict:
        endpoints = {}
        for name, values in sorted(self.samples.items()):
            endpoints[name] = summarize(values, self.failures.get(name, 0), seconds)
        everything = [value for values in self.samples.values() for value in values]
        total = summarize(everything, sum(self.failures.values()), seconds)
        return {"endpoints": endpoints, "total": total}


def summarize(values: list[float], failures: int, seconds: float) -> dict:
    if not values:
        return {"requests": 0, "failures": failures, "rps": 0.0}
    if len(values) >= 2:
        cuts = statistics.quantiles(values, n=100, method="inclusive")
    else:
        cuts = values * 99
    return {
        "requests": len(values),
        "failures": failures,
        "rps": len(values) / seconds,
        "mean": statistics.fmean(values),
        "p50": statistics.median(values),
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(values),
    }


recorder = Recorder()
events.request.add_listener(recorder.on_request)


# --- Users ------------------------------------------------------------------------------


class PlanHerUser(FastHttpUser):
    """One seeded account, logged in once at start (then refreshed if the run is long)."""

    abstract = True
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self):
        options = self.environment.parsed_options
        number = options.first_user + next(_account_numbers)
        self.email = options.email_pattern.format(number)
        with (
            _login_slots,
            self.client.post(
                f"{API}/auth/login",
                json={"email": self.email, "password": options.password},
                name="POST /auth/login",
                catch_response=True,
            ) as response,
        ):
            tokens = json_body(response) if response.status_code == 200 else None
            if not tokens:
                response.failure(f"login of {self.email}: {response.status_code}")
        if not tokens:
            _logins["failed"] += 1
            raise StopUser()
        self.access, self.refresh = tokens["access"], tokens["refresh"]
        self.token_at = time.monotonic()
        _logins["ok"] += 1

    @property
    def auth(self) -> dict:
        if time.monotonic() - self.token_at > REFRESH_AFTER_SECONDS:
            with self.client.post(
                f"{API}/auth/refresh",
                json={"refresh": self.refresh},
                name="POST /auth/refresh",
                catch_response=True,
            ) as response:
                tokens = json_body(response) if response.status_code == 200 else None
                if tokens:
                    self.access, self.refresh = tokens["access"], tokens["refresh"]
                    self.token_at = time.monotonic()
                else:
                    response.failure(f"refresh: {response.status_code}")
        return {"Authorization": f"Bearer {self.access}"}

    def get_checked(self, path: str, name: str, check) -> None:
        """GET; a failure unless 200 and ``check(body)`` says what is wrong (or None)."""
        with self.client.get(path, headers=self.auth, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            body = json_body(response)
            problem = "not a JSON object" if body is None else check(body)
            if problem:
                response.failure(problem)


def json_body(response) -> dict | None:
    """The response's JSON object, or None (a failure, not a crash of the user)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def local_today() -> str:
    """Her "today": seeded accounts keep the default time zone, UTC."""
    return datetime.now(UTC).date().isoformat()


class Session(SequentialTaskSet):
    """The loop of a session, one request a second."""

    def on_start(self):
        self.level = random.choice([0, 1, 2])  # what she feels today ("stable")
        self.next_request_at = time.perf_counter() + random.random()

    def wait_time(self) -> float:
        """One request a second, each session at its own random phase of the second.

        Not locust's ``constant_pacing``: that anchors each session's phase at the
        instant its login ends, and at a slow spawn rate the logins that end
        behind a burst of requests join it a second later; the sessions then
        gather into one burst a second (p50 grew with the number of users, to
        ~120 ms at 100 users with every request of the burst queueing behind
        the others) although the server was mostly idle. Real sessions start at
        any instant. A request that overran its second is followed at once.
        """
        now = time.perf_counter()
        wait = max(0.0, self.next_request_at - now)
        self.next_request_at = max(self.next_request_at, now) + 1.0
        return wait

    @task
    def current(self):
        self.user.get_checked(
            f"{API}/predictions/current",
            "GET /predictions/current",
            lambda body: None if body.get("energy") else f"no energy: {str(body)[:200]}",
        )

    @task
    def log_energy(self):
        if self.user.environment.parsed_options.mood_changes == "random":
            self.level = random.choice([0, 1, 2])
        today = local_today()
        with self.client.post(
            f"{API}/moods/",
            json={"date": today, "energy_level": self.level, "notes": ""},
            headers=self.user.auth,
            name="POST /moods/",
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {response.text[:200]}")
            elif (json_body(response) or {}).get("date") != today:
                response.failure(f"upserted another date: {response.text[:200]}")

    @task
    def moods(self):
        self.user.get_checked(
            f"{API}/moods/?page_size=30",
            "GET /moods/?page_size=30",
            lambda body: None if body.get("results") else "no moods listed",
        )

    @task
    def forecast(self):
        self.user.get_checked(
            f"{API}/predictions/forecast?days=28",
            "GET /predictions/forecast?days=28",
            lambda body: None if len(body.get("days", [])) == 28 else "not 28 days",
        )


class ScenarioUser(PlanHerUser):
    tasks = [Session]


class ClosedLoopUser(PlanHerUser):
    wait_time = constant(0)

    @task
    def hit(self):
        if _target is None:  # the others are still logging in
            gevent.sleep(0.1)
            return
        name, path = _target
        self.get_checked(path, name, lambda body: None)


# --- The controller ---------------------------------------------------------------------


@events.test_start.add_listener
def _start_controller(environment, **_):
    global _login_slots
    _login_slots = BoundedSemaphore(environment.parsed_options.login_concurrency)
    gevent.spawn(controller, environment)


def controller(environment) -> None:
    """Ramp, then each measured window; write the results and quit locust."""
    global _target
    options = environment.parsed_options
    runner = environment.runner
    closed_loop = [c.__name__ for c in environment.user_classes] == ["ClosedLoopUser"]
    results = {
        "user_class": environment.user_classes[0].__name__,
        "users": options.num_users,
        "spawn_rate": options.spawn_rate,
        "mood_changes": options.mood_changes,
        "windows": [],
    }
    started = time.time()
    try:
        deadline = time.monotonic() + options.login_timeout
        while _logins["ok"] + _logins["failed"] < options.num_users:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {_logins} of {options.num_users} logins in time")
            gevent.sleep(0.2)
        login = environment.stats.get("POST /auth/login", "POST")
        results["ramp"] = {
            "start": started,
            "end": time.time(),
            "seconds": time.time() - started,
            "logins": dict(_logins),
            "login": {
                "requests": login.num_requests,
                "failures": login.num_failures,
                "p50": login.get_response_time_percentile(0.5),
                "p95": login.get_response_time_percentile(0.95),
                "max": login.max_response_time,
            },
        }
        if _logins["failed"]:
            raise RuntimeError(f"{_logins['failed']} login(s) failed")

        if closed_loop:
            windows = [CLOSED_LOOP_TARGETS[key] for key in options.closed_loop_targets.split(",")]
        else:
            windows = [("scenario", None)]
        for name, path in windows:
            if path is not None:
                _target = (name, path)
            gevent.sleep(options.warmup_seconds)
            environment.stats.reset_all()
            recorder.start_window()
            begin = time.time()
            gevent.sleep(options.measure_seconds)
            end = time.time()
            recorder.stop_window()
            results["windows"].append(
                {"name": name, "start": begin, "end": end, **recorder.window_summary(end - begin)}
            )
    except Exception as error:  # reported by run.py, which fails the run
        results["error"] = f"{type(error).__name__}: {error}"
    finally:
        results["failures"] = {
            "count": recorder.failure_count,
            "examples": recorder.failure_examples,
            # Exceptions raised in users' code (not requests): also errors of the run.
            "exceptions": sum(e["count"] for e in runner.exceptions.values()),
        }
        with open(options.results, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
        runner.quit()
