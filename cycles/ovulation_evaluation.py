"""Replay of real cycles with fertility signs: does detected ovulation sharpen the next period?

``manage.py evaluate_cycles --signs`` (or ``python -m cycles.ovulation_evaluation``)
reads a CSV shaped like ``shared/data/cycles_dev.csv`` and uses each cycle's
``EstimatedDayofOvulation``: the true ovulation date of a cycle starting ``S`` is
``S + EstimatedDayofOvulation`` days, so its luteal length (next start - ovulation)
is ``LengthofCycle - EstimatedDayofOvulation`` (the file's ``LengthofLutealPhase``,
the engine's meaning of luteal length). Series are split as in
``cycles.evaluation`` (a new ``ClientID``, a ``CycleNumber`` that does not
increase, or a row without a length ends one).

Scenarios, each replayed walk-forward through ``engine.current_cycle`` (cycle k
from her periods and signs up to the day asked only):

* ``lh``: an LH positive logged the day before ovulation in every cycle with a known
  ovulation day (her past cycles too: that is how her luteal length is measured);
  the prediction is asked two days after ovulation.
* ``bbt``: temperatures every day of every cycle with a known ovulation day (her
  own baseline 36.2-36.6 °C, noise ``BBT_NOISE`` SD, a rise of ``BBT_RISE`` on the
  days after ovulation, rounded to 0.01 °C, seeded), no LH; the prediction is asked
  on the first day her signs place ovulation in the cycle (scored "once detected");
  cycles where nothing is detected before the period are counted, not scored.
* ``calendar``: no signs, asked on the same day as ``lh`` (the calendar-only engine).
* ``oracle``: the true ovulation day and her true past luteal lengths, through the
  same luteal rule (the best the signs could do); ``ov + 14`` and ``ov + 12.4``:
  the true ovulation plus the profile's default or the population luteal length.

A cycle is a target when its ovulation day is known and it is longer than the day
asked (a period that started before it would have been logged). Scores: MAE in
days of the predicted start, share within 1 and 2 days, coverage of the inclusive
80% interval and its mean width, and for the sign scenarios the share of cycles
where ovulation was placed within a day of the true one.

Cross-validation over women (``cross_validate``): women (``ClientID``) are split
into ``FOLDS`` seeded folds; for each fold, the luteal rule's prior weight ``k``
and its within-woman SD are chosen on the other folds (lowest MAE, then coverage
nearest 80%) and scored on the held-out women. The report gives each fold's
held-out figures and their spread, and each candidate's MAE per fold.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cycles import engine
from cycles.engine.luteal import estimate_luteal, next_period_from_ovulation

from .evaluation import BASE_DATE, DEFAULT_CSV, _as_int

LH_ASKED_AFTER = 2  # the prediction is asked two days after ovulation
BBT_NOISE = 0.07
BBT_RISE = 0.3
BBT_FIRST_DAY = 8  # a shift needs 6 low and 3 high readings: never confirmed earlier
DEFAULT_SEED = 0
FOLDS = 5
PRIOR_WEIGHTS = (0.5, 1.0, 2.0, 4.0, 8.0)
WITHIN_SDS = (1.2, 1.6, 2.0)
CALENDAR_PRIOR = 28.5  # the plain baseline: her mean shrunk toward 28.5, weight 1


@dataclass(frozen=True)
class Cycle:
    length: int
    ovulation_day: int | None  # days after the start; None: unknown
    menses: int | None


@dataclass(frozen=True)
class Woman:
    client: str
    cycles: list[Cycle]


def read_women(path: str | Path) -> list[Woman]:
    """Series of cycles with their ovulation day (split as ``cycles.evaluation`` does)."""
    women: list[Woman] = []
    current: list[Cycle] = []
    previous: tuple[str, int | None] | None = None
    client = ""

    def close(name: str) -> None:
        nonlocal current
        if current:
            women.append(Woman(name, current))
        current = []

    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            row_client = (row.get("ClientID") or "").strip()
            number = _as_int(row.get("CycleNumber"))
            if previous is not None and (
                row_client != previous[0]
                or (number is not None and previous[1] is not None and number <= previous[1])
            ):
                close(client)
            previous, client = (row_client, number), row_client
            length = _as_int(row.get("LengthofCycle"))
            if length is None or length <= 0:
                close(client)
                continue
            ovulation = _as_int(row.get("EstimatedDayofOvulation"))
            if ovulation is not None and not 0 < ovulation < length:
                ovulation = None
            menses = _as_int(row.get("LengthofMenses"))
            current.append(Cycle(length, ovulation, menses if menses and menses > 0 else None))
    close(client)
    return women


# ------------------------------------------------------------------------- one woman


@dataclass
class Target:
    """One scored cycle of one woman, in one scenario."""

    client: str
    history: int
    length: int  # the true cycle length
    predicted: int | None = None
    earliest: int | None = None
    latest: int | None = None
    found: bool | None = None  # ovulation placed within a day (sign scenarios)
    # For the cross-validation: what the luteal rule needs.
    ovulation_day: int | None = None  # detected (or true), days after the start
    asked_day: int | None = None
    past_luteal: list[int] = field(default_factory=list)
    detection: engine.OvulationDetection | None = None


def _starts(woman: Woman) -> list[date]:
    starts = [BASE_DATE]
    for cycle in woman.cycles:
        starts.append(starts[-1] + timedelta(days=cycle.length))
    return starts


def _periods(woman: Woman, starts: Sequence[date], k: int) -> list[engine.LoggedPeriod]:
    return [
        engine.LoggedPeriod(start, start + timedelta(days=c.menses - 1) if c.menses else None)
        for start, c in zip(starts[: k + 1], woman.cycles[: k + 1], strict=True)
    ]


def _lh_signs(woman: Woman, starts: Sequence[date]) -> list[engine.DailySigns]:
    return [
        engine.DailySigns(start + timedelta(days=c.ovulation_day - 1), lh_test="positive")
        for start, c in zip(starts, woman.cycles, strict=False)
        if c.ovulation_day is not None
    ]


def _bbt_signs(woman: Woman, starts: Sequence[date], rng: random.Random) -> list[engine.DailySigns]:
    baseline = rng.uniform(36.2, 36.6)
    signs = []
    for start, c in zip(starts, woman.cycles, strict=False):
        if c.ovulation_day is None:
            continue
        for offset in range(c.length):
            rise = BBT_RISE if offset > c.ovulation_day else 0.0
            reading = round(baseline + rise + rng.gauss(0, BBT_NOISE), 2)
            signs.append(engine.DailySigns(start + timedelta(days=offset), bbt_celsius=reading))
    return signs


def _score_into(target: Target, cycle: engine.CurrentCycle, start: date, true_ov: date) -> None:
    nxt = cycle.next_period
    target.predicted = (nxt.start_date - start).days
    target.earliest = (nxt.earliest - start).days
    target.latest = (nxt.latest - start).days
    if cycle.ovulation is not None:
        target.found = abs((cycle.ovulation_date - true_ov).days) <= 1
        target.ovulation_day = (cycle.ovulation_date - start).days
        target.detection = cycle.ovulation
    else:
        target.found = False


def replay_woman(woman: Woman, scenario: str, rng: random.Random | None = None) -> list[Target]:
    """Every target cycle of hers in `scenario` ("lh", "bbt", "calendar", "oracle",
    "ov+14", "ov+12.4")."""
    starts = _starts(woman)
    signs: list[engine.DailySigns] = []
    if scenario == "lh":
        signs = _lh_signs(woman, starts)
    elif scenario == "bbt":
        signs = _bbt_signs(woman, starts, rng or random.Random(DEFAULT_SEED))
    out: list[Target] = []
    for k, cycle in enumerate(woman.cycles):
        if cycle.ovulation_day is None or cycle.length <= cycle.ovulation_day + LH_ASKED_AFTER:
            continue
        start = starts[k]
        true_ov = start + timedelta(days=cycle.ovulation_day)
        periods = _periods(woman, starts, k)
        target = Target(woman.client, k, cycle.length)
        past_true = [
            c.length - c.ovulation_day for c in woman.cycles[:k] if c.ovulation_day is not None
        ]
        if scenario in ("oracle", "ov+14", "ov+12.4"):
            target.ovulation_day = cycle.ovulation_day
            target.asked_day = cycle.ovulation_day + LH_ASKED_AFTER
            target.past_luteal = past_true
            target.detection = engine.OvulationDetection(true_ov, ("lh",), "probable")
            if scenario == "oracle":
                _luteal_rule(target)
            else:
                target.predicted = cycle.ovulation_day + (14 if scenario == "ov+14" else 12)
            out.append(target)
            continue
        if scenario == "bbt":
            answer = None
            for offset in range(BBT_FIRST_DAY, cycle.length):
                on = start + timedelta(days=offset)
                answer = engine.current_cycle(periods, on=on, signs=signs)
                if answer.ovulation is not None:
                    target.asked_day = offset
                    break
            if answer is None or answer.ovulation is None:
                target.found = False
                out.append(target)  # not detected before her period: counted, not scored
                continue
        else:
            on = true_ov + timedelta(days=LH_ASKED_AFTER)
            target.asked_day = cycle.ovulation_day + LH_ASKED_AFTER
            answer = engine.current_cycle(periods, on=on, signs=signs if scenario == "lh" else ())
        _score_into(target, answer, start, true_ov)
        if scenario != "calendar":
            # Her luteal lengths as her signs measured them in earlier cycles.
            detections = engine.cycle_detections(periods, [s for s in signs if s.date <= on], on)
            target.past_luteal = engine.past_luteal_lengths(periods, detections)
        out.append(target)
    return out


def _luteal_rule(
    target: Target,
    prior_weight: float = engine.LUTEAL_PRIOR_WEIGHT,
    within_sd: float = engine.LUTEAL_WITHIN_SD,
) -> Target:
    """Score `target` with the luteal rule's parameters (its detection kept)."""
    luteal = estimate_luteal(target.past_luteal, prior_weight=prior_weight, within_sd=within_sd)
    start = BASE_DATE
    nxt = next_period_from_ovulation(
        last_start=start,
        detection=engine.OvulationDetection(
            start + timedelta(days=target.ovulation_day),
            target.detection.signs,
            target.detection.confidence,
        ),
        luteal=luteal,
        on=start + timedelta(days=target.asked_day),
        usual_cycle_length=28,
    )
    target.predicted = (nxt.start_date - start).days
    target.earliest = (nxt.earliest - start).days
    target.latest = (nxt.latest - start).days
    return target


