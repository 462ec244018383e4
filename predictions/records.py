"""What she was told: the energy served on each day and the next period served in
each cycle, recorded once, and how often they matched what she then logged."""

import bisect
from datetime import date

from django.db.models import Count, F, OuterRef, Q, Subquery

from core.vocabulary import ENERGY_LABELS
from moods.models import DailyMood

from .models import NextPeriodPrediction, PredictionRecord


def prediction_record_for(*, user, day: date, make) -> tuple[dict, bool]:
    """The energy served for ``day``: the recorded one if any, else ``make()``.

    A prediction is recorded on its own day only (her today, before she logs it):
    never ahead (a later model may serve that day) nor afterwards (it would not
    be out of sample), so the history says what she was told on the day. The
    first one served wins: a record is never rewritten.
    """
    record = PredictionRecord.objects.filter(user=user, date=day).first()
    if record is not None:
        return record_as_energy(record), True
    prediction = make()
    if prediction is None:
        return None, False
    return prediction_record_today(user=user, day=day, prediction=prediction)


def prediction_record_today(*, user, day: date, prediction) -> tuple[dict, bool]:
    """Record ``prediction`` if ``day`` is her today and she has not logged it yet;
    the energy to serve (the record that won, if one already existed)."""
    if day == user.local_today() and not DailyMood.objects.filter(user=user, date=day).exists():
        record, _ = PredictionRecord.objects.get_or_create(
            user=user,
            date=day,
            defaults={
                "predicted_level": prediction.level,
                "probabilities": prediction.as_dict()["probabilities"],
                "source": prediction.source,
                "model_version": prediction.model_version,
            },
        )
        return record_as_energy(record), True
    return prediction.as_dict(), False


def energies_served(*, user, days: list[date], predictions) -> list[dict | None]:
    """The energy served for each of ``days`` (a forecast): a day with a record
    serves it; her today, without one, records the prediction served now, so
    /current and /forecast give one answer for today whichever comes first."""
    today = user.local_today()
    past = [day for day in days if day <= today]
    records = {}
    if past:
        records = {
            record.date: record
            for record in PredictionRecord.objects.filter(
                user=user, date__gte=min(past), date__lte=max(past)
            )
        }
    served = []
    for day, prediction in zip(days, predictions, strict=True):
        if day in records:
            served.append(record_as_energy(records[day]))
        elif prediction is None:
            served.append(None)
        elif day == today:
            served.append(prediction_record_today(user=user, day=day, prediction=prediction)[0])
        else:
            served.append(prediction.as_dict())
    return served


def record_as_energy(record: PredictionRecord) -> dict:
    return {
        "level": record.predicted_level,
        "label": ENERGY_LABELS[record.predicted_level],
        "probabilities": record.probabilities,
        "confidence": round(max(record.probabilities.values()), 3),
        "source": record.source,
        "model_version": record.model_version,
    }


def prediction_history_summary(*, user) -> dict:
    """How often the recorded predictions matched what she then logged."""
    actual = DailyMood.objects.filter(user=OuterRef("user"), date=OuterRef("date")).values(
        "energy_level"
    )[:1]
    evaluated = (
        PredictionRecord.objects.for_user(user)
        .annotate(actual_level=Subquery(actual))
        .filter(actual_level__isnull=False)
        .aggregate(
            evaluated=Count("pk"),
            correct=Count("pk", filter=Q(actual_level=F("predicted_level"))),
        )
    )
    count = evaluated["evaluated"]
    return {
        "evaluated": count,
        "accuracy": round(evaluated["correct"] / count, 3) if count else None,
    }


def next_period_record(*, user, day: date, cycle_start: date, next_period) -> None:
    """Record the next period served on ``day``, her today (the caller serves
    today's answer), for the cycle that started on ``cycle_start``, if none is
    recorded for that cycle: the first one served in a cycle wins, never
    rewritten (what she was told)."""
    # One INSERT that does nothing once the cycle has its record (not
    # get_or_create: a SELECT, a savepoint and an INSERT on every cache miss).
    NextPeriodPrediction.objects.bulk_create(
        [
            NextPeriodPrediction(
                user=user,
                cycle_start=cycle_start,
                served_on=day,
                predicted_start=next_period.start_date,
                earliest=next_period.earliest,
                latest=next_period.latest,
                method=next_period.basis.method,
            )
        ],
        ignore_conflicts=True,
    )


def next_period_accuracy(*, user, starts: list[date]) -> dict:
    """How far each recorded next period fell from the start she then logged.

    ``starts``: her logged period starts, oldest first. A record is scored once a
    start after its cycle's start is logged (the first such start is the period it
    predicted); until then it is not counted.
    """
    errors = []
    for cycle_start, predicted in NextPeriodPrediction.objects.for_user(user).values_list(
        "cycle_start", "predicted_start"
    ):
        index = bisect.bisect_right(starts, cycle_start)
        if index < len(starts):
            errors.append(abs((starts[index] - predicted).days))
    return {
        "evaluated": len(errors),
        "mean_abs_error_days": round(sum(errors) / len(errors), 1) if errors else None,
    }
