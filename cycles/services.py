"""Turn a user's rows into the cycle engine's plain values, for every app.

The engine (``cycles/engine``) knows nothing of the ORM; these functions
are the only place that reads her periods, profile and signs for it, so moods and
predictions ask here instead of querying ``cycles`` models themselves.

Her fertility signs live in the ``signs`` app, above ``cycles``: ``cycles`` may not
import it. The ``signs`` app hands them down instead, registering in its
``ready()`` the one function that reads a user's signs as the engine's
``DailySigns`` (``register_signs_source``; for many users at once, so a batch
costs one query too), as apps register their data with
``core.userdata``. Without it (the app not installed) she has no signs.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from . import engine
from .models import Period, Profile

# (user ids) -> {user id: her signs, oldest first}; users with none may be absent.
SignsSource = Callable[[list[int]], dict[int, list[engine.DailySigns]]]
_signs_source: SignsSource | None = None


def register_signs_source(source: SignsSource) -> None:
    """``source(user_ids)`` returns each user's fertility signs, oldest first (one query)."""
    global _signs_source
    _signs_source = source


def signs_load_many(*, user_ids: list[int]) -> dict[int, list[engine.DailySigns]]:
    return _signs_source(user_ids) if _signs_source is not None else {}


def signs_load(*, user) -> list[engine.DailySigns]:
    return signs_load_many(user_ids=[user.pk]).get(user.pk, [])


@dataclass(frozen=True)
class CycleData:
    """Her periods (oldest first), profile and fertility signs, as the engine takes them."""

    periods: list[engine.LoggedPeriod]
    profile: engine.CycleProfile | None
    signs: tuple[engine.DailySigns, ...] = ()

    def until(self, day: date) -> "CycleData":
        """Only what was logged on or before ``day``."""
        return CycleData(
            [p for p in self.periods if p.start <= day],
            self.profile,
            tuple(s for s in self.signs if s.date <= day),
        )

    def current_cycle(self, *, on: date, day: date | None = None):
        """``engine.current_cycle`` from this data (signs included): what /current says."""
        return engine.current_cycle(
            self.periods, on=on, profile=self.profile, day=day, signs=self.signs
        )

    def positions(self, days: Iterable[date], *, on: date) -> dict:
        """``engine.positions`` of ``days`` from this data, as known on ``on``."""
        return engine.positions(
            self.periods, list(days), on=on, profile=self.profile, signs=self.signs
        )


def cycle_data_load(*, user, profile: Profile | None = None) -> CycleData:
    """Three queries: her periods, her signs and (unless given) her profile."""
    if profile is None:
        profile = Profile.objects.filter(user=user).first()
    return CycleData(
        periods=Period.objects.for_user(user).as_engine_periods(),
        profile=profile.as_cycle_profile() if profile else None,
        signs=tuple(signs_load(user=user)),
    )


def cycle_data_load_many(*, user_ids: Iterable[int]) -> dict[int, CycleData]:
    """``cycle_data_load`` for many users in three queries (a batch of the reminder
    dispatcher): each user's ``CycleData`` is the one ``cycle_data_load`` gives her,
    a user with nothing logged included."""
    user_ids = list(dict.fromkeys(user_ids))
    periods: dict[int, list[engine.LoggedPeriod]] = {user_id: [] for user_id in user_ids}
    rows = (
        Period.objects.filter(user_id__in=user_ids)
        .order_by("user_id", "start_date")
        .values_list("user_id", "start_date", "end_date")
    )
    for user_id, start, end in rows:
        periods[user_id].append(engine.LoggedPeriod(start=start, end=end))
    profiles = {
        profile.user_id: profile.as_cycle_profile()
        for profile in Profile.objects.filter(user_id__in=user_ids)
    }
    signs = signs_load_many(user_ids=user_ids)
    return {
        user_id: CycleData(
            periods=periods[user_id],
            profile=profiles.get(user_id),
            signs=tuple(signs.get(user_id, ())),
        )
        for user_id in user_ids
    }


def cycle_positions(*, user, dates: Iterable[date], data: CycleData | None = None):
    """Day of cycle and phase for each date, from her periods (and signs) as they are now."""
    data = data or cycle_data_load(user=user)
    return data.positions(dates, on=user.local_today())


def cycle_stats(*, user) -> engine.CycleStats:
    return engine.cycle_stats(
        Period.objects.for_user(user).as_engine_periods(), signs=signs_load(user=user)
    )


def profile_export(user) -> dict | None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "height_cm": profile.height_cm,
        # Numbers, as GET /profiles/me writes them.
        "weight_kg": float(profile.weight_kg) if profile.weight_kg is not None else None,
        "cycle_length": profile.cycle_length,
        "luteal_length": profile.luteal_length,
        "menses_length": profile.menses_length,
        "unusual_bleeding": profile.unusual_bleeding,
        "number_of_peak": profile.number_of_peak,
        "bmi": float(profile.bmi) if profile.bmi is not None else None,
        "updated_at": profile.updated_at.isoformat(),
    }


def periods_export(user) -> list[dict]:
    return [
        {
            "id": period.pk,
            "start_date": period.start_date.isoformat(),
            "end_date": period.end_date.isoformat() if period.end_date else None,
            "created_at": period.created_at.isoformat(),
        }
        for period in Period.objects.for_user(user).order_by("start_date")
    ]