# ------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Score:
    n: int  # scored cycles
    targets: int  # cycles asked about (bbt: detected or not)
    mae: float | None
    within_1: float | None
    within_2: float | None
    coverage: float | None
    width: float | None
    found: float | None  # share of targets with ovulation placed within a day


def score(targets: Sequence[Target]) -> Score:
    scored = [t for t in targets if t.predicted is not None]
    if not scored:
        return Score(0, len(targets), None, None, None, None, None, None)
    errors = [abs(t.predicted - t.length) for t in scored]
    intervals = [t for t in scored if t.earliest is not None]
    founds = [t.found for t in targets if t.found is not None]
    return Score(
        n=len(scored),
        targets=len(targets),
        mae=statistics.fmean(errors),
        within_1=statistics.fmean(e <= 1 for e in errors),
        within_2=statistics.fmean(e <= 2 for e in errors),
        coverage=statistics.fmean(t.earliest <= t.length <= t.latest for t in intervals)
        if intervals
        else None,
        width=statistics.fmean(t.latest - t.earliest for t in intervals) if intervals else None,
        found=statistics.fmean(founds) if founds else None,
    )


SCENARIOS = {
    "calendar": "Calendar only (PlanHer engine, no signs)",
    "lh": "LH positive the day before ovulation, asked 2 days after",
    "bbt": "Temperatures alone, asked once detected",
    "oracle": "Known ovulation + her true luteal lengths (oracle)",
    "ov+14": "Known ovulation + 14 days (profile default)",
    "ov+12.4": "Known ovulation + 12.4 days (population)",
}


