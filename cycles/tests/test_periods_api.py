from datetime import date

import pytest
import time_machine

from cycles.models import Period

from .factories import PeriodFactory

URL = "/api/v1/periods/"
TODAY = date(2026, 3, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def detail(period):
    return f"{URL}{period.pk}/"


def test_it_logs_a_period(api, user):
    response = api.post(URL, {"start_date": "2026-03-01", "end_date": "2026-03-05"})
    assert response.status_code == 201, response.data
    assert response.data["length_days"] == 5
    assert response.data["cycle_length"] is None
    assert Period.objects.get().user == user


def test_an_ongoing_period_has_no_length(api):
    response = api.post(URL, {"start_date": "2026-03-14"})
    assert response.status_code == 201
    assert response.data["end_date"] is None
    assert response.data["length_days"] is None


def test_it_lists_newest_first_with_cycle_lengths(api, user):
    for start in ["2026-01-01", "2026-01-29", "2026-02-27"]:
        PeriodFactory(user=user, start_date=date.fromisoformat(start))
    response = api.get(URL)
    assert response.status_code == 200
    assert response.data["count"] == 3
    assert [p["start_date"] for p in response.data["results"]] == [
        "2026-02-27",
        "2026-01-29",
        "2026-01-01",
    ]
    assert [p["cycle_length"] for p in response.data["results"]] == [None, 29, 28]


def test_cycle_length_looks_past_the_filter(api, user):
    for start in ["2026-01-01", "2026-01-29"]:
        PeriodFactory(user=user, start_date=date.fromisoformat(start))
    response = api.get(URL, {"start_before": "2026-01-10"})
    assert [p["cycle_length"] for p in response.data["results"]] == [28]


def test_it_filters_by_start_date_inclusively(api, user):
    for start in ["2026-01-01", "2026-01-29", "2026-02-27"]:
        PeriodFactory(user=user, start_date=date.fromisoformat(start))
    response = api.get(URL, {"start_after": "2026-01-29", "start_before": "2026-02-27"})
    assert [p["start_date"] for p in response.data["results"]] == ["2026-02-27", "2026-01-29"]


def test_a_bad_filter_date_is_a_400(api):
    assert api.get(URL, {"start_after": "2026-02-30"}).status_code == 400


def test_it_paginates_with_page_size(api, user):
    PeriodFactory.create_batch(5, user=user)
    response = api.get(URL, {"page_size": 2, "page": 2})
    assert response.data["count"] == 5
    assert len(response.data["results"]) == 2
    assert response.data["next"] and response.data["previous"]


def test_page_size_is_capped_at_500(api, user):
    PeriodFactory.create_batch(3, user=user)
    assert len(api.get(URL, {"page_size": 100000}).data["results"]) == 3


def test_the_list_runs_a_fixed_number_of_queries(api, user, django_assert_max_num_queries):
    PeriodFactory.create_batch(30, user=user)
    with django_assert_max_num_queries(4):
        response = api.get(URL, {"page_size": 30})
    assert len(response.data["results"]) == 30


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start_date": "2026-03-16"}, "start_date"),
        ({"start_date": "2026-03-01", "end_date": "2026-03-16"}, "end_date"),
        ({"start_date": "2026-03-05", "end_date": "2026-03-04"}, "end_date"),
        ({"start_date": "2026-02-01", "end_date": "2026-02-16"}, "end_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "1899-12-31"}, "start_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"start_date": 20260301}, "start_date"),
        ({"start_date": ["2026-03-01"]}, "start_date"),
        ({"start_date": "2026-03-01\x00"}, "start_date"),
        ({}, "start_date"),
    ],
)
def test_it_refuses_bad_dates(api, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not Period.objects.exists()


def test_a_period_may_last_exactly_15_days(api):
    response = api.post(URL, {"start_date": "2026-02-01", "end_date": "2026-02-15"})
    assert response.status_code == 201


def test_a_duplicate_start_date_is_a_400_on_that_field(api, user):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    response = api.post(URL, {"start_date": "2026-03-01", "end_date": "2026-03-03"})
    assert response.status_code == 400
    assert "start_date" in response.data
    assert Period.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"start_date": "2026-03-03", "end_date": "2026-03-08"},
        {"start_date": "2026-02-25", "end_date": "2026-03-01"},
        {"start_date": "2026-02-25", "end_date": "2026-03-10"},
        {"start_date": "2026-02-25"},
    ],
)
def test_overlapping_periods_are_refused(api, user, body):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    response = api.post(URL, body)
    assert response.status_code == 400
    assert "non_field_errors" in response.data
    assert Period.objects.count() == 1


