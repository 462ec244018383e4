"""A gunicorn worker killed in the middle of a request leaves no partial rows.

    .venv/bin/python bench/faults/gunicorn_kill.py [--database sqlite|postgres] [--rounds 12]

Each round fires writes at one sync worker at once: a mood upsert and a period
(both queueing a retraining of her model on the server's background thread,
as without a broker),
a profile update, and the deletion of an account with months of data and a
trained model file (a cascade over hundreds of rows in one transaction). After
a random 0-300 ms the worker gets SIGKILL; gunicorn forks a new one. (A round
takes ~0.4 s on a fast machine: a later kill finds it over, and the check
that kills landed mid-request fails.) Every fourth round the kill waits until
its four requests have answered, so that some deletions complete whatever the
machine's speed (the deletion, checking her password at full strength, is the
slowest, and the random kill can cut every one of them). At the end the
database must hold only whole writes:

- every mood she posted is as it was before or exactly what she sent (and what
  she was told was saved is saved), and no other mood changed;
- her periods never overlap, their starts are unique, each lasts 1-15 days;
- each account whose deletion was cut short is either all there (every row it
  had) or all gone (no row anywhere names it);
- every energy model row points at a file that exists and verifies (HMAC,
  format, scikit-learn version) and loads;
- SQLite's integrity check passes; the API still answers.

Exits non-zero when a check fails. Loopback only; bounded in rounds and time.
"""

import collections
import itertools
import random
import threading
import time
from datetime import timedelta

import common

DEADLINE_SECONDS = 150


def main() -> int:
    parser = common.arguments(__doc__)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    checks = common.Checks("gunicorn worker killed mid-request")
    return common.main_guard(lambda c: run(c, args), checks, args.json)


def run(checks: common.Checks, args) -> None:
    rng = random.Random(args.seed)
    started = time.monotonic()
    with common.workdir() as folder, common.throwaway_database(args.database, folder) as url:
        env = common.harness.server_environment(url, folder)
        common.harness.setup_django(env)
        people = prepare(args.rounds)
        checks.fact("setup seconds", round(time.monotonic() - started, 1))
        with common.Gunicorn(env, folder, workers=1) as server:
            outcomes = hammer(server, people, args.rounds, rng, checks)
        verify(checks, people, outcomes, args.database)
    checks.fact("total seconds", round(time.monotonic() - started, 1))


# --- Setup -----------------------------------------------------------------------------


def prepare(rounds: int) -> dict:
    from django.contrib.auth import get_user_model

    from moods.models import DailyMood

    writer = common.harness.make_user("writer@faults.test", days=120, seed=1, train=True)
    victims = [
        common.harness.make_user(f"victim{n}@faults.test", days=60, seed=10 + n, train=True)
        for n in range(rounds)
    ]
    today = writer.local_today()
    return {
        "writer": writer,
        "token": common.access_token(writer),
        "today": today,
        "moods_before": {
            mood.date: (mood.energy_level, mood.notes)
            for mood in DailyMood.objects.filter(user=writer)
        },
        "victims": [
            {"user": victim, "token": common.access_token(victim), "rows": owned_rows(victim.pk)}
            for victim in victims
        ],
        "User": get_user_model(),
    }


def owned_rows(user_id: int) -> dict:
    """How many rows of each kind name this user."""
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    from cycles.models import Period, Profile
    from moods.models import DailyMood
    from predictions.models import EnergyModel, PredictionRecord

    return {
        "user": get_user_model().objects.filter(pk=user_id).count(),
        "profile": Profile.objects.filter(user_id=user_id).count(),
        "periods": Period.objects.filter(user_id=user_id).count(),
        "moods": DailyMood.objects.filter(user_id=user_id).count(),
        "records": PredictionRecord.objects.filter(user_id=user_id).count(),
        "model": EnergyModel.objects.filter(user_id=user_id).count(),
        "tokens": OutstandingToken.objects.filter(user_id=user_id).count(),
    }


# --- The rounds ----------------------------------------------------------------------------