def replay(women: Sequence[Woman], scenario: str, seed: int = DEFAULT_SEED) -> list[Target]:
    rng = random.Random(seed)
    return [t for woman in women for t in replay_woman(woman, scenario, rng)]


def folds_of(women: Sequence[Woman], folds: int = FOLDS, seed: int = DEFAULT_SEED) -> list[set]:
    """Women (by ClientID, every series of one woman together) in `folds` seeded folds."""
    clients = sorted({w.client for w in women})
    random.Random(seed).shuffle(clients)
    return [set(clients[i::folds]) for i in range(folds)]


def _fmt(x: float | None, pct: bool = False, digits: int = 2) -> str:
    if x is None:
        return "-"
    return f"{x:.1%}" if pct else f"{x:.{digits}f}"


def _row(name: str, s: Score) -> str:
    return (
        f"| {name} | {s.n}/{s.targets} | {_fmt(s.mae)} | {_fmt(s.within_1, True)} "
        f"| {_fmt(s.within_2, True)} | {_fmt(s.coverage, True)} | {_fmt(s.width, digits=1)} "
        f"| {_fmt(s.found, True)} |"
    )


HEADER = [
    "| Method | scored / cycles | MAE (days) | within ±1 d | within ±2 d | 80% coverage "
    "| mean width (days) | ovulation within 1 d |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
]


