"""Her fertility signs are hers: a stranger's ids answer like missing ones and
change nothing, not even through the upsert; her list shows only her rows
(SECURITY.md, isolation)."""

import pytest

from signs.models import Sign
from tests.two_people import (
    API,
    OWNER_QUERIES,
    PEOPLE,
    VIEWERS,
    assert_an_owner_in_the_query_string_never_widens_a_list,
    assert_another_users_object_is_a_404_like_a_missing_one,
    assert_shows_only_her_own_data,
    snapshot,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.ownership.with_args(Sign),
]  # with_args: one class would be decorated


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_signs_are_a_404_like_missing_ones_and_nothing_changes(
    two_people, api, method
):
    body = {"date": "2026-06-01", "lh_test": "negative", "notes": "overwritten"}
    assert_another_users_object_is_a_404_like_a_missing_one(
        two_people, api, "signs", Sign, body, method
    )


@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_signs_show_only_her_own_data(two_people, client_for, viewer, stranger):
    assert_shows_only_her_own_data(
        two_people, client_for, "/signs/", viewer, stranger, quotes_her_rows=True
    )


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_signs_list_counts_only_her_rows(two_people, client_for, viewer):
    person = two_people[viewer]
    signs = client_for(person).get(f"{API}/signs/").json()
    assert {s["id"] for s in signs["results"]} == set(
        Sign.objects.filter(user=person).values_list("pk", flat=True)
    )


def test_her_upsert_on_a_strangers_logged_date_makes_her_own_entry(two_people, api):
    alice, mallory = two_people["alice"], two_people["mallory"]
    before = snapshot(mallory)
    day = PEOPLE["mallory"]["sign_dates"][0].isoformat()

    response = api.post(f"{API}/signs/", {"date": day, "bbt_celsius": "36.90"}, format="json")

    assert response.status_code == 201
    assert Sign.objects.get(pk=response.data["id"]).user == alice
    assert snapshot(mallory) == before


@pytest.mark.parametrize("query", OWNER_QUERIES)
def test_an_owner_in_the_query_string_never_widens_her_signs(two_people, api, query):
    assert_an_owner_in_the_query_string_never_widens_a_list(two_people, api, "/signs/", query)
