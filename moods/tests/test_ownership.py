"""Her energy logs are hers: a stranger's ids answer like missing ones and change
nothing; her list shows only her rows (SECURITY.md, isolation)."""

import pytest

from moods.models import DailyMood
from tests.two_people import (
    API,
    OWNER_QUERIES,
    VIEWERS,
    assert_an_owner_in_the_query_string_never_widens_a_list,
    assert_another_users_object_is_a_404_like_a_missing_one,
    assert_shows_only_her_own_data,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.ownership.with_args(DailyMood),
]  # with_args: one class would be decorated


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_mood_is_a_404_like_a_missing_one_and_nothing_changes(
    two_people, api, method
):
    body = {"date": "2026-06-01", "energy_level": 0, "notes": "overwritten"}
    assert_another_users_object_is_a_404_like_a_missing_one(
        two_people, api, "moods", DailyMood, body, method
    )


@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_moods_show_only_her_own_data(two_people, client_for, viewer, stranger):
    assert_shows_only_her_own_data(
        two_people, client_for, "/moods/", viewer, stranger, quotes_her_rows=True
    )


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_mood_list_counts_only_her_rows(two_people, client_for, viewer):
    person = two_people[viewer]
    moods = client_for(person).get(f"{API}/moods/").json()
    assert {m["id"] for m in moods["results"]} == set(
        DailyMood.objects.filter(user=person).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("query", OWNER_QUERIES)
def test_an_owner_in_the_query_string_never_widens_her_moods(two_people, api, query):
    assert_an_owner_in_the_query_string_never_widens_a_list(two_people, api, "/moods/", query)
