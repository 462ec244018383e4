"""Does detected ovulation help her energy predictions? (issue 14, item 4)

Synthetic users (``predictions.synthetic``) whose energy follows their TRUE
ovulation (high around it; their luteal length is 11-16 days, not the engine's
default 14). Each is trained on her first ``--train`` days and scored on the next
``--test`` days, served as PlanHer serves them: positions from the cycle engine as
known on her last training day (past days placed by her logged periods, coming
days by its prediction), her model where it beats the fallback, else the fallback.

Two arms differ only in what the engine is given:

* ``calendar``: her periods (no profile luteal length: the default 14 days);
* ``signs``: the same periods and an LH positive logged the day before each
  ovulation up to her last training day, so the engine places ovulation where her
  signs do, and predicts later cycles with her measured luteal length.

Run: ``.venv/bin/python bench/energy_ovulation.py [--users 40] [--train 180] [--test 90]``
(pure Python, no database). Prints mean log-loss and accuracy on the test days.
"""

import argparse
import math
import random
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.vocabulary import ENERGY_LABELS
from cycles import engine
from predictions import ml, synthetic

TODAY = date(2026, 3, 15)


def score(history, arm: str, train_days: int, test_days: int):
    last = history.first_day + timedelta(days=train_days - 1)
    periods = [p for p in history.periods if p.start <= last]
    signs = []
    if arm == "signs":
        signs = [
            engine.DailySigns(c.ovulation - timedelta(days=1), lh_test="positive")
            for c in history.cycles
            if c.ovulation - timedelta(days=1) <= last
        ]
    train = sorted((d, v) for d, v in history.levels.items() if d <= last)
    test = sorted(
        (d, v) for d, v in history.levels.items() if last < d <= last + timedelta(days=test_days)
    )
    where = engine.positions(
        periods, [d for d, _ in train] + [d for d, _ in test], on=last, signs=signs
    )
    samples = [ml.Sample(where[d], v) for d, v in train if where[d] is not None]
    points = [where[d] for d, _ in test]
    levels = [v for _, v in test]
    try:
        result = ml.train(samples)
    except ml.NotEnoughData:
        return None
    if result.serves_model:
        probabilities = ml.predict_probabilities(result.estimator, points)
    else:
        probabilities = ml.fallback_probabilities(samples, points)
    losses, hits = [], []
    for probs, level in zip(probabilities, levels, strict=True):
        p = max(probs[ENERGY_LABELS[level]], 1e-6)
        losses.append(-math.log(p))
        hits.append(max(probs, key=probs.get) == ENERGY_LABELS[level])
    return statistics.fmean(losses), statistics.fmean(hits), result.serves_model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--train", type=int, default=180)
    parser.add_argument("--test", type=int, default=90)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    rows = {"calendar": [], "signs": []}
    for u in range(args.users):
        history = synthetic.make_user_history(
            random.Random(args.seed * 1000 + u), days=args.train + args.test, today=TODAY
        )
        for arm in rows:
            outcome = score(history, arm, args.train, args.test)
            if outcome is not None:
                rows[arm].append(outcome)
    print(f"{args.users} users, trained on {args.train} days, scored on the next {args.test}:")
    print("| arm | users | log-loss | accuracy | model served |")
    print("|---|--:|--:|--:|--:|")
    for arm, outcomes in rows.items():
        print(
            f"| {arm} | {len(outcomes)} | {statistics.fmean(o[0] for o in outcomes):.3f} "
            f"| {statistics.fmean(o[1] for o in outcomes):.3f} | {sum(o[2] for o in outcomes)} |"
        )
    paired = [c[0] - s[0] for c, s in zip(rows["calendar"], rows["signs"], strict=True)]
    error = statistics.stdev(paired) / math.sqrt(len(paired))
    print(
        "log-loss gain with signs (calendar - signs), paired over users: "
        f"{statistics.fmean(paired):+.3f} ± {error:.3f} (SE)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
