"""How long her cycle report (GET /reports/cycles.pdf) takes to render.

    .venv/bin/python bench/report_pdf.py [--renders 20] [--days 730] [--out /tmp/report]

In-process, on a fresh SQLite file: a user with ``--days`` of synthetic history
(periods, daily energy) and a basal temperature logged every day of the last 120,
rising after ovulation; the PDF is rendered ``--renders`` times (no answer cache:
each render is the full work) and the median and max are printed (wall clock,
and the CPU time of this process, which other load on the machine moves less),
with the time of the request served from the cache. ``--out`` also writes her PDF and a new
user's (no data) for looking at (``pdftoppm -png -r 60``).
"""

import argparse
import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import harness


def add_temperatures(user, days: int = 120) -> None:
    """A biphasic curve: about 36.4 °C before ovulation, 36.8 after."""
    import random

    from cycles import services as cycle_services
    from signs.models import Sign

    rng = random.Random(7)
    today = user.local_today()
    dates = [today - timedelta(days=n) for n in range(days, 0, -1)]
    positions = cycle_services.cycle_positions(user=user, dates=dates)
    rows = []
    for day in dates:
        where = positions.get(day)
        if where is None:
            continue
        luteal = where.phase == "luteal"
        value = (36.78 if luteal else 36.38) + rng.uniform(-0.08, 0.08)
        rows.append(Sign(user=user, date=day, bbt_celsius=Decimal(f"{value:.2f}")))
    Sign.objects.bulk_create(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    harness.setup_django(harness.bench_environment(None))
    from caches import client_for
    from django.contrib.auth import get_user_model

    from insights.report import cycle_report_pdf

    user = harness.make_user("report@planher.test", days=args.days, train=False)
    add_temperatures(user)
    today = user.local_today()
    cycle_report_pdf(user=user, today=today)  # fonts registered, imports warm
    samples, cpu = [], []
    for _ in range(args.renders):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = cycle_report_pdf(user=user, today=today)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    client = client_for(user)
    assert client.get("/api/v1/reports/cycles.pdf").status_code == 200
    started = time.perf_counter()
    client.get("/api/v1/reports/cycles.pdf")
    cached = (time.perf_counter() - started) * 1000
    print(f"{args.days} days of history, {args.renders} renders, {len(pdf) // 1024} KiB;")
    print(f"machine: {harness.machine()}; load average {os.getloadavg()[0]:.1f}\n")
    print("| render | median ms | max ms | CPU ms (median) |")
    print("|---|--:|--:|--:|")
    print(
        f"| full (no cache) | {statistics.median(samples):.0f} | {max(samples):.0f} "
        f"| {statistics.median(cpu):.0f} |"
    )
    print(f"| request served from the cache | {cached:.1f} | | |")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "report.pdf").write_bytes(pdf)
        empty = get_user_model().objects.create(email="new@planher.test", name="New Person")
        (args.out / "empty.pdf").write_bytes(cycle_report_pdf(user=empty, today=today))
        print(f"\nwrote {args.out}/report.pdf and {args.out}/empty.pdf")


if __name__ == "__main__":
    main()
