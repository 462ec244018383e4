"""Store a synthetic history (``synthetic.py``) as a user's rows: for demo
users (``manage.py seed``), tests and benchmarks."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from core.userdata import listeners_muted, user_answers_expire
from cycles.models import Period, Profile
from moods.models import DailyMood
from signs.models import Sign

from . import training
from .models import EnergyModel, PredictionRecord
from .synthetic import SyntheticHistory, SyntheticSign


def _clear(user) -> None:
    Period.objects.filter(user=user).delete()
    DailyMood.objects.filter(user=user).delete()
    Sign.objects.filter(user=user).delete()
    PredictionRecord.objects.filter(user=user).delete()
    EnergyModel.objects.filter(user=user).update(data_fingerprint="")


def _store_profile(user, history: SyntheticHistory) -> None:
    profile = history.profile
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "height_cm": round(profile.height_cm),
            "weight_kg": Decimal(str(round(profile.weight_kg, 1))),
            "cycle_length": profile.cycle_length,
            "luteal_length": profile.luteal_length,
            "menses_length": profile.menses_length,
        },
    )


def history_store(*, user, history: SyntheticHistory) -> None:
    """Replace her periods, moods and profile with the history's (idempotent)."""
    with transaction.atomic():
        _clear(user)
        Period.objects.bulk_create(
            Period(user=user, start_date=period.start, end_date=period.end)
            for period in history.periods
        )
        DailyMood.objects.bulk_create(
            DailyMood(user=user, date=day, energy_level=level)
            for day, level in sorted(history.levels.items())
        )
        _store_profile(user, history)
        user_answers_expire(user)


def history_replay(
    *,
    user,
    history: SyntheticHistory,
    signs: dict[date, SyntheticSign] | None = None,
    replay_days: int,
    retrain_every: int | None = None,
) -> int:
    """Store the history as she would have lived it: everything before its last
    ``replay_days`` days at once, then each of those days with the clock set to
    it (time-machine, noon in her time zone): the periods she starts or ends that
    day are logged, /current's own code serves her the day (and records the
    prediction, as it does for her), then she logs her energy and signs. Her
    model is trained before the first of those days (and every ``retrain_every``
    days if given) on what she had logged by then; the caller trains her at the
    end (the app retrains after every change; a demo keeps to a few trainings).
    Her history then holds what was served each day, scored by what she logged
    after; nothing is written to it by hand. Returns the number of days served.
    Writes are muted (no retraining queued): the replay trains."""
    import time_machine  # only here: a demo tool, never on a request's path

    from .views import PredictionViewSet  # the code that serves /current

    signs = signs or {}
    replay_days = max(0, min(replay_days, (history.today - history.first_day).days))
    first_replayed = history.today - timedelta(days=replay_days - 1)
    zone = ZoneInfo(user.timezone)

    def noon(day: date) -> datetime:
        return datetime.combine(day, time(12), tzinfo=zone)

    served = 0
    with listeners_muted():
        with transaction.atomic():
            _clear(user)
            _store_profile(user, history)
            before = first_replayed if replay_days else history.today + timedelta(days=1)
            Period.objects.bulk_create(
                Period(
                    user=user,
                    start_date=p.start,
                    end_date=p.end if p.end is not None and p.end < before else None,
                )
                for p in history.periods
                if p.start < before
            )
            DailyMood.objects.bulk_create(
                DailyMood(user=user, date=day, energy_level=level)
                for day, level in sorted(history.levels.items())
                if day < before
            )
            Sign.objects.bulk_create(
                _sign_row(user, day, sign) for day, sign in sorted(signs.items()) if day < before
            )
        if not replay_days:
            return 0
        with time_machine.travel(noon(first_replayed - timedelta(days=1))):
            training.retrain(user)
        ends = {p.end: p.start for p in history.periods if p.end is not None}
        starts = {p.start for p in history.periods}
        view = PredictionViewSet()
        for offset in range(replay_days):
            day = first_replayed + timedelta(days=offset)
            with time_machine.travel(noon(day)), transaction.atomic():
                if day in starts:
                    Period.objects.create(user=user, start_date=day)
                if day in ends:
                    Period.objects.filter(user=user, start_date=ends[day]).update(end_date=day)
                view.current_body(user, day, day)  # serves and records her day
                served += 1
                if day in history.levels:
                    DailyMood.objects.create(user=user, date=day, energy_level=history.levels[day])
                if day in signs:
                    _sign_row(user, day, signs[day]).save()
            if retrain_every and (offset + 1) % retrain_every == 0 and offset + 1 < replay_days:
                with time_machine.travel(noon(day) + timedelta(hours=9)):  # that evening
                    training.retrain(user)
    user_answers_expire(user)
    return served


def _sign_row(user, day: date, sign: SyntheticSign) -> Sign:
    return Sign(
        user=user,
        date=day,
        bbt_celsius=None if sign.bbt_celsius is None else Decimal(f"{sign.bbt_celsius:.2f}"),
        lh_test=sign.lh_test,
        cervical_mucus=sign.cervical_mucus,
    )