def _mean_shrunk_baseline(women: Sequence[Woman]) -> list[tuple[str, int]]:
    """(client, |error|) of her past mean shrunk toward 28.5 with weight 1, cycle by
    cycle from her start (the issue's plain baseline), next to the engine's errors."""
    out = []
    for woman in women:
        for k, cycle in enumerate(woman.cycles):
            if k == 0:
                continue
            history = [c.length for c in woman.cycles[:k]]
            predicted = round((sum(history) + CALENDAR_PRIOR) / (len(history) + 1))
            out.append((woman.client, abs(predicted - cycle.length)))
    return out


def _engine_calendar_errors(women: Sequence[Woman]) -> list[tuple[str, int]]:
    out = []
    for woman in women:
        starts = _starts(woman)
        for k, cycle in enumerate(woman.cycles):
            if k == 0:
                continue
            periods = [engine.LoggedPeriod(s) for s in starts[: k + 1]]
            nxt = engine.predict_next_period(periods, on=starts[k])
            out.append((woman.client, abs(nxt.cycle_length - cycle.length)))
    return out


def cross_validate(
    women: Sequence[Woman], lh: Sequence[Target], bbt: Sequence[Target], seed: int = DEFAULT_SEED
) -> list[str]:
    """Folds over women: the luteal rule's parameters chosen on 4 folds, scored on the
    fifth; each candidate's MAE per fold; the calendar's lead over a plain mean."""
    folds = folds_of(women, seed=seed)
    candidates = [(k, sd) for k in PRIOR_WEIGHTS for sd in WITHIN_SDS]

    def rescored(targets, k, sd):
        return [
            _luteal_rule(
                Target(
                    t.client,
                    t.history,
                    t.length,
                    found=t.found,
                    ovulation_day=t.ovulation_day,
                    asked_day=t.asked_day,
                    past_luteal=t.past_luteal,
                    detection=t.detection,
                ),
                k,
                sd,
            )
            for t in targets
            if t.detection is not None and t.ovulation_day is not None
        ]

    per_candidate = {c: rescored(lh, *c) for c in candidates}
    per_candidate_bbt = {c: rescored(bbt, *c) for c in candidates}
    lines = [
        f"Folds over women: {len({w.client for w in women})} women in {FOLDS} folds (seed "
        f"{seed}). For each fold, `k` (the prior's weight, in cycles) and the within-woman "
        "luteal SD are chosen on the other four folds (LH scenario: lowest MAE, then "
        "coverage nearest 80%) and scored on the held-out women.",
        "",
        "| held-out fold | women | chosen k, SD | LH MAE | LH coverage | LH width "
        "| temperature MAE | temperature coverage |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    held = {"lh_mae": [], "lh_cov": [], "bbt_mae": [], "bbt_cov": []}
    for i, fold in enumerate(folds):

        def rank(c, fold=fold):
            s = score([t for t in per_candidate[c] if t.client not in fold])
            return (round(s.mae, 2), abs(s.coverage - 0.8))

        chosen = min(candidates, key=rank)
        s_lh = score([t for t in per_candidate[chosen] if t.client in fold])
        s_bbt = score([t for t in per_candidate_bbt[chosen] if t.client in fold])
        held["lh_mae"].append(s_lh.mae)
        held["lh_cov"].append(s_lh.coverage)
        held["bbt_mae"].append(s_bbt.mae)
        held["bbt_cov"].append(s_bbt.coverage)
        lines.append(
            f"| {i + 1} | {len(fold)} | {chosen[0]:g}, {chosen[1]:g} | {_fmt(s_lh.mae)} "
            f"| {_fmt(s_lh.coverage, True)} | {_fmt(s_lh.width, digits=1)} "
            f"| {_fmt(s_bbt.mae)} | {_fmt(s_bbt.coverage, True)} |"
        )
    lines.append(
        f"| mean ± SD | | | {statistics.fmean(held['lh_mae']):.2f} ± "
        f"{statistics.stdev(held['lh_mae']):.2f} | {statistics.fmean(held['lh_cov']):.1%} ± "
        f"{statistics.stdev(held['lh_cov']):.1%} | | {statistics.fmean(held['bbt_mae']):.2f} ± "
        f"{statistics.stdev(held['bbt_mae']):.2f} | {statistics.fmean(held['bbt_cov']):.1%} ± "
        f"{statistics.stdev(held['bbt_cov']):.1%} |"
    )
    lines += [
        "",
        "Each candidate on each fold (LH scenario, MAE / 80% coverage):",
        "",
        "| k | SD | " + " | ".join(f"fold {i + 1}" for i in range(len(folds))) + " | mean MAE |",
        "|--:|--:|" + "--:|" * (len(folds) + 1),
    ]
    for c in candidates:
        cells, maes = [], []
        for fold in folds:
            s = score([t for t in per_candidate[c] if t.client in fold])
            cells.append(f"{s.mae:.2f} / {s.coverage:.0%}")
            maes.append(s.mae)
        lines.append(
            f"| {c[0]:g} | {c[1]:g} | " + " | ".join(cells) + f" | {statistics.fmean(maes):.3f} |"
        )
    engine_errors = _engine_calendar_errors(women)
    plain = _mean_shrunk_baseline(women)
    leads = []
    for fold in folds:
        ours = statistics.fmean(e for c, e in engine_errors if c in fold)
        theirs = statistics.fmean(e for c, e in plain if c in fold)
        leads.append(theirs - ours)
    lines += [
        "",
        "Calendar only, cycles with 1+ earlier cycles: the engine's lead (MAE of her mean "
        "shrunk toward 28.5 with weight 1, minus the engine's) per fold: "
        + ", ".join(f"{x:+.2f}" for x in leads)
        + f" (mean {statistics.fmean(leads):+.2f} ± {statistics.stdev(leads):.2f} days).",
    ]
    return lines


HISTORY_GROUPS = (
    ("all cycles", 0, None),
    ("0 earlier cycles", 0, 0),
    ("1-2", 1, 2),
    ("3+", 3, None),
)


def report(path: str | Path, seed: int = DEFAULT_SEED, folds: bool = True) -> str:
    women = read_women(path)
    results = {name: replay(women, name, seed) for name in SCENARIOS}
    lines = [
        f"Replay with signs on `{Path(path).name}`: {len(women)} series, "
        f"{sum(len(w.cycles) for w in women)} cycles; targets are cycles with a known "
        "ovulation day (walk-forward: her periods and signs up to the day asked only; no "
        f"profile). Temperatures: noise {BBT_NOISE} °C, rise {BBT_RISE} °C, seed {seed}.",
    ]
    for label, fewest, most in HISTORY_GROUPS:
        lines += ["", f"**{label}**" if fewest or most is not None else "**All cycles**", ""]
        lines += HEADER
        for name, text in SCENARIOS.items():
            chosen = [
                t
                for t in results[name]
                if t.history >= fewest and (most is None or t.history <= most)
            ]
            lines.append(_row(text, score(chosen)))
    bbt_days = [t.asked_day - t.ovulation_day for t in results["bbt"] if t.found]
    if bbt_days:
        lines += [
            "",
            f"Temperatures: detected (within a day) on average {statistics.fmean(bbt_days):.1f} "
            "days after the true ovulation.",
        ]
    if folds:
        lines += ["", *cross_validate(women, results["lh"], results["bbt"], seed)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(report(args.csv, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
