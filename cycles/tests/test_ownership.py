"""Her periods and profile are hers: a stranger's ids answer like missing ones and
change nothing; her answers show only her rows (SECURITY.md, isolation)."""

import pytest

from cycles.models import Period, Profile
from tests.two_people import (
    API,
    OWNER_QUERIES,
    PEOPLE,
    VIEWERS,
    assert_an_owner_in_the_query_string_never_widens_a_list,
    assert_another_users_object_is_a_404_like_a_missing_one,
    assert_shows_only_her_own_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.ownership(Period, Profile)]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_period_is_a_404_like_a_missing_one_and_nothing_changes(
    two_people, api, method
):
    body = {"start_date": "2026-06-01", "end_date": "2026-06-03"}
    assert_another_users_object_is_a_404_like_a_missing_one(
        two_people, api, "periods", Period, body, method
    )


@pytest.mark.parametrize(
    ("route", "quotes_her_rows"),
    [("/periods/", True), ("/periods/stats", False), ("/profiles/me", False)],
)
@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_periods_and_profile_show_only_her_own_data(
    two_people, client_for, route, quotes_her_rows, viewer, stranger
):
    assert_shows_only_her_own_data(
        two_people, client_for, route, viewer, stranger, quotes_her_rows=quotes_her_rows
    )


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_period_list_stats_and_profile_count_only_her_rows(two_people, client_for, viewer):
    person, spec = two_people[viewer], PEOPLE[viewer]
    client = client_for(person)
    periods = client.get(f"{API}/periods/").json()
    assert {p["id"] for p in periods["results"]} == set(
        Period.objects.filter(user=person).values_list("pk", flat=True)
    )
    assert client.get(f"{API}/periods/stats").json()["period_count"] == len(spec["period_starts"])
    assert client.get(f"{API}/profiles/me").json()["height_cm"] == spec["height_cm"]


@pytest.mark.parametrize("query", OWNER_QUERIES)
def test_an_owner_in_the_query_string_never_widens_her_periods(two_people, api, query):
    assert_an_owner_in_the_query_string_never_widens_a_list(two_people, api, "/periods/", query)
