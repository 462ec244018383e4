"""Her predictions, history and model are hers: every answer shows only what
comes from her rows (SECURITY.md, isolation)."""

import pytest

from predictions.models import EnergyModel, PredictionRecord
from tests.two_people import (
    API,
    OWNER_QUERIES,
    VIEWERS,
    assert_an_owner_in_the_query_string_never_widens_a_list,
    assert_shows_only_her_own_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.ownership(PredictionRecord, EnergyModel)]


@pytest.mark.parametrize(
    ("route", "quotes_her_rows"),
    [
        ("/predictions/current", False),
        ("/predictions/forecast?days=90", False),
        ("/predictions/history", True),
        ("/predictions/model", False),
    ],
)
@pytest.mark.parametrize(("viewer", "stranger"), VIEWERS)
def test_her_predictions_show_only_her_own_data(
    two_people, client_for, route, quotes_her_rows, viewer, stranger
):
    assert_shows_only_her_own_data(
        two_people, client_for, route, viewer, stranger, quotes_her_rows=quotes_her_rows
    )


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_history_counts_only_her_records(two_people, client_for, viewer):
    assert client_for(two_people[viewer]).get(f"{API}/predictions/history").json()["count"] == 1


@pytest.mark.parametrize("query", OWNER_QUERIES)
def test_an_owner_in_the_query_string_never_widens_her_history(two_people, api, query):
    assert_an_owner_in_the_query_string_never_widens_a_list(
        two_people, api, "/predictions/history", query
    )
