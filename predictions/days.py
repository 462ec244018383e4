"""Her days, one entry each: what /forecast and /calendar both answer.

``forecast_days`` is the one place that places days in her cycle (as known on her
today) and finds the energy served for them; /forecast and /calendar are two
shapes of its result, so they cannot disagree. ``calendar_body`` adds what she
logged on each day, in a fixed number of queries whatever the range.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from cycles import engine
from cycles import services as cycle_services
from moods.models import DailyMood
from signs.models import Sign

from . import records, serving

# The longest /calendar range, in days (a year, leap or not).
MAX_CALENDAR_DAYS = 366


@dataclass(frozen=True)
class ForecastDay:
    date: date
    position: engine.DayPosition | None  # None before her first logged period
    energy: dict | None  # as /current's `energy`; None where nothing is predicted


def forecast_days(
    *,
    user,
    data: cycle_services.CycleData,
    today: date,
    days: list[date],
    energy_from: date | None = None,
) -> list[ForecastDay]:
    """Each of ``days`` placed in her cycle as known on ``today`` (the engine is
    called exactly as for /current), with the energy served for it: a day with a
    recorded prediction serves the record, her today records what is served now.
    Days before ``energy_from`` get no energy, and cost no prediction."""
    positions = data.positions(days, on=today)
    predicted = [day for day in days if energy_from is None or day >= energy_from]
    energies: dict[date, dict | None] = {}
    if predicted:
        predictor = serving.EnergyPredictor.for_user(user=user, data=data)
        predictions = predictor.predict([positions[day] for day in predicted])
        served = records.energies_served(user=user, days=predicted, predictions=predictions)
        energies = dict(zip(predicted, served, strict=True))
    return [ForecastDay(day, positions[day], energies.get(day)) for day in days]


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def period_of(position: engine.DayPosition | None) -> str | None:
    if position is None or not position.is_period:
        return None
    return "predicted" if position.is_predicted_period else "logged"


def sign_as_dict(sign: Sign) -> dict:
    return {
        "bbt_celsius": sign.bbt_celsius,
        "lh_test": sign.lh_test,
        "cervical_mucus": sign.cervical_mucus,
        "notes": str(sign.notes),
    }


def calendar_body(*, user, today: date, start: date, end: date, no_period_detail: str) -> dict:
    """GET /calendar: every day from ``start`` to ``end``, past and future.

    Queries, whatever the range: her profile and periods, her model row (plus her
    logs when the fallback serves), her records for the predicted days up to today
    (and today's record, written once), her energy logs and her signs in the range.
    """
    days = date_range(start, end)
    data = cycle_services.cycle_data_load(user=user)
    entries = forecast_days(user=user, data=data, today=today, days=days, energy_from=today)
    moods = {
        mood.date: {"level": mood.energy_level, "notes": str(mood.notes)}
        for mood in DailyMood.objects.for_user(user).filter(date__gte=start, date__lte=end)
    }
    signs = {
        sign.date: sign_as_dict(sign)
        for sign in Sign.objects.for_user(user).filter(date__gte=start, date__lte=end)
    }
    return {
        "start": start,
        "end": end,
        "detail": None if data.periods else no_period_detail,
        "days": [
            {
                "date": entry.date,
                "day_of_cycle": entry.position.day_of_cycle if entry.position else None,
                "phase": entry.position.phase if entry.position else None,
                "period": period_of(entry.position),
                "is_fertile": bool(entry.position and entry.position.is_fertile),
                "is_ovulation": bool(entry.position and entry.position.is_ovulation),
                "energy_logged": moods.get(entry.date),
                "energy_predicted": entry.energy,
                "signs": signs.get(entry.date),
            }
            for entry in entries
        ],
    }