def test_an_ongoing_period_blocks_the_next_15_days(api, user):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=None)
    assert api.post(URL, {"start_date": "2026-03-10"}).status_code == 400
    assert api.post(URL, {"start_date": "2026-02-10", "end_date": "2026-02-14"}).status_code == 201


def test_adjacent_periods_do_not_overlap(api, user):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    assert api.post(URL, {"start_date": "2026-03-06", "end_date": "2026-03-07"}).status_code == 201


def test_an_edit_that_would_overlap_is_refused(api, user):
    early = PeriodFactory(user=user, start_date=date(2026, 2, 1), end_date=date(2026, 2, 5))
    PeriodFactory(user=user, start_date=date(2026, 2, 10), end_date=date(2026, 2, 14))
    response = api.patch(detail(early), {"end_date": "2026-02-11"})
    assert response.status_code == 400
    early.refresh_from_db()
    assert early.end_date == date(2026, 2, 5)


def test_an_edit_may_keep_its_own_dates(api, user):
    period = PeriodFactory(user=user, start_date=date(2026, 2, 1), end_date=date(2026, 2, 5))
    response = api.put(detail(period), {"start_date": "2026-02-01", "end_date": "2026-02-06"})
    assert response.status_code == 200
    assert response.data["length_days"] == 6


def test_patch_closes_an_ongoing_period(api, user):
    period = PeriodFactory(user=user, start_date=date(2026, 3, 10), end_date=None)
    response = api.patch(detail(period), {"end_date": "2026-03-14"})
    assert response.status_code == 200
    assert response.data["length_days"] == 5


def test_it_deletes_a_period(api, user):
    period = PeriodFactory(user=user)
    assert api.delete(detail(period)).status_code == 204
    assert not Period.objects.exists()


def test_another_users_period_is_a_404_on_every_route(api, other_api, user):
    period = PeriodFactory(user=user, start_date=date(2026, 3, 1))
    assert other_api.get(detail(period)).status_code == 404
    assert other_api.put(detail(period), {"start_date": "2026-03-02"}).status_code == 404
    assert other_api.patch(detail(period), {"end_date": "2026-03-02"}).status_code == 404
    assert other_api.delete(detail(period)).status_code == 404
    assert other_api.get(URL).data["count"] == 0
    period.refresh_from_db()
    assert period.start_date == date(2026, 3, 1)


def test_another_users_periods_do_not_count_as_overlaps(other_api, user):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    assert other_api.post(URL, {"start_date": "2026-03-01"}).status_code == 201


def test_the_owner_field_is_ignored_on_write(api, user, other_user):
    response = api.post(URL, {"start_date": "2026-03-01", "user": other_user.pk, "id": 12345})
    assert response.status_code == 201
    assert Period.objects.get().user == user
    assert response.data["id"] != 12345


def test_a_kiritimati_user_logs_her_today_while_it_is_yesterday_in_utc(api, user):
    user.timezone = "Pacific/Kiritimati"  # UTC+14: 2026-03-16 02:00 there
    user.save()
    assert api.post(URL, {"start_date": "2026-03-16"}).status_code == 201
    assert api.post(URL, {"start_date": "2026-03-17"}).status_code == 400


def test_a_honolulu_user_cannot_log_utcs_today(user, client_for):
    user.timezone = "Pacific/Honolulu"  # UTC-10: still 2026-03-15 19:00 there
    user.save()
    with time_machine.travel("2026-03-16 05:00:00+00:00", tick=False):
        response = client_for(user).post(URL, {"start_date": "2026-03-16"})
        assert response.status_code == 400
        assert "2026-03-15" in str(response.data["start_date"])
