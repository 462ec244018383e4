"""The fallback: her per-phase frequencies smoothed toward a population prior."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from core.vocabulary import ENERGY_LABELS, ENERGY_LEVELS, LUTEAL, PHASES
from cycles.engine import DayPosition

from .features import Sample, check_position, levels_of

# Probabilities are clipped before taking logs, so one level never seen in a training
# fold costs a bounded penalty (-log 1e-3 ~ 6.9) instead of infinity.
PROBABILITY_CLIP = 1e-3

# The fallback splits the luteal phase: the last days before a period behave like
# menses (lower energy), the rest of the luteal phase does not.
LATE_LUTEAL_DAYS = 4  # days_until_next <= 4 (and late days, <= 0)
GROUPS = (*PHASES, "late_luteal")
# Population prior P(low, medium, high) per group: an assumption, not fitted data.
# Lower energy in menses and the last days before a period, a mild high around
# ovulation. Deliberately mild, so a user without a cycle effect soon looks like
# herself.
PRIOR = np.array(
    [
        [0.40, 0.42, 0.18],  # menstrual
        [0.22, 0.48, 0.30],  # follicular
        [0.18, 0.44, 0.38],  # ovulatory
        [0.25, 0.50, 0.25],  # luteal
        [0.38, 0.44, 0.18],  # late_luteal
    ]
)
# Share of an average cycle (~28 days) spent in each group, to derive the overall prior.
_GROUP_DAYS = np.array([5.0, 9.0, 3.0, 7.0, 4.0])
PRIOR_OVERALL = _GROUP_DAYS @ PRIOR / _GROUP_DAYS.sum()
# Her overall frequencies lean on the population prior with the weight of
# OVERALL_PSEUDO_LOGS logs. Each group's frequencies lean on a target: her overall
# frequencies tilted by the prior's effect for that group, (PRIOR / PRIOR_OVERALL)**tilt,
# with the weight of `strength` logs. (strength, tilt) are chosen per user from the
# grids below by leave-one-out log-loss on her own logs (empirical Bayes): a user
# whose energy ignores her cycle gets strong shrinkage toward her overall frequencies
# and no tilt; one whose energy follows it gets her own per-group frequencies.
OVERALL_PSEUDO_LOGS = 3.0
SHRINK_STRENGTHS = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
PRIOR_TILTS = (0.0, 0.5, 1.0)
# Used when there are too few logs to choose (and with no logs: exactly PRIOR).
DEFAULT_SHRINK = (8.0, 1.0)
MIN_LOGS_TO_CHOOSE_SHRINK = 10


def log_loss(probabilities: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(probabilities[np.arange(len(y)), y], PROBABILITY_CLIP, 1.0)
    return float(-np.log(p).mean())


def group_of(position: DayPosition) -> int:
    check_position(position)
    if position.phase == LUTEAL and position.days_until_next <= LATE_LUTEAL_DAYS:
        return GROUPS.index("late_luteal")
    return GROUPS.index(position.phase)


def groups_of(positions: Iterable[DayPosition]) -> np.ndarray:
    return np.array([group_of(p) for p in positions], dtype=int)


def _smooth(
    group_counts: np.ndarray,
    total_counts: np.ndarray,
    group_prior: np.ndarray,
    strength: float,
    tilt: float,
) -> np.ndarray:
    """Row-wise P(level | group) from counts: see the constants above."""
    overall = (total_counts + OVERALL_PSEUDO_LOGS * PRIOR_OVERALL) / (
        total_counts.sum(axis=-1, keepdims=True) + OVERALL_PSEUDO_LOGS
    )
    target = overall * (group_prior / PRIOR_OVERALL) ** tilt
    target /= target.sum(axis=-1, keepdims=True)
    return (group_counts + strength * target) / (
        group_counts.sum(axis=-1, keepdims=True) + strength
    )


def _counts(groups: np.ndarray, levels: np.ndarray) -> np.ndarray:
    counts = np.zeros((len(GROUPS), len(ENERGY_LEVELS)))
    np.add.at(counts, (groups, levels), 1.0)
    return counts


def fallback_table(
    groups: np.ndarray, levels: np.ndarray, shrink: tuple[float, float]
) -> np.ndarray:
    """P(level | group) from her logs, shape (len(GROUPS), len(ENERGY_LEVELS)).

    With no logs (and DEFAULT_SHRINK) this is exactly PRIOR.
    """
    counts = _counts(groups, levels)
    return _smooth(counts, counts.sum(axis=0), PRIOR, *shrink)


def loo_fallback(groups: np.ndarray, levels: np.ndarray, shrink: tuple[float, float]) -> np.ndarray:
    """Leave-one-out fallback probabilities, one row per sample.

    The fallback is made of counts, so leaving a sample out is exact and cheap.
    """
    counts = _counts(groups, levels)
    own = np.eye(len(ENERGY_LEVELS))[levels]  # each sample's own count, to take out
    return _smooth(counts[groups] - own, counts.sum(axis=0) - own, PRIOR[groups], *shrink)


def choose_shrink(groups: np.ndarray, levels: np.ndarray) -> tuple[float, float]:
    """(strength, tilt) with the best leave-one-out log-loss on her logs."""
    if len(levels) < MIN_LOGS_TO_CHOOSE_SHRINK:
        return DEFAULT_SHRINK
    candidates = [(k, t) for k in SHRINK_STRENGTHS for t in PRIOR_TILTS]
    losses = [log_loss(loo_fallback(groups, levels, c), levels) for c in candidates]
    return candidates[int(np.argmin(losses))]


def fallback_for(groups: np.ndarray, levels: np.ndarray) -> np.ndarray:
    return fallback_table(groups, levels, choose_shrink(groups, levels))


def as_dicts(probabilities: np.ndarray) -> list[dict[str, float]]:
    return [dict(zip(ENERGY_LABELS, map(float, row), strict=True)) for row in probabilities]


def fallback_probabilities(
    samples: Sequence[Sample], positions: Sequence[DayPosition]
) -> list[dict[str, float]]:
    """Per-group frequencies of her logs smoothed toward the population prior.

    Works with no samples at all (pure prior). One dict per position, keys ENERGY_LABELS.
    """
    groups, levels = groups_of(s.point for s in samples), levels_of(samples)
    table = fallback_for(groups, levels)
    return as_dicts(table[groups_of(positions)])
