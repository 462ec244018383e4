"""How long a large Apple Health export takes to import, and how much the
process grows meanwhile.

Writes an ``export.xml`` of about ``--mb`` MB (default 60) shaped like Apple's:
its inline DTD, then mostly unrelated records (steps, heart rate, energy, with
metadata) and, over ``--years`` years, her menstrual flow days (first days
marked), basal temperatures and LH tests. Then imports it into a new user of a
throwaway SQLite database, through ``imports.services.import_run`` (what the
background task runs), and prints the time and the process's resident memory:
before, at its peak (sampled every 20 ms by a thread) and after. ``--zip``
also imports the same file packed as ``export.zip``.

    .venv/bin/python bench/apple_import.py [--mb 60] [--years 5] [--zip]

psutil is in requirements-bench.txt.
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
<!ELEMENT Me EMPTY>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED
  sourceName CDATA #REQUIRED sourceVersion CDATA #IMPLIED device CDATA #IMPLIED
  creationDate CDATA #IMPLIED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry key CDATA #REQUIRED value CDATA #REQUIRED>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-11-01 09:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"""
NOISE = (
    ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Her Watch" '
    'sourceVersion="10.1" device="&lt;&lt;HKDevice: 0x28&gt;, name:Apple Watch&gt;" '
    'unit="count" creationDate="{t}" startDate="{t}" endDate="{t}" value="{v}"/>\n'
    ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Her Watch" '
    'sourceVersion="10.1" unit="count/min" creationDate="{t}" startDate="{t}" endDate="{t}" '
    'value="{h}">\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
    " </Record>\n"
)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +0100")


def write_export(path: Path, *, megabytes: int, years: int) -> dict:
    rng = random.Random(2026)
    first = date(2026, 10, 31) - timedelta(days=365 * years)
    days = (date(2026, 10, 31) - first).days
    target = megabytes * 1024 * 1024
    counts = {"flow_days": 0, "bbt": 0, "lh": 0, "noise": 0}
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        start = first
        cycle_day = 0
        for offset in range(days):
            day = first + timedelta(days=offset)
            morning = datetime(day.year, day.month, day.day, 6, 30)
            if day >= start + timedelta(days=28 + rng.randint(-2, 2)):
                start, cycle_day = day, 0
            if cycle_day < 5:
                marked = (
                    '\n  <MetadataEntry key="HKMenstrualCycleStart" value="1"/>\n '
                    if cycle_day == 0
                    else ""
                )
                out.write(
                    f' <Record type="HKCategoryTypeIdentifierMenstrualFlow" sourceName="Health" '
                    f'value="HKCategoryValueMenstrualFlowMedium" startDate="{stamp(morning)}" '
                    f'endDate="{stamp(morning)}">{marked}</Record>\n'
                )
                counts["flow_days"] += 1
            bbt = 36.3 + (0.35 if cycle_day > 14 else 0) + rng.random() / 10
            out.write(
                f' <Record type="HKQuantityTypeIdentifierBasalBodyTemperature" sourceName="Th" '
                f'unit="degC" value="{bbt:.2f}" '
                f'startDate="{stamp(morning)}" endDate="{stamp(morning)}"/>\n'
            )
            counts["bbt"] += 1
            if 11 <= cycle_day <= 15:
                result = "Positive" if cycle_day == 13 else "Negative"
                out.write(
                    ' <Record type="HKCategoryTypeIdentifierOvulationTestResult" sourceName="H" '
                    f'value="HKCategoryValueOvulationTestResult{result}" '
                    f'startDate="{stamp(morning)}" endDate="{stamp(morning)}"/>\n'
                )
                counts["lh"] += 1
            cycle_day += 1
        # The bulk of the file: the watch's records, spread over the same years.
        moment = datetime(first.year, first.month, first.day)
        while out.tell() < target:
            moment += timedelta(minutes=7)
            out.write(NOISE.format(t=stamp(moment), v=rng.randint(5, 900), h=rng.randint(55, 150)))
            counts["noise"] += 2
        out.write("</HealthData>\n")
    return counts


class PeakSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)


def measure(path: Path, user) -> None:
    from imports import services
    from imports.models import Import

    record = Import.objects.create(user=user, filename=path.name, size_bytes=path.stat().st_size)
    process = psutil.Process()
    before = process.memory_info().rss
    sampler = PeakSampler()
    sampler.start()
    started = time.monotonic()
    record = services.import_run(import_id=record.pk, path=path)
    seconds = time.monotonic() - started
    sampler.running = False
    sampler.join()
    after = process.memory_info().rss
    mb = 1024 * 1024
    print(
        f"{path.name}: {path.stat().st_size / mb:.1f} MB, {record.status}, "
        f"created {record.created}, "
        f"skipped {record.skipped}, {record.error_count} problems, in {seconds:.1f}s; "
        f"RSS before {before / mb:.0f} MB, peak {sampler.peak / mb:.0f} MB "
        f"(+{(sampler.peak - before) / mb:.1f} MB), after {after / mb:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=60)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--zip", action="store_true", help="Also import it as export.zip.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="planher-bench-import-"))
    xml = folder / "export.xml"
    started = time.monotonic()
    counts = write_export(xml, megabytes=args.mb, years=args.years)
    seconds = time.monotonic() - started
    print(f"wrote {xml} ({xml.stat().st_size / 1024**2:.1f} MB, {counts}) in {seconds:.1f}s")

    os.environ.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planher.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    measure(xml, UserFactory(email="bench-xml@planher.test"))
    if args.zip:
        packed = folder / "export.zip"
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(xml, "apple_health_export/export.xml")
        measure(packed, UserFactory(email="bench-zip@planher.test"))


if __name__ == "__main__":
    main()
