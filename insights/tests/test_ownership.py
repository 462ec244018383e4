"""Her insights and her report come from her rows only (SECURITY.md, isolation)."""

import subprocess

import pytest

from predictions.models import NextPeriodPrediction
from predictions.tests.factories import NextPeriodPredictionFactory
from tests.two_people import API, PEOPLE, VIEWERS, assert_shows_only_her_own_data

pytestmark = [pytest.mark.django_db, pytest.mark.ownership.with_args(NextPeriodPrediction)]


@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_insights_show_only_her_own_data(two_people, client_for, viewer, stranger):
    assert_shows_only_her_own_data(
        two_people, client_for, "/insights", viewer, stranger, quotes_her_rows=True
    )


@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_report_names_only_her_and_her_periods(two_people, client_for, viewer, stranger):
    pdf = client_for(two_people[viewer]).get(f"{API}/reports/cycles.pdf").content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert two_people[viewer].name in text  # the control
    assert two_people[stranger].name not in text
    for start in PEOPLE[stranger]["period_starts"]:
        assert start.strftime("%d %b %Y") not in text
    for start in PEOPLE[viewer]["period_starts"]:
        assert start.strftime("%d %b %Y") in text


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_next_period_accuracy_scores_only_her_records(two_people, client_for, viewer):
    # Each has one record (tests/two_people.py): her first start, as predicted.
    body = client_for(two_people[viewer]).get(f"{API}/insights").json()
    # Hers only: one record, scored against her own next start (28 or 30 days on).
    expected = (PEOPLE[viewer]["period_starts"][1] - PEOPLE[viewer]["period_starts"][0]).days
    assert body["prediction_accuracy"]["next_period"] == {
        "evaluated": 1,
        "mean_abs_error_days": float(expected),
    }


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_export_holds_only_her_next_period_records(two_people, client_for, viewer):
    export = client_for(two_people[viewer]).get(f"{API}/auth/me/export").json()
    assert [row["cycle_start"] for row in export["next_period_predictions"]] == [
        PEOPLE[viewer]["period_starts"][0].isoformat()
    ]


def test_her_next_period_records_go_with_her_account(two_people, client_for):
    alice = two_people["alice"]
    NextPeriodPredictionFactory(user=alice)
    alice.delete()
    assert list(NextPeriodPrediction.objects.values_list("user", flat=True)) == [
        two_people["mallory"].pk
    ]
