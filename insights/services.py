"""What her logs add up to: energy by phase, her cycles, streaks, how right the
predictions were, and the alerts her periods raise.

Reads her rows once (profile, periods, energy logs, two prediction tables: a
fixed number of queries) and hands them to the shared functions: positions come
from the cycle engine as ``/predictions/current`` gives them, the alert rules from
the pure ``cycles.engine.alerts``. Nothing is stored: every figure derives from
the rows as they are.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from core.vocabulary import ENERGY_LABELS, PHASES
from cycles import services as cycle_services
from cycles.engine import alerts as cycle_alert_rules
from cycles.engine.periods import known_periods, logged_length
from cycles.models import Profile
from moods.models import DailyMood
from predictions import records

# Energy by phase reads her latest logs only, as training does: bounded work
# whatever her history, and what her cycle does now.
ENERGY_WINDOW_DAYS = 730


@dataclass(frozen=True)
class HerLogs:
    """Her rows, read once, for the insights and the report."""

    today: date
    data: cycle_services.CycleData
    profile: Profile | None
    moods: list[tuple[date, int]]  # (date, energy level), oldest first


def her_logs_load(*, user, today: date) -> HerLogs:
    """Four queries: profile, periods, signs, energy logs."""
    profile = Profile.objects.filter(user=user).first()
    data = cycle_services.cycle_data_load(user=user, profile=profile).until(today)
    moods = list(
        DailyMood.objects.for_user(user)
        .filter(date__lte=today)
        .order_by("date")
        .values_list("date", "energy_level")
    )
    return HerLogs(today=today, data=data, profile=profile, moods=moods)


def energy_by_phase(*, user, logs: HerLogs) -> dict:
    """``{phase: {n, low, medium, high}}`` over her logs of the last
    ``ENERGY_WINDOW_DAYS``, each placed where the engine puts it today."""
    counts = {phase: {"n": 0, "low": 0, "medium": 0, "high": 0} for phase in PHASES}
    first = logs.today - timedelta(days=ENERGY_WINDOW_DAYS - 1)
    recent = [(day, level) for day, level in logs.moods if day >= first]
    if not recent or not logs.data.periods:
        return counts
    positions = logs.data.positions([day for day, _ in recent], on=logs.today)
    for day, level in recent:
        where = positions.get(day)
        if where is None:  # before her first logged period: no phase
            continue
        counts[where.phase]["n"] += 1
        counts[where.phase][ENERGY_LABELS[level]] += 1
    return counts


def her_cycles(logs: HerLogs) -> list[dict]:
    """Every logged period, oldest first: its cycle's length (until the next logged
    start; null for the cycle she is in) and the period's length (null while open)."""
    known = known_periods(logs.data.periods, logs.today)
    cycles = []
    for index, period in enumerate(known):
        following = known[index + 1] if index + 1 < len(known) else None
        cycles.append(
            {
                "start_date": period.start,
                "length": (following.start - period.start).days if following else None,
                "period_length": logged_length(period),
            }
        )
    return cycles


def logging_streak(logs: HerLogs) -> dict:
    """Days in a row with her energy logged: the run that ends today (or yesterday,
    while today is still open to log) and the longest run."""
    longest = run = 0
    previous = None
    for day, _ in logs.moods:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    alive = previous is not None and (logs.today - previous).days <= 1
    return {"current": run if alive else 0, "longest": longest}


def _spotting_since(profile: Profile | None) -> date | None:
    # PlanHer keeps no date for the flag itself; her profile's creation is stable,
    # so the alert keeps one identity while the flag stays on.
    return profile.created_at.date() if profile is not None else None


def alerts_from(logs: HerLogs) -> list[cycle_alert_rules.Alert]:
    return cycle_alert_rules.cycle_alerts(
        logs.data.periods,
        on=logs.today,
        unusual_bleeding=bool(logs.profile and logs.profile.unusual_bleeding),
        spotting_since=_spotting_since(logs.profile),
    )


def alerts_for(*, user, today: date) -> list[cycle_alert_rules.Alert]:
    """The alerts her data raises on ``today`` (three queries). ``code`` + ``since``
    identify an alert while it lasts: send each one once."""
    profile = Profile.objects.filter(user=user).first()
    data = cycle_services.cycle_data_load(user=user, profile=profile).until(today)
    return alerts_from(HerLogs(today=today, data=data, profile=profile, moods=[]))


def alert_as_dict(alert: cycle_alert_rules.Alert) -> dict:
    return {"code": alert.code, "title": alert.title, "detail": alert.detail, "since": alert.since}


def insights_build(*, user, today: date, logs: HerLogs | None = None) -> dict:
    """The body of ``GET /insights``."""
    logs = logs or her_logs_load(user=user, today=today)
    cycles = her_cycles(logs)
    starts = [cycle["start_date"] for cycle in cycles]
    return {
        "energy_by_phase": energy_by_phase(user=user, logs=logs),
        "cycles": cycles,
        "logging_streak": logging_streak(logs),
        "prediction_accuracy": {
            "energy": records.prediction_history_summary(user=user),
            "next_period": records.next_period_accuracy(user=user, starts=starts),
        },
        "alerts": [alert_as_dict(alert) for alert in alerts_from(logs)],
    }