def round_requests(people, n, rng):
    """The writes of round ``n``: (label, method, path, body, token)."""
    today, token = people["today"], people["token"]
    mood_day = today - timedelta(days=1 + n)  # mostly an upsert over her log of that day
    level = n % 3
    period_start = today - timedelta(days=300 + rng.randrange(0, 40))  # often overlapping
    return [
        (
            "mood",
            "POST",
            "/api/v1/moods/",
            {"date": mood_day.isoformat(), "energy_level": level, "notes": f"round-{n}-{level}"},
            token,
        ),
        (
            "period",
            "POST",
            "/api/v1/periods/",
            {
                "start_date": period_start.isoformat(),
                "end_date": (period_start + timedelta(days=rng.randrange(0, 7))).isoformat(),
            },
            token,
        ),
        ("profile", "PATCH", "/api/v1/profiles/me", {"weight_kg": 55 + n}, token),
        (
            "delete account",
            "DELETE",
            "/api/v1/auth/me",
            {"password": common.harness.PASSWORD},
            people["victims"][n]["token"],
        ),
    ]


def hammer(server, people, rounds, rng, checks) -> list:
    outcomes = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    for n in range(rounds):
        if time.monotonic() > deadline:
            break
        requests = round_requests(people, n, rng)
        results = [None] * len(requests)

        def send(index, request, results=results):
            label, method, path, body, token = request
            results[index] = (label, body, *common.call(server.port, method, path, body, token))

        threads = [threading.Thread(target=send, args=pair) for pair in enumerate(requests)]
        for thread in threads:
            thread.start()
        if n % 4 == 3:  # killed between requests: its deletion completes
            for thread in threads:
                thread.join(timeout=30)
        else:
            time.sleep(rng.uniform(0.0, 0.3))
        killed = server.worker_pids()
        for pid in killed:
            common.kill(pid)
        for thread in threads:
            thread.join(timeout=60)
        server.wait_for_workers()
        outcomes.append({"round": n, "killed": killed, "results": results})
    cut = sum(1 for o in outcomes for r in o["results"] if r and r[2] is None)
    answered = [r[2] for o in outcomes for r in o["results"] if r and r[2] is not None]
    checks.fact("rounds", len(outcomes))
    checks.fact("requests cut by the kill", cut)
    checks.check(
        "the kills landed in the middle of requests",
        cut >= max(2, len(outcomes) // 2),
        f"{cut} of {4 * len(outcomes)} requests lost their connection",
    )
    checks.check(
        "no answer was a 500",
        all(status < 500 for status in answered),
        str(dict(sorted(collections.Counter(answered).items()))),
    )
    after = [
        common.call(server.port, "GET", path, token=people["token"])[0]
        for path in ("/api/v1/moods/", "/api/v1/periods/", "/api/v1/predictions/current")
    ]
    checks.check("the API still answers her afterwards", after == [200, 200, 200], str(after))
    return outcomes


# --- The invariants ---------------------------------------------------------------------------


def verify(checks, people, outcomes, database) -> None:
    from django.db import connection

    from cycles.models import MAX_PERIOD_DAYS, Period
    from moods.models import DailyMood

    writer = people["writer"]
    posted = {}
    for outcome in outcomes:
        for label, body, status, _ in filter(None, outcome["results"]):
            if label == "mood":
                posted[body["date"]] = (body["energy_level"], body["notes"], status)

    moods = {m.date.isoformat(): m for m in DailyMood.objects.filter(user=writer)}
    before = {day.isoformat(): value for day, value in people["moods_before"].items()}
    wrong, landed = [], 0
    for day, (level, notes, status) in posted.items():
        row = moods.get(day)
        now = None if row is None else (row.energy_level, row.notes)
        landed += now == (level, notes)
        if now not in {(level, notes), before.get(day)}:
            wrong.append(f"{day}: {now} is neither {(level, notes)} nor {before.get(day)}")
        if status in (200, 201) and now != (level, notes):
            wrong.append(f"{day}: answered {status} but holds {now}")
    for day, value in before.items():
        if day not in posted and (
            day not in moods or (moods[day].energy_level, moods[day].notes) != value
        ):
            wrong.append(f"{day}: a mood nobody posted changed")
    stray = set(moods) - set(posted) - set(before)
    wrong += [f"{day}: a mood nobody posted" for day in sorted(stray)]
    incomplete = sum(
        1 for m in moods.values() if m.energy_level not in (0, 1, 2) or m.notes is None
    )
    checks.fact("moods posted / saved", f"{len(posted)} / {landed}")
    checks.check(
        "every mood row is whole: as before, or exactly what was sent",
        not wrong and not incomplete,
        "; ".join(wrong[:5]),
    )

    problems = []
    for user_id in Period.objects.values_list("user_id", flat=True).distinct():
        periods = list(Period.objects.filter(user_id=user_id).order_by("start_date"))
        starts = [p.start_date for p in periods]
        if len(starts) != len(set(starts)):
            problems.append(f"user {user_id}: duplicate start")
        for period in periods:
            if period.end_date and not (
                0 <= (period.end_date - period.start_date).days < MAX_PERIOD_DAYS
            ):
                problems.append(f"user {user_id}: period {period.start_date} of bad length")
        for earlier, later in itertools.pairwise(periods):
            last = earlier.end_date or earlier.start_date + timedelta(days=MAX_PERIOD_DAYS - 1)
            if later.start_date <= last:
                problems.append(f"user {user_id}: {earlier.start_date} overlaps {later.start_date}")
    checks.check(
        "periods never overlap and their starts are unique", not problems, "; ".join(problems[:5])
    )

    halves, gone = [], 0
    for victim in people["victims"]:
        now_rows = owned_rows(victim["user"].pk)
        if now_rows["user"] == 0:
            gone += 1
            leftovers = {kind: count for kind, count in now_rows.items() if count}
            if leftovers:
                halves.append(f"{victim['user'].email} deleted but left {leftovers}")
        elif now_rows != victim["rows"]:
            halves.append(f"{victim['user'].email} half deleted: {victim['rows']} -> {now_rows}")
    checks.fact("accounts deleted / kept", f"{gone} / {len(people['victims']) - gone}")
    cut = [
        r[1]
        for o in outcomes
        for r in filter(None, o["results"])
        if r[0] == "delete account" and r[2] is None
    ]
    cut_kept = sum(
        owned_rows(victim["user"].pk)["user"]
        for victim, outcome in zip(people["victims"], outcomes, strict=False)
        if outcome["results"][3] and outcome["results"][3][2] is None
    )
    checks.fact(
        "deletions cut by the kill: rolled back / committed", f"{cut_kept} / {len(cut) - cut_kept}"
    )
    checks.check(
        "every account is all there or all gone", not halves and gone > 0, "; ".join(halves[:3])
    )

    check_model_files(checks)

    if database == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            verdict = cursor.fetchone()[0]
        checks.check("SQLite's integrity check passes", verdict == "ok", verdict)


def check_model_files(checks) -> None:
    from django.conf import settings

    from predictions import lifecycle
    from predictions.models import EnergyModel

    lifecycle.estimators.clear()
    bad = []
    rows = list(EnergyModel.objects.exclude(file=""))
    for row in rows:
        try:
            lifecycle.open_model(row)
        except lifecycle.ModelFileError as error:
            bad.append(f"user {row.user_id} v{row.version}: {error}")
    referenced = {row.file.name for row in EnergyModel.objects.exclude(file="")}
    on_disk = {
        str(path.relative_to(settings.MEDIA_ROOT)) for path in settings.MEDIA_ROOT.rglob("*.joblib")
    }
    checks.fact("model rows with a file", len(rows))
    checks.fact("unreferenced model files left on disk", len(on_disk - referenced))
    checks.check(
        "every model row points at a file that exists, verifies and loads",
        not bad and rows,
        "; ".join(bad[:3]),
    )


if __name__ == "__main__":
    raise SystemExit(main())
