"""Walk-forward evaluation of the next-period prediction on real cycles.

Run it on a CSV shaped like ``shared/data/cycles_dev.csv``::

    python -m cycles.evaluation --csv ../shared/data/cycles_dev.csv [--seed 0]
    python manage.py evaluate_cycles --csv ../shared/data/cycles_dev.csv

How the replay works:

* *Series.* Rows are read in file order. A woman's cycles form one series; a new
  series starts when ``ClientID`` changes or when ``CycleNumber`` does not increase
  (the study file holds a few women twice, restarting at cycle 1: each copy is
  replayed on its own, never as history of the other).
* *Blank or invalid lengths.* A row whose ``LengthofCycle`` is blank, not a whole
  number or not positive is skipped and counted; it also ends the series, because the
  cycles after it can no longer be dated from the ones before (a new series starts
  after it, with no history).
* *Dates.* Each series gets synthetic start dates from a fixed base date and the
  cumulative lengths. Cycle k is predicted from the starts of cycles 0..k only, as of
  ``on`` = the start of cycle k (the day its period started), and scored against its
  true length. Nothing from cycle k or later informs its own prediction, and the
  engine's constants are constants: nothing is fitted on the evaluated file.
* *Baselines.* Fixed 28 days, the last cycle, the mean and the median of all earlier
  cycles (rounded half up to whole days, as a date-based tracker must); with no
  history they predict 28. They give no interval, shown as "-".
* *Scores,* by history length (0, 1-2, 3+ earlier cycles, and 1+ overall): mean
  absolute error in days, share of predictions within 1/2/3 days, and for the engine
  the share of true starts inside its inclusive 80% interval ``[earliest, latest]``
  and the mean width ``latest - earliest`` in days.
* *Missed logs.* A seeded random 10% of the cycles that have a successor are merged
  with it (her start between them was never logged; a chain of picks merges three or
  more). The history then holds the merged gaps, but only clean cycles are scored:
  a cycle is a target only when it was neither merged into the previous one nor
  swallowed the next. History length counts the cycles as logged.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cycles import engine

DEFAULT_CSV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cycles_dev.csv"
DEFAULT_SEED = 0
MISSED_LOG_SHARE = 0.10
BASE_DATE = date(2000, 1, 1)
FIXED_LENGTH = 28

# (label, fewest, most earlier cycles); None: no upper bound
HISTORY_GROUPS = (("0", 0, 0), ("1-2", 1, 2), ("3+", 3, None), ("1+", 1, None))
OVERALL = "1+"

ENGINE = "engine"
METHOD_LABELS = {
    ENGINE: "PlanHer engine",
    "fixed_28": "Fixed 28 days",
    "last_cycle": "Last cycle",
    "mean": "Mean of history",
    "median": "Median of history",
}


def _round(x: float) -> int:
    return math.floor(x + 0.5)


BASELINES: dict[str, Callable[[Sequence[int]], int]] = {
    "fixed_28": lambda history: FIXED_LENGTH,
    "last_cycle": lambda history: history[-1] if history else FIXED_LENGTH,
    "mean": lambda history: _round(statistics.fmean(history)) if history else FIXED_LENGTH,
    "median": lambda history: _round(statistics.median(history)) if history else FIXED_LENGTH,
}


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class StudyCycles:
    """The series to replay, as read from a CSV."""

    series: list[list[int]]  # cycle lengths in order, one list per series
    skipped_rows: int  # rows with a blank or invalid LengthofCycle

    @property
    def cycle_count(self) -> int:
        return sum(map(len, self.series))


def _as_int(text: str | None) -> int | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def read_cycles(path: str | Path) -> StudyCycles:
    """Series of cycle lengths from a cycles_dev.csv-shaped file (see module docstring)."""
    series: list[list[int]] = []
    skipped = 0
    current: list[int] = []
    previous: tuple[str, int | None] | None = None
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            client = (row.get("ClientID") or "").strip()
            number = _as_int(row.get("CycleNumber"))
            restarted = previous is not None and (
                client != previous[0]
                or (number is not None and previous[1] is not None and number <= previous[1])
            )
            if restarted and current:
                series.append(current)
                current = []
            previous = (client, number)
            length = _as_int(row.get("LengthofCycle"))
            if length is None or length <= 0:
                skipped += 1
                if current:  # the dates after this row cannot follow from the ones before
                    series.append(current)
                    current = []
                continue
            current.append(length)
    if current:
        series.append(current)
    return StudyCycles(series=series, skipped_rows=skipped)


# ------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Prediction:
    history: int  # earlier cycles (as logged)
    target: int  # true length of the cycle
    predicted: int
    earliest: int | None = None  # interval bounds, days after the cycle's start
    latest: int | None = None

    @property
    def error(self) -> int:
        return abs(self.target - self.predicted)


@dataclass(frozen=True)
class Score:
    method: str
    history: str  # a HISTORY_GROUPS label
    n: int
    mae: float | None
    within_1: float | None  # share of |error| <= 1 day
    within_2: float | None
    within_3: float | None
    coverage: float | None  # share of targets inside [earliest, latest]; None: no interval
    mean_width: float | None  # mean of latest - earliest, in days


def score(method: str, group: str, predictions: Sequence[Prediction]) -> Score:
    n = len(predictions)
    if n == 0:
        return Score(method, group, 0, None, None, None, None, None, None)
    errors = [p.error for p in predictions]
    with_interval = [p for p in predictions if p.earliest is not None and p.latest is not None]
    coverage = width = None
    if with_interval:
        coverage = statistics.fmean(p.earliest <= p.target <= p.latest for p in with_interval)
        width = statistics.fmean(p.latest - p.earliest for p in with_interval)
    return Score(
        method=method,
        history=group,
        n=n,
        mae=statistics.fmean(errors),
        within_1=statistics.fmean(e <= 1 for e in errors),
        within_2=statistics.fmean(e <= 2 for e in errors),
        within_3=statistics.fmean(e <= 3 for e in errors),
        coverage=coverage,
        mean_width=width,
    )


@dataclass(frozen=True)
class Evaluation:
    """Scores of every method and history group in one scenario."""

    scenario: str  # "clean" or "missed_logs"
    scores: tuple[Score, ...]

    def score(self, method: str = ENGINE, history: str = OVERALL) -> Score:
        for item in self.scores:
            if item.method == method and item.history == history:
                return item
        raise KeyError((method, history))


def _in_group(history: int, fewest: int, most: int | None) -> bool:
    return history >= fewest and (most is None or history <= most)


def _evaluation(scenario: str, predictions: dict[str, list[Prediction]]) -> Evaluation:
    scores = [
        score(method, label, [p for p in predictions[method] if _in_group(p.history, lo, hi)])
        for label, lo, hi in HISTORY_GROUPS
        for method in METHOD_LABELS
    ]
    return Evaluation(scenario=scenario, scores=tuple(scores))


# ------------------------------------------------------------------------- replays


def _logged(lengths: Sequence[int], merged: set[int]) -> list[tuple[int, bool]]:
    """(logged gap, clean) pairs when the starts after cycles in `merged` are missing."""
    logged: list[tuple[int, bool]] = []
    j = 0
    while j < len(lengths):
        gap, clean = lengths[j], True
        while j in merged and j + 1 < len(lengths):
            j += 1
            gap += lengths[j]
            clean = False
        # A cycle that swallowed the next is not clean; one merged into the previous
        # was folded into that one above and never shows up on its own.
        logged.append((gap, clean))
        j += 1
    return logged


def _replay(logged: list[tuple[int, bool]]) -> dict[str, list[Prediction]]:
    """Predict every clean logged cycle from the logged cycles before it."""
    out: dict[str, list[Prediction]] = {method: [] for method in METHOD_LABELS}
    starts = [BASE_DATE]
    for gap, _ in logged:
        starts.append(starts[-1] + timedelta(days=gap))
    gaps = [gap for gap, _ in logged]
    for k, (target, clean) in enumerate(logged):
        if not clean:
            continue
        history = gaps[:k]
        on = starts[k]
        periods = [engine.LoggedPeriod(start) for start in starts[: k + 1]]
        prediction = engine.predict_next_period(periods, on=on)
        assert prediction is not None  # there is always the start of cycle k
        out[ENGINE].append(
            Prediction(
                history=k,
                target=target,
                predicted=prediction.cycle_length,
                earliest=(prediction.earliest - on).days,
                latest=(prediction.latest - on).days,
            )
        )
        for method, predict in BASELINES.items():
            out[method].append(Prediction(history=k, target=target, predicted=predict(history)))
    return out


def _pick_merged(series: Sequence[Sequence[int]], share: float, seed: int) -> list[set[int]]:
    eligible = [(i, j) for i, lengths in enumerate(series) for j in range(len(lengths) - 1)]
    rng = random.Random(seed)
    chosen = rng.sample(eligible, _round(share * len(eligible))) if eligible else []
    merged: list[set[int]] = [set() for _ in series]
    for i, j in chosen:
        merged[i].add(j)
    return merged


def _run(scenario: str, series: Sequence[Sequence[int]], merged: list[set[int]]) -> Evaluation:
    predictions: dict[str, list[Prediction]] = {method: [] for method in METHOD_LABELS}
    for lengths, picks in zip(series, merged, strict=True):
        for method, items in _replay(_logged(lengths, picks)).items():
            predictions[method].extend(items)
    return _evaluation(scenario, predictions)


@dataclass(frozen=True)
class Report:
    source: str
    series_count: int
    cycle_count: int
    skipped_rows: int
    seed: int
    merged_cycles: int
    clean: Evaluation
    missed_logs: Evaluation

    def summary(self) -> str:
        """One line: the headline figures."""
        ours, mean = self.clean.score(ENGINE), self.clean.score("mean")
        missed = self.missed_logs.score(ENGINE)
        return (
            f"engine MAE {ours.mae:.2f} d (mean of history {mean.mae:.2f}), "
            f"80% interval coverage {ours.coverage:.1%}, mean width {ours.mean_width:.1f} d; "
            f"with missed logs MAE {missed.mae:.2f} d "
            f"(mean of history {self.missed_logs.score('mean').mae:.2f})"
        )

    def to_markdown(self) -> str:
        lines = [
            f"Walk-forward on `{self.source}`: {self.series_count} series, "
            f"{self.cycle_count} cycles"
            + (f", {self.skipped_rows} rows without a length skipped" if self.skipped_rows else "")
            + ". Cycle k is predicted from cycles 0..k-1 only; no profile (population prior).",
            "",
            "**Clean logs**",
            "",
            *_table(self.clean),
            "",
            f"**Missed logs**: {self.merged_cycles} cycles ({MISSED_LOG_SHARE:.0%}, seed "
            f"{self.seed}) merged with the next; only clean cycles are scored.",
            "",
            *_table(self.missed_logs),
            "",
            "Interval: inclusive [earliest, latest]; width = latest - earliest in days. "
            "Baselines give no interval (-).",
        ]
        return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _table(evaluation: Evaluation) -> list[str]:
    lines = [
        "| History | Method | n | MAE (days) | within ±1 d | within ±2 d | within ±3 d "
        "| 80% coverage | mean width (days) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, _, _ in HISTORY_GROUPS:
        for method, name in METHOD_LABELS.items():
            s = evaluation.score(method, label)
            bold = "**" if method == ENGINE else ""
            lines.append(
                f"| {label} | {bold}{name}{bold} | {s.n} | {bold}{_num(s.mae)}{bold} "
                f"| {_pct(s.within_1)} | {_pct(s.within_2)} | {_pct(s.within_3)} "
                f"| {_pct(s.coverage)} | {_num(s.mean_width, 1)} |"
            )
    return lines


def evaluate_series(
    data: StudyCycles,
    *,
    seed: int = DEFAULT_SEED,
    missed_share: float = MISSED_LOG_SHARE,
    source: str = "data",
) -> Report:
    """Clean and missed-log replays of every series."""
    merged = _pick_merged(data.series, missed_share, seed)
    return Report(
        source=source,
        series_count=len(data.series),
        cycle_count=data.cycle_count,
        skipped_rows=data.skipped_rows,
        seed=seed,
        merged_cycles=sum(map(len, merged)),
        clean=_run("clean", data.series, [set() for _ in data.series]),
        missed_logs=_run("missed_logs", data.series, merged),
    )


def evaluate_csv(path: str | Path, *, seed: int = DEFAULT_SEED) -> Report:
    """Read a cycles CSV and evaluate it: what the command and __main__ call."""
    return evaluate_series(read_cycles(path), seed=seed, source=Path(path).name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="cycles CSV file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="missed-log RNG seed")
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        parser.error(f"no such file: {args.csv}")
    report = evaluate_csv(args.csv, seed=args.seed)
    print(report.to_markdown())
    print()
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
