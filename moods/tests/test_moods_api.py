from datetime import date

import pytest
import time_machine

from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood

from .factories import DailyMoodFactory

URL = "/api/v1/moods/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def detail(mood):
    return f"{URL}{mood.pk}/"


def test_post_creates_an_entry(api, user):
    response = api.post(URL, {"date": "2026-03-15", "energy_level": 2, "notes": "ran 5k"})
    assert response.status_code == 201, response.data
    assert response.data["energy_level"] == 2
    assert response.data["notes"] == "ran 5k"
    assert DailyMood.objects.get().user == user


def test_post_on_a_logged_date_replaces_the_entry(api, user):
    first = api.post(URL, {"date": "2026-03-14", "energy_level": 2, "notes": "good"})
    second = api.post(URL, {"date": "2026-03-14", "energy_level": 0})
    assert second.status_code == 200
    assert second.data["id"] == first.data["id"]
    assert second.data["energy_level"] == 0
    assert second.data["notes"] == ""
    assert DailyMood.objects.count() == 1


def test_posting_an_entry_she_already_has_changes_nothing(api, user):
    body = {"date": "2026-03-14", "energy_level": 2, "notes": "good"}
    first = api.post(URL, body)
    user.refresh_from_db()
    version, updated_at = user.data_version, DailyMood.objects.get().updated_at

    with time_machine.travel("2026-03-15 12:05:00+00:00", tick=False):
        again = api.post(URL, body)

    assert again.status_code == 200
    assert again.data == first.data
    user.refresh_from_db()
    assert user.data_version == version  # her cached answers still hold
    assert DailyMood.objects.get().updated_at == updated_at


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-03-16", "energy_level": 1}, "date"),
        ({"date": "2026-02-30", "energy_level": 1}, "date"),
        ({"date": "2026-03-01", "energy_level": 3}, "energy_level"),
        ({"date": "2026-03-01", "energy_level": -1}, "energy_level"),
        ({"date": "2026-03-01", "energy_level": "high"}, "energy_level"),
        ({"date": "2026-03-01", "energy_level": 10**30}, "energy_level"),
        ({"date": "2026-03-01", "energy_level": 1.5}, "energy_level"),
        ({"date": "2026-03-01", "energy_level": None}, "energy_level"),
        ({"date": "2026-03-01", "energy_level": 1, "notes": "x" * 2001}, "notes"),
        ({"date": "2026-03-01", "energy_level": 1, "notes": "a\x00b"}, "notes"),
        ({"date": "2026-03-01", "energy_level": 1, "notes": {"a": 1}}, "notes"),
        ({"energy_level": 1}, "date"),
        ({"date": "2026-03-01"}, "energy_level"),
    ],
)
def test_it_refuses_bad_input(api, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not DailyMood.objects.exists()


@pytest.mark.parametrize("body", [[], [{"date": "2026-03-01", "energy_level": 1}], "", None])
def test_a_body_that_is_not_an_object_is_a_400(api, body):
    assert api.post(URL, body, format="json").status_code == 400


def test_notes_may_hold_2000_characters(api):
    response = api.post(URL, {"date": "2026-03-01", "energy_level": 1, "notes": "x" * 2000})
    assert response.status_code == 201


def test_unknown_fields_and_owner_fields_are_ignored(api, user, other_user):
    response = api.post(
        URL,
        {"date": "2026-03-01", "energy_level": 1, "user": other_user.pk, "mood": "meh", "id": 77},
    )
    assert response.status_code == 201
    assert DailyMood.objects.get().user == user


def test_patch_changes_an_entry(api, user):
    mood = DailyMoodFactory(user=user, date=date(2026, 3, 1), energy_level=0)
    response = api.patch(detail(mood), {"energy_level": 2})
    assert response.status_code == 200
    mood.refresh_from_db()
    assert mood.energy_level == 2


def test_an_edit_onto_another_logged_date_is_a_400(api, user):
    DailyMoodFactory(user=user, date=date(2026, 3, 1))
    mood = DailyMoodFactory(user=user, date=date(2026, 3, 2))
    response = api.patch(detail(mood), {"date": "2026-03-01"})
    assert response.status_code == 400
    assert "date" in response.data
    mood.refresh_from_db()
    assert mood.date == date(2026, 3, 2)


def test_put_replaces_an_entry(api, user):
    mood = DailyMoodFactory(user=user, date=date(2026, 3, 1), notes="old")
    response = api.put(detail(mood), {"date": "2026-03-03", "energy_level": 2})
    assert response.status_code == 200
    mood.refresh_from_db()
    assert (mood.date, mood.energy_level) == (date(2026, 3, 3), 2)


def test_delete_removes_an_entry(api, user):
    mood = DailyMoodFactory(user=user)
    assert api.delete(detail(mood)).status_code == 204
    assert not DailyMood.objects.exists()


def test_another_users_entry_is_a_404_on_every_route(api, other_api, user):
    mood = DailyMoodFactory(user=user, date=date(2026, 3, 1), energy_level=1)
    assert other_api.get(detail(mood)).status_code == 404
    assert other_api.put(detail(mood), {"date": "2026-03-01", "energy_level": 0}).status_code == 404
    assert other_api.patch(detail(mood), {"energy_level": 0}).status_code == 404
    assert other_api.delete(detail(mood)).status_code == 404
    assert other_api.get(URL).data["count"] == 0
    mood.refresh_from_db()
    assert mood.energy_level == 1


def test_a_strangers_upsert_on_the_same_date_makes_her_own_entry(api, other_api, user, other_user):
    api.post(URL, {"date": "2026-03-01", "energy_level": 2})
    response = other_api.post(URL, {"date": "2026-03-01", "energy_level": 0})
    assert response.status_code == 201
    assert DailyMood.objects.get(user=user).energy_level == 2


def test_it_lists_newest_first_and_filters_inclusively(api, user):
    for day in (1, 2, 3, 4):
        DailyMoodFactory(user=user, date=date(2026, 3, day))
    response = api.get(URL, {"date_after": "2026-03-02", "date_before": "2026-03-03"})
    assert [m["date"] for m in response.data["results"]] == ["2026-03-03", "2026-03-02"]
    assert api.get(URL, {"date_after": "yesterday"}).status_code == 400


def test_day_of_cycle_and_phase_follow_the_periods(api, user):
    ProfileFactory(user=user, luteal_length=14, menses_length=5)
    PeriodFactory(user=user, start_date=date(2026, 2, 1), end_date=date(2026, 2, 5))
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    DailyMoodFactory(user=user, date=date(2026, 2, 3))
    DailyMoodFactory(user=user, date=date(2026, 2, 15))
    DailyMoodFactory(user=user, date=date(2026, 1, 15))
    results = {m["date"]: m for m in api.get(URL).data["results"]}
    assert (results["2026-02-03"]["day_of_cycle"], results["2026-02-03"]["phase"]) == (
        3,
        "menstrual",
    )
    # The February cycle lasts 28 days: ovulation on 2026-02-15 (next start - 14).
    assert (results["2026-02-15"]["day_of_cycle"], results["2026-02-15"]["phase"]) == (
        15,
        "ovulatory",
    )
    assert (results["2026-01-15"]["day_of_cycle"], results["2026-01-15"]["phase"]) == (None, None)


def test_editing_a_period_changes_the_moods_at_once(api, user):
    period = PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    mood = DailyMoodFactory(user=user, date=date(2026, 3, 10))
    assert api.get(detail(mood)).data["day_of_cycle"] == 10
    api.patch(
        f"/api/v1/periods/{period.pk}/", {"start_date": "2026-03-08", "end_date": "2026-03-12"}
    )
    moved = api.get(detail(mood)).data
    assert (moved["day_of_cycle"], moved["phase"]) == (3, "menstrual")
    api.delete(f"/api/v1/periods/{period.pk}/")
    gone = api.get(detail(mood)).data
    assert (gone["day_of_cycle"], gone["phase"]) == (None, None)


def test_the_list_runs_a_fixed_number_of_queries(api, user, django_assert_max_num_queries):
    PeriodFactory.create_batch(3, user=user)
    DailyMoodFactory.create_batch(60, user=user)
    with django_assert_max_num_queries(6):
        response = api.get(URL, {"page_size": 60})
    assert len(response.data["results"]) == 60
    with django_assert_max_num_queries(6):
        api.get(URL, {"page_size": 5})


def test_a_kiritimati_user_logs_her_today_while_it_is_yesterday_in_utc(api, user):
    user.timezone = "Pacific/Kiritimati"  # UTC+14: 2026-03-16 02:00 there
    user.save()
    assert api.post(URL, {"date": "2026-03-16", "energy_level": 1}).status_code == 201
    assert api.post(URL, {"date": "2026-03-17", "energy_level": 1}).status_code == 400
