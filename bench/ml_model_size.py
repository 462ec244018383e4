"""Size and speed of the per-user energy model, for the README.

Run from the repository root: .venv/bin/python bench/ml_model_size.py

For synthetic users with 30, 180 and 730 days of history (10% of days unlogged) it
trains the model, stores it as the service does (joblib, compress=3), and times
predict_probabilities for 1 and 90 points, and fallback_probabilities (what serves
when the model does not) for 90 points. Half the users have the usual cycle effect,
half a pattern only the forest can learn, so both serving paths are exercised.
Figures are medians over the users, with the maximum in brackets where it matters.
"""

import dataclasses
import io
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import joblib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.vocabulary import HIGH, MEDIUM
from predictions.ml import fallback_probabilities, predict_probabilities, train
from predictions.synthetic import make_user_history

HISTORY_DAYS = (30, 180, 730)
USERS = 6
REPEATS = 20  # predictions are fast: time several calls and keep the median
TODAY = date(2026, 1, 1)


def high_early_in_the_cycle(point) -> int:
    # Inside the follicular phase: the per-phase fallback cannot express it.
    return HIGH if 6 <= point.day_of_cycle <= 11 else MEDIUM


def _median_ms(function) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(days: int, seed: int) -> dict:
    options = {"rule": high_early_in_the_cycle, "cycle_effect": 1.5} if seed % 2 else {}
    history = make_user_history(random.Random(seed), days=days, today=TODAY, **options)
    samples = history.samples()
    start = time.perf_counter()
    result = train(samples, random_state=seed)
    train_seconds = time.perf_counter() - start

    buffer = io.BytesIO()
    joblib.dump(result.estimator, buffer, compress=3)
    # A served model always gives the forest some weight; time that path for everyone.
    served = dataclasses.replace(result.estimator, weight=max(result.blend_weight, 0.5))
    # Points of her logged days, repeated up to 90: the cost depends on how many.
    points = [samples[i % len(samples)].point for i in range(90)]
    return {
        "logs": len(samples),
        "kb": buffer.getbuffer().nbytes / 1024,
        "train_s": train_seconds,
        "predict_1_ms": _median_ms(lambda: predict_probabilities(served, points[:1])),
        "predict_90_ms": _median_ms(lambda: predict_probabilities(served, points)),
        "fallback_90_ms": _median_ms(lambda: fallback_probabilities(samples, points)),
        "serves_model": result.serves_model,
    }


def main() -> None:
    columns = (
        "days",
        "logs",
        "joblib KB (max)",
        "train s (max)",
        "predict 1 pt ms",
        "predict 90 pts ms",
        "fallback 90 pts ms",
        "model served",
    )
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for days in HISTORY_DAYS:
        rows = [measure(days, seed) for seed in range(USERS)]

        def median(key, rows=rows):
            return statistics.median(row[key] for row in rows)

        def largest(key, rows=rows):
            return max(row[key] for row in rows)

        cells = (
            f"{days}",
            f"{median('logs'):.0f}",
            f"{median('kb'):.1f} ({largest('kb'):.1f})",
            f"{median('train_s'):.2f} ({largest('train_s'):.2f})",
            f"{median('predict_1_ms'):.1f}",
            f"{median('predict_90_ms'):.1f}",
            f"{median('fallback_90_ms'):.1f}",
            f"{sum(row['serves_model'] for row in rows)}/{USERS}",
        )
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
