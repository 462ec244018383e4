"""The walk-forward evaluation: its bookkeeping, and the engine's targets on real cycles."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cycles import evaluation
from cycles.evaluation import ENGINE, evaluate_csv, read_cycles
from cycles.ovulation_evaluation import SCENARIOS

DEV_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cycles_dev.csv"

HEADER = "ClientID,CycleNumber,LengthofCycle,LengthofMenses\n"


@pytest.fixture(scope="module")
def dev_report():
    if not DEV_CSV.is_file():
        pytest.skip(f"the real cycles file is not at {DEV_CSV}")
    return evaluate_csv(DEV_CSV)


def write_csv(tmp_path, rows: str) -> Path:
    path = tmp_path / "cycles.csv"
    path.write_text(HEADER + rows)
    return path


# ------------------------------------------------------------- targets on real data


def test_the_engine_meets_the_error_target_on_the_dev_file(dev_report):
    assert dev_report.cycle_count == 692
    assert dev_report.clean.score(ENGINE).mae <= 2.10


def test_its_80_percent_interval_is_calibrated_and_narrow(dev_report):
    ours = dev_report.clean.score(ENGINE)
    assert 0.78 <= ours.coverage <= 0.86
    assert ours.mean_width <= 7.5


def test_it_survives_missed_logs(dev_report):
    assert dev_report.missed_logs.score(ENGINE).mae <= 2.25
    assert 0.78 <= dev_report.missed_logs.score(ENGINE).coverage <= 0.86


@pytest.mark.parametrize("scenario", ["clean", "missed_logs"])
def test_it_beats_every_baseline(dev_report, scenario):
    result = getattr(dev_report, scenario)
    ours = result.score(ENGINE).mae
    for baseline in ("fixed_28", "last_cycle", "mean", "median"):
        assert ours < result.score(baseline).mae, baseline


def test_the_report_prints_a_markdown_table_for_both_scenarios(dev_report):
    text = dev_report.to_markdown()
    assert text.count("| History | Method |") == 2
    for label in evaluation.METHOD_LABELS.values():
        assert label in text
    assert "80% coverage" in text


# -------------------------------------------------------------------- bookkeeping


def test_a_tiny_file_is_replayed_walk_forward(tmp_path):
    path = write_csv(tmp_path, "a,1,28,5\na,2,30,5\na,3,29,5\nb,1,26,4\nb,2,27,4\n")
    report = evaluate_csv(path)
    clean = report.clean
    assert (report.series_count, report.cycle_count, report.skipped_rows) == (2, 5, 0)
    assert clean.score("fixed_28", "0").n == 2  # each woman's first cycle
    assert clean.score("fixed_28", "1-2").n == 3
    assert clean.score("fixed_28", "3+").n == 0
    assert clean.score("fixed_28", "1+").mae == pytest.approx((2 + 1 + 1) / 3)
    # "last cycle" predicts 28, 30 and 26 for 30, 29 and 27
    assert clean.score("last_cycle", "1+").mae == pytest.approx((2 + 1 + 1) / 3)
    assert clean.score("fixed_28", "1+").coverage is None  # baselines give no interval
    assert clean.score(ENGINE, "1+").coverage is not None


def test_a_blank_length_is_skipped_and_breaks_the_series(tmp_path):
    path = write_csv(tmp_path, "a,1,28,5\na,2,,5\na,3,29,5\na,4,30,5\n")
    data = read_cycles(path)
    assert data.series == [[28], [29, 30]]
    assert data.skipped_rows == 1


def test_a_restarted_cycle_number_starts_a_new_series(tmp_path):
    path = write_csv(tmp_path, "a,1,28,5\na,2,29,5\na,1,28,5\na,2,27,5\nb,1,30,5\n")
    assert read_cycles(path).series == [[28, 29], [28, 27], [30]]


def test_a_missed_log_merges_a_cycle_with_the_next_and_only_clean_cycles_are_targets():
    assert evaluation._logged([28, 30, 27, 29], {1}) == [(28, True), (57, False), (29, True)]
    assert evaluation._logged([28, 30, 27, 29], {0, 1}) == [(85, False), (29, True)]
    assert evaluation._logged([28, 30], set()) == [(28, True), (30, True)]


def test_the_missed_logs_depend_only_on_the_seed():
    series = [[28] * 20, [30] * 15]
    picks = evaluation._pick_merged(series, 0.1, seed=7)
    assert picks == evaluation._pick_merged(series, 0.1, seed=7)
    assert sum(map(len, picks)) == round(0.1 * (19 + 14))


def test_the_command_prints_the_table_and_returns_a_summary(tmp_path):
    from cycles.management.commands.evaluate_cycles import Command

    path = write_csv(tmp_path, "a,1,28,5\na,2,30,5\na,3,29,5\n")
    out = StringIO()
    command = Command(stdout=out)
    summary = command.handle(csv=path, seed=1)
    assert "| History | Method |" in out.getvalue()
    assert summary.startswith("engine MAE")


def test_the_command_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    from cycles.management.commands.evaluate_cycles import Command

    with pytest.raises(CommandError):
        Command(stdout=StringIO()).evaluate(tmp_path / "nope.csv", 0)


def test_the_module_runs_as_a_script(tmp_path, capsys):
    path = write_csv(tmp_path, "a,1,28,5\na,2,30,5\n")
    assert evaluation.main(["--csv", str(path), "--seed", "3"]) == 0
    assert "Missed logs" in capsys.readouterr().out


def test_the_command_with_signs_replays_lh_temperatures_and_the_oracle(tmp_path):
    """`evaluate_cycles --signs` on a small file: every scenario's row, and the folds."""
    rows = [
        "ClientID,CycleNumber,LengthofCycle,LengthofMenses,LengthofLutealPhase,"
        "EstimatedDayofOvulation"
    ]
    for client in range(10):
        for number, (length, ovulation) in enumerate([(28, 15), (30, 17), (27, 14), (29, 16)]):
            rows.append(f"w{client},{number + 1},{length},5,{length - ovulation},{ovulation}")
    path = tmp_path / "cycles.csv"
    path.write_text("\n".join(rows) + "\n")
    out = StringIO()
    call_command("evaluate_cycles", csv=path, signs=True, stdout=out)
    text = out.getvalue()
    for label in SCENARIOS.values():
        assert label in text
    assert "held-out fold" in text
