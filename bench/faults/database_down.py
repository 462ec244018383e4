"""With the database down the API answers 503, and recovers by itself when it returns.

    .venv/bin/python bench/faults/database_down.py

Needs PostgreSQL on 127.0.0.1:5432 (user postgres). A throwaway database
serves gunicorn (2 workers, persistent connections with health checks, as in
production). The outage: ``ALTER DATABASE ... ALLOW_CONNECTIONS false`` and
``pg_terminate_backend`` of every session, so open connections die and new
ones are refused. Checks:

1. before: health 200, her requests 200;
2. during: health answers 503 (``database: down``); every API request, read
   or write, authenticated or not, answers 503 with Retry-After, never 500;
   no write lands;
3. after ``ALLOW_CONNECTIONS true``: health and every request answer 200
   again within 15 s, from the same gunicorn workers (no restart).

Exits non-zero when a check fails; drops its database whatever happens.
"""

import json
import time
from datetime import timedelta

import common

RECOVERY_SECONDS = 15


def main() -> int:
    parser = common.arguments(__doc__, postgres_only=True)
    args = parser.parse_args()
    checks = common.Checks("database down and back")
    return common.main_guard(lambda c: run(c), checks, args.json)


def run(checks: common.Checks) -> None:
    if not checks.check("PostgreSQL answers at 127.0.0.1:5432", common.postgres_reachable()):
        return
    with common.workdir() as folder, common.throwaway_database("postgres", folder) as url:
        name = url.rsplit("/", 1)[-1]
        env = common.harness.server_environment(url, folder, DATABASE_CONN_MAX_AGE="60")
        common.harness.setup_django(env)
        user = common.harness.make_user("outage@faults.test", days=60, seed=3, train=False)
        token = common.access_token(user)
        day = (user.local_today() - timedelta(days=1)).isoformat()
        from django.db import connection

        connection.close()  # this process holds no session during the outage
        requests = probes(token, day)
        with common.Gunicorn(env, folder, workers=2) as server:
            workers_before = server.worker_pids()
            before = answers(server.port, requests, "before the outage")
            checks.check(
                "before the outage every request answers",
                all(status in (200, 201, 401) for status, _ in before.values()),
                summary(before),
            )
            try:
                take_down(name)
                health = common.call(server.port, "GET", "/api/v1/health")
                during = answers(server.port, requests, "during the outage")
            finally:
                bring_back(name)
            checks.check(
                "during the outage health answers 503 with database down",
                health[0] == 503 and json.loads(health[1])["database"] == "down",
                f"{health[0]} {health[1][:200]!r}",
            )
            checks.check(
                "during the outage every API request answers 503, never 500",
                all(status == 503 for status, _ in during.values()),
                summary(during),
            )
            checks.check(
                "the 503 says when to retry",
                all(retry_after for _, retry_after in during.values()),
                summary(during),
            )
            recovered, after, waited = recover(server.port, requests)
            checks.check(
                f"after the outage every request answers again within {RECOVERY_SECONDS} s",
                recovered,
                f"after {waited:.1f} s: {summary(after)}",
            )
            checks.check(
                "the same gunicorn workers recovered (no restart)",
                server.worker_pids() == workers_before,
                f"{workers_before} -> {server.worker_pids()}",
            )
        from moods.models import DailyMood

        notes = set(DailyMood.objects.filter(user=user).values_list("notes", flat=True))
        checks.check(
            "no write of the outage landed, and the one after it did",
            "during the outage" not in notes and "after the outage" in notes,
            str(sorted(n for n in notes if "outage" in n)),
        )
        connection.close()


def probes(token, day):
    """Name -> (method, path, body, token)."""
    return {
        "GET /auth/me": ("GET", "/api/v1/auth/me", None, token),
        "GET /periods/": ("GET", "/api/v1/periods/", None, token),
        "GET /predictions/current": ("GET", "/api/v1/predictions/current", None, token),
        "POST /moods/": (
            "POST",
            "/api/v1/moods/",
            {"date": day, "energy_level": 2},
            token,
        ),
        "POST /auth/login": (
            "POST",
            "/api/v1/auth/login",
            {"email": "outage@faults.test", "password": "wrong-password"},
            None,
        ),
    }


def answers(port, requests, phase: str) -> dict:
    """Status and Retry-After of each request; a mood posted now carries ``phase``."""
    import http.client

    seen = {}
    for name, (method, path, body, token) in requests.items():
        if name == "POST /moods/":
            body = {**body, "notes": phase}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request(method, path, json.dumps(body) if body else None, headers)
            response = connection.getresponse()
            response.read()
            seen[name] = (response.status, response.getheader("Retry-After"))
        except (OSError, http.client.HTTPException) as error:
            seen[name] = (None, str(error))
        finally:
            connection.close()
    return seen


def summary(seen: dict) -> str:
    return ", ".join(f"{name} {status}" for name, (status, _) in seen.items())


def take_down(name: str) -> None:
    with common.postgres_admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


def bring_back(name: str) -> None:
    with common.postgres_admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def recover(port, requests):
    healthy = dict.fromkeys(requests, (200,))
    healthy["POST /auth/login"] = (401,)  # wrong password, on purpose
    healthy["POST /moods/"] = (200, 201)
    started = time.monotonic()
    seen = {}
    while time.monotonic() - started < RECOVERY_SECONDS:
        health = common.call(port, "GET", "/api/v1/health")[0]
        reads = {k: v for k, v in requests.items() if k != "POST /moods/"}
        seen = answers(port, reads, "after the outage")
        if health == 200 and all(seen[k][0] in healthy[k] for k in seen):
            write = answers(port, {"POST /moods/": requests["POST /moods/"]}, "after the outage")
            seen.update(write)
            return (
                write["POST /moods/"][0] in healthy["POST /moods/"],
                seen,
                (time.monotonic() - started),
            )
        time.sleep(0.25)
    return False, seen, time.monotonic() - started


if __name__ == "__main__":
    raise SystemExit(main())
