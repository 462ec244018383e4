"""From her rows to what the model learns from: her logs with their cycle positions."""

from datetime import date

import sklearn

from cycles import engine
from cycles import services as cycle_services
from moods.models import DailyMood

from . import ml

# A model learns from her most recent logs only: about two years of daily logs.
# A training's cost then stops growing with her history (ten years of logs:
# 0.40 s, against 0.26 s for the window; bench/training_thread.py), and recent
# logs describe her as she is now.
TRAINING_WINDOW_LOGS = 730


def energy_samples(
    *, user, data: cycle_services.CycleData, until: date | None = None, latest: int | None = None
) -> list[ml.Sample]:
    """Her logs that fall after her first period, with their cycle positions
    (as known ``until`` that day, her today by default); only her ``latest``
    logs if given."""
    moods = DailyMood.objects.for_user(user)
    if until is not None:
        moods = moods.filter(date__lte=until)
    if latest is None:
        logs = list(moods.order_by("date").values_list("date", "energy_level"))
    else:
        logs = list(moods.order_by("-date").values_list("date", "energy_level")[:latest])[::-1]
    positions = data.positions([day for day, _ in logs], on=until or user.local_today())
    return [
        ml.Sample(point=positions[day], level=level)
        for day, level in logs
        if positions.get(day) is not None
    ]


def training_samples(*, user, data: cycle_services.CycleData) -> list[ml.Sample]:
    """What her model learns from: her samples within ``TRAINING_WINDOW_LOGS``."""
    return energy_samples(user=user, data=data, latest=TRAINING_WINDOW_LOGS)


def training_fingerprint(samples) -> str:
    return ml.data_fingerprint(samples, extra=(ml.FORMAT_VERSION, sklearn.__version__))


def position_key(position: engine.DayPosition) -> str:
    """A day's key in the position table: what the model sees of it (days sharing
    a position share an answer), as stored in ``EnergyModel.position_table``."""
    return "{}:{}:{}:{}".format(*ml.position_features(position))
