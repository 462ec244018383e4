"""Isolation: another user's ids and data answer like missing ones; her lists show only hers.

Part of what SECURITY.md promises, each shown over real HTTP."""

import pytest

from cycles.models import Period, Profile
from moods.models import DailyMood
from predictions.models import EnergyModel, PredictionRecord

from .common import API, PEOPLE, markers, snapshot

# Every model below is in ``snapshot`` or behind one of the routes.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.ownership(Profile, Period, DailyMood, PredictionRecord, EnergyModel),
]


OBJECT_ROUTES = {
    "periods": (Period, {"start_date": "2026-06-01", "end_date": "2026-06-03"}),
    "moods": (DailyMood, {"date": "2026-06-01", "energy_level": 0, "notes": "overwritten"}),
}


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("route", list(OBJECT_ROUTES))
def test_another_users_object_is_a_404_like_a_missing_one_and_nothing_changes(
    two_people, api, route, method
):
    model, body = OBJECT_ROUTES[route]
    mallory = two_people["mallory"]
    theirs = model.objects.filter(user=mallory).first().pk
    missing = model.objects.order_by("-pk").first().pk + 1000
    before = snapshot(mallory)

    answer = getattr(api, method)(f"{API}/{route}/{theirs}/", body)
    control = getattr(api, method)(f"{API}/{route}/{missing}/", body)

    assert answer.status_code == 404
    assert (answer.status_code, answer.json()) == (control.status_code, control.json())
    assert snapshot(mallory) == before


COLLECTIONS = [
    "/periods/",
    "/periods/stats",
    "/moods/",
    "/profiles/me",
    "/predictions/current",
    "/predictions/forecast?days=90",
    "/predictions/history",
    "/predictions/model",
    "/auth/me",
    "/auth/me/export",
]
# The routes whose answers quote her own rows (the others only compute from them).
QUOTE_HER_ROWS = {"/periods/", "/moods/", "/predictions/history", "/auth/me", "/auth/me/export"}


@pytest.mark.parametrize("route", COLLECTIONS)
@pytest.mark.parametrize(("viewer", "stranger"), [("alice", "mallory"), ("mallory", "alice")])
def test_every_collection_shows_only_her_own_data(two_people, client_for, route, viewer, stranger):
    response = client_for(two_people[viewer]).get(f"{API}{route}")
    assert response.status_code == 200, response.content
    text = response.content.decode()
    for marker in markers(two_people[stranger], PEOPLE[stranger]):
        assert marker not in text, f"{route} shows {marker!r} of another user"
    if route in QUOTE_HER_ROWS:  # the control: her own rows do show
        assert any(marker in text for marker in markers(two_people[viewer], PEOPLE[viewer]))


@pytest.mark.parametrize("viewer", ["alice", "mallory"])
def test_her_lists_count_and_describe_only_her_rows(two_people, client_for, viewer):
    person, spec = two_people[viewer], PEOPLE[viewer]
    client = client_for(person)
    periods = client.get(f"{API}/periods/").json()
    assert {p["id"] for p in periods["results"]} == set(
        Period.objects.filter(user=person).values_list("pk", flat=True)
    )
    moods = client.get(f"{API}/moods/").json()
    assert {m["id"] for m in moods["results"]} == set(
        DailyMood.objects.filter(user=person).values_list("pk", flat=True)
    )
    assert client.get(f"{API}/periods/stats").json()["period_count"] == len(spec["period_starts"])
    assert client.get(f"{API}/profiles/me").json()["height_cm"] == spec["height_cm"]
    assert client.get(f"{API}/predictions/history").json()["count"] == 1
    export = client.get(f"{API}/auth/me/export").json()
    assert export["account"]["id"] == person.pk
    assert len(export["periods"]) == len(spec["period_starts"])
    assert len(export["moods"]) == len(spec["mood_dates"])
    assert export["energy_model"]["version"] == spec["model_version"]


@pytest.mark.parametrize(
    "query", ["user={other}", "user_id={other}", "owner={other}", "pk={other}"]
)
@pytest.mark.parametrize("route", ["/periods/", "/moods/", "/predictions/history"])
def test_an_owner_in_the_query_string_never_widens_a_list(two_people, api, route, query):
    mallory = two_people["mallory"]
    plain = api.get(f"{API}{route}").json()
    widened = api.get(f"{API}{route}?{query.format(other=mallory.pk)}").json()
    assert widened == plain
