"""What the model sees of a day: four fields of the engine's day position."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.vocabulary import ENERGY_LEVELS, PHASES
from cycles.engine import DayPosition

# Version of the estimator layout and features; the service deletes (and retrains) a
# stored file whose version differs.
#   1: random forest on day_of_cycle, days_until_next, cycle_fraction and the phase
#      one-hot, blended with the smoothed per-group table (BlendedForest).
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Sample:
    point: DayPosition
    level: int  # one of ENERGY_LEVELS


def position_features(position: DayPosition) -> tuple[int, int, int, str]:
    """(day_of_cycle, cycle_length, days_until_next, phase): all the model reads of
    a day, so days equal in these get the same answer."""
    return position.day_of_cycle, position.cycle_length, position.days_until_next, position.phase


def feature_names() -> list[str]:
    return [
        "day_of_cycle",
        "days_until_next",
        "cycle_fraction",
        *(f"phase_{phase}" for phase in PHASES),
    ]


def check_position(position: DayPosition) -> None:
    if position.phase not in PHASES:
        raise ValueError(f"Unknown phase {position.phase!r}; expected one of {PHASES}.")
    if position.cycle_length < 1:
        raise ValueError(f"cycle_length must be positive, got {position.cycle_length}.")


def features(positions: Sequence[DayPosition]) -> np.ndarray:
    """One row per position, columns as in feature_names().

    cycle_length itself is left out: within one user it varies by a few days from
    cycle to cycle, so splits on it fit noise; its information is kept relative to
    the day through cycle_fraction and days_until_next.
    """
    rows = np.zeros((len(positions), 3 + len(PHASES)))
    for i, position in enumerate(positions):
        check_position(position)
        rows[i, 0] = position.day_of_cycle
        rows[i, 1] = position.days_until_next
        rows[i, 2] = (position.day_of_cycle - 1) / position.cycle_length
        rows[i, 3 + PHASES.index(position.phase)] = 1.0
    return rows


def levels_of(samples: Sequence[Sample]) -> np.ndarray:
    levels = np.array([s.level for s in samples], dtype=int)
    if not np.isin(levels, ENERGY_LEVELS).all():
        raise ValueError(f"Energy levels must be in {ENERGY_LEVELS}.")
    return levels


def data_fingerprint(samples: Iterable[Sample], extra: Iterable = ()) -> str:
    """sha256 hex of the training data, so unchanged data skips retraining.

    The order of the samples does not matter (their multiset does); `extra` (e.g. the
    scikit-learn version or a random seed) is hashed in the order given and must be
    JSON-serialisable. FORMAT_VERSION is included, so a format change retrains.
    """
    rows = sorted((*position_features(s.point), s.level) for s in samples)
    payload = json.dumps(
        {"format": FORMAT_VERSION, "samples": rows, "extra": list(extra)},
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
