"""Her account and her export are hers: they show nothing of another user's
(SECURITY.md, isolation). Each app's rows are checked in its own test_ownership."""

import pytest

from accounts.activity import Event, record_activity
from accounts.models import ActivityEvent
from tests.two_people import API, PEOPLE, VIEWERS, assert_shows_only_her_own_data

# with_args: one class alone would be decorated by the mark instead.
pytestmark = [pytest.mark.django_db, pytest.mark.ownership.with_args(ActivityEvent)]


@pytest.mark.parametrize(
    ("route", "quotes_her_rows"),
    [("/auth/me", True), ("/auth/me/export", True), ("/auth/me/activity", False)],
)
@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_account_export_and_activity_show_only_her_own_data(
    two_people, client_for, route, quotes_her_rows, viewer, stranger
):
    assert_shows_only_her_own_data(
        two_people, client_for, route, viewer, stranger, quotes_her_rows=quotes_her_rows
    )


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_export_holds_her_rows_only(two_people, client_for, viewer):
    person, spec = two_people[viewer], PEOPLE[viewer]
    export = client_for(person).get(f"{API}/auth/me/export").json()
    assert export["account"]["id"] == person.pk
    assert len(export["periods"]) == len(spec["period_starts"])
    assert len(export["moods"]) == len(spec["mood_dates"])
    assert export["energy_model"]["version"] == spec["model_version"]


@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_activity_log_lists_only_her_events(two_people, client_for, viewer, stranger):
    record_activity(two_people[viewer], Event.LOGOUT)
    record_activity(two_people[stranger], Event.PASSWORD_CHANGED)

    events = client_for(two_people[viewer]).get(f"{API}/auth/me/activity").json()["results"]

    assert [event["event"] for event in events] == ["logout"]
