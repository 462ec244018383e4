"""``manage.py evaluate_cycles``: replay real cycles through the next-period prediction.

A thin wrapper: the work is ``cycles.evaluation.evaluate_csv`` (also runnable as
``python -m cycles.evaluation``), which this prints as Markdown tables.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cycles import ovulation_evaluation
from cycles.evaluation import DEFAULT_CSV, DEFAULT_SEED, Report, evaluate_csv


class Command(BaseCommand):
    help = (
        "Walk-forward evaluation of the next-period prediction against baselines on a "
        "cycles CSV (cycles_dev.csv format), clean and with simulated missed logs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv",
            type=Path,
            default=DEFAULT_CSV,
            help=f"cycles CSV file (default: {DEFAULT_CSV})",
        )
        parser.add_argument(
            "--signs",
            action="store_true",
            help="replay with fertility signs instead (an LH positive, simulated "
            "temperatures, the known-ovulation oracle) and cross-validate over women",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="seed of the missed-log simulation (default: %(default)s)",
        )

    def handle(self, *args, **options) -> str:
        if options.get("signs"):
            path = Path(options["csv"])
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            self.stdout.write(ovulation_evaluation.report(path, options["seed"]))
            return ""
        report = self.evaluate(Path(options["csv"]), options["seed"])
        self.stdout.write(report.to_markdown())
        return report.summary()  # Django prints the returned one-line summary

    def evaluate(self, path: Path, seed: int) -> Report:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        return evaluate_csv(path, seed=seed)
