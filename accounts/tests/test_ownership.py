"""Her account and her export are hers: they show nothing of another user's
(SECURITY.md, isolation). Each app's rows are checked in its own test_ownership."""

import pytest

from tests.two_people import API, PEOPLE, VIEWERS, assert_shows_only_her_own_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", ["/auth/me", "/auth/me/export"])
@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_account_and_export_show_only_her_own_data(
    two_people, client_for, route, viewer, stranger
):
    assert_shows_only_her_own_data(
        two_people, client_for, route, viewer, stranger, quotes_her_rows=True
    )


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_export_holds_her_rows_only(two_people, client_for, viewer):
    person, spec = two_people[viewer], PEOPLE[viewer]
    export = client_for(person).get(f"{API}/auth/me/export").json()
    assert export["account"]["id"] == person.pk
    assert len(export["periods"]) == len(spec["period_starts"])
    assert len(export["moods"]) == len(spec["mood_dates"])
    assert export["energy_model"]["version"] == spec["model_version"]
