from datetime import date
from decimal import Decimal

import pytest
import time_machine

from cycles.tests.factories import PeriodFactory, ProfileFactory
from signs.models import NOTHING_LOGGED, Sign

from .factories import SignFactory

URL = "/api/v1/signs/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def post(api, body):
    return api.post(URL, body, format="json")


def test_post_creates_an_entry_with_only_the_signs_sent(api, user):
    response = post(api, {"date": "2026-03-15", "bbt_celsius": 36.45})
    assert response.status_code == 201, response.data
    answer = response.json()
    assert answer["bbt_celsius"] == 36.45
    assert (answer["lh_test"], answer["cervical_mucus"], answer["notes"]) == (None, None, "")
    assert Sign.objects.get().user == user


def test_a_morning_temperature_and_an_afternoon_lh_test_land_in_one_entry(api, user):
    morning = post(api, {"date": "2026-03-14", "bbt_celsius": "36.70", "notes": "woke at 6"})
    afternoon = post(api, {"date": "2026-03-14", "lh_test": "positive"})

    assert (morning.status_code, afternoon.status_code) == (201, 200)
    assert afternoon.data["id"] == morning.data["id"]
    entry = Sign.objects.get()
    assert (entry.bbt_celsius, entry.lh_test, entry.notes) == (
        Decimal("36.70"),
        "positive",
        "woke at 6",
    )


def test_a_null_sent_clears_that_sign_and_keeps_the_others(api, user):
    post(api, {"date": "2026-03-14", "bbt_celsius": "36.70", "cervical_mucus": "creamy"})
    response = post(api, {"date": "2026-03-14", "cervical_mucus": None})
    assert response.status_code == 200
    assert (response.json()["bbt_celsius"], response.json()["cervical_mucus"]) == (36.7, None)


def test_posting_signs_she_already_logged_changes_nothing(api, user):
    first = post(api, {"date": "2026-03-14", "bbt_celsius": "36.70", "lh_test": "negative"})
    user.refresh_from_db()
    version, updated_at = user.data_version, Sign.objects.get().updated_at

    with time_machine.travel("2026-03-15 12:05:00+00:00", tick=False):
        again = post(api, {"date": "2026-03-14", "lh_test": "negative"})

    assert again.status_code == 200
    assert again.data == first.data
    user.refresh_from_db()
    assert user.data_version == version
    assert Sign.objects.get().updated_at == updated_at


def test_a_new_sign_announces_her_data_changed(api, user):
    version = user.data_version
    post(api, {"date": "2026-03-14", "cervical_mucus": "eggwhite"})
    user.refresh_from_db()
    assert user.data_version > version


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"date": "2026-03-16", "lh_test": "positive"}, "date", "in the future"),
        ({"date": "2026-02-30", "lh_test": "positive"}, "date", "February 2026 has 28 days"),
        ({"lh_test": "positive"}, "date", "required"),
        ({"date": "2026-03-01", "bbt_celsius": "33.99"}, "bbt_celsius", "between 34.00 and 40.00"),
        ({"date": "2026-03-01", "bbt_celsius": 40.01}, "bbt_celsius", "between 34.00 and 40.00"),
        ({"date": "2026-03-01", "bbt_celsius": "36.555"}, "bbt_celsius", "at most 2 decimals"),
        ({"date": "2026-03-01", "bbt_celsius": "warm"}, "bbt_celsius", "number"),
        ({"date": "2026-03-01", "bbt_celsius": 365}, "bbt_celsius", "between 34.00 and 40.00"),
        ({"date": "2026-03-01", "bbt_celsius": 1e308}, "bbt_celsius", ""),
        ({"date": "2026-03-01", "lh_test": "maybe"}, "lh_test", "negative or positive"),
        ({"date": "2026-03-01", "lh_test": True}, "lh_test", "negative or positive"),
        ({"date": "2026-03-01", "cervical_mucus": "wet"}, "cervical_mucus", "eggwhite"),
        ({"date": "2026-03-01", "cervical_mucus": "egg white"}, "cervical_mucus", "eggwhite"),
        ({"date": "2026-03-01", "notes": "x" * 2001}, "notes", "2000"),
        ({"date": "2026-03-01", "notes": "a\x00b"}, "notes", ""),
        ({"date": "2026-03-01"}, "non_field_errors", NOTHING_LOGGED),
        ({"date": "2026-03-01", "notes": "   "}, "non_field_errors", NOTHING_LOGGED),
        (
            {"date": "2026-03-01", "bbt_celsius": None, "lh_test": None, "cervical_mucus": None},
            "non_field_errors",
            NOTHING_LOGGED,
        ),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_and_writes_nothing(api, body, field, message):
    response = post(api, body)
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert message in " ".join(str(m) for m in response.data[field])
    assert not Sign.objects.exists()


def test_a_log_that_clears_the_last_sign_of_an_entry_is_refused_and_keeps_it(api, user):
    post(api, {"date": "2026-03-14", "lh_test": "negative"})
    response = post(api, {"date": "2026-03-14", "lh_test": None})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": [NOTHING_LOGGED]}
    assert Sign.objects.get().lh_test == "negative"


def test_a_log_with_only_a_date_on_a_logged_day_is_refused(api, user):
    post(api, {"date": "2026-03-14", "lh_test": "negative"})
    response = post(api, {"date": "2026-03-14"})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": [NOTHING_LOGGED]}


def test_the_temperature_range_is_inclusive(api):
    assert post(api, {"date": "2026-03-01", "bbt_celsius": "34.00"}).status_code == 201
    assert post(api, {"date": "2026-03-02", "bbt_celsius": "40.00"}).status_code == 201


def test_a_note_alone_is_a_log_and_is_encrypted_at_rest(api, user):
    from django.db import connection

    response = post(api, {"date": "2026-03-14", "notes": "cramps"})
    assert response.status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM signs_sign")
        (stored,) = cursor.fetchone()
    assert "cramps" not in stored
    assert api.get(f"{URL}{response.data['id']}/").data["notes"] == "cramps"


def test_patch_changes_only_the_signs_sent(api, user):
    entry = SignFactory(
        user=user,
        date=date.fromisoformat("2026-03-10"),
        bbt_celsius=Decimal("36.50"),
        lh_test="negative",
    )
    response = api.patch(f"{URL}{entry.pk}/", {"cervical_mucus": "watery"}, format="json")
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.bbt_celsius, entry.lh_test, entry.cervical_mucus) == (
        Decimal("36.50"),
        "negative",
        "watery",
    )


def test_a_patch_that_leaves_an_entry_empty_is_refused(api, user):
    entry = SignFactory(
        user=user, date=date.fromisoformat("2026-03-10"), bbt_celsius=Decimal("36.50")
    )
    response = api.patch(f"{URL}{entry.pk}/", {"bbt_celsius": None}, format="json")
    assert response.status_code == 400
    assert response.data == {"non_field_errors": [NOTHING_LOGGED]}
    entry.refresh_from_db()
    assert entry.bbt_celsius == Decimal("36.50")


def test_put_replaces_an_entry(api, user):
    entry = SignFactory(user=user, date=date.fromisoformat("2026-03-10"))
    body = {"date": "2026-03-11", "bbt_celsius": None, "lh_test": "positive", "notes": "x"}
    response = api.put(f"{URL}{entry.pk}/", body, format="json")
    assert response.status_code == 200, response.data
    entry.refresh_from_db()
    assert (str(entry.date), entry.bbt_celsius, entry.lh_test) == ("2026-03-11", None, "positive")


def test_an_edit_onto_another_logged_date_is_a_400(api, user):
    SignFactory(user=user, date=date.fromisoformat("2026-03-10"))
    entry = SignFactory(user=user, date=date.fromisoformat("2026-03-11"))
    response = api.patch(f"{URL}{entry.pk}/", {"date": "2026-03-10"}, format="json")
    assert response.status_code == 400
    assert response.data == {"date": ["You already logged signs for this date."]}


def test_an_edit_onto_a_future_date_is_a_400(api, user):
    entry = SignFactory(user=user, date=date.fromisoformat("2026-03-11"))
    response = api.patch(f"{URL}{entry.pk}/", {"date": "2026-03-16"}, format="json")
    assert response.status_code == 400
    assert "date" in response.data


def test_delete_removes_an_entry(api, user):
    entry = SignFactory(user=user, date=date.fromisoformat("2026-03-10"))
    assert api.delete(f"{URL}{entry.pk}/").status_code == 204
    assert not Sign.objects.exists()


def test_another_users_entry_is_a_404_on_every_route(api, other_user):
    theirs = SignFactory(user=other_user, date=date.fromisoformat("2026-03-10"))
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.patch(f"{URL}{theirs.pk}/", {"lh_test": "positive"}).status_code == 404
    assert api.delete(f"{URL}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.lh_test is None


def test_it_lists_newest_first_and_filters_inclusively(api, user):
    for day in ("2026-03-01", "2026-03-05", "2026-03-09"):
        SignFactory(user=user, date=date.fromisoformat(day))
    response = api.get(URL, {"date_after": "2026-03-05", "date_before": "2026-03-09"})
    assert [s["date"] for s in response.data["results"]] == ["2026-03-09", "2026-03-05"]
    assert response.data["count"] == 2


def test_day_of_cycle_and_phase_follow_her_periods(api, user):
    ProfileFactory(user=user)
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    SignFactory(user=user, date=date.fromisoformat("2026-03-03"))
    SignFactory(user=user, date=date.fromisoformat("2026-02-20"))
    results = {s["date"]: s for s in api.get(URL).data["results"]}
    assert (results["2026-03-03"]["day_of_cycle"], results["2026-03-03"]["phase"]) == (
        3,
        "menstrual",
    )
    assert (results["2026-02-20"]["day_of_cycle"], results["2026-02-20"]["phase"]) == (None, None)


def test_her_export_holds_her_signs_oldest_first(api, user):
    SignFactory(user=user, date=date.fromisoformat("2026-03-10"), lh_test="positive", notes="peak?")
    SignFactory(
        user=user,
        date=date.fromisoformat("2026-03-02"),
        bbt_celsius=Decimal("36.20"),
        cervical_mucus="dry",
    )
    exported = api.get("/api/v1/auth/me/export").json()["signs"]
    assert [(s["date"], s["lh_test"], s["cervical_mucus"], s["notes"]) for s in exported] == [
        ("2026-03-02", None, "dry", ""),
        ("2026-03-10", "positive", None, "peak?"),
    ]
    assert exported[0]["bbt_celsius"] == 36.2


def test_her_signs_go_with_her_account(api, user):
    SignFactory(user=user, date=date.fromisoformat("2026-03-10"))
    user.delete()
    assert not Sign.objects.exists()


def test_an_empty_entry_is_refused_wherever_it_is_written(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Sign.objects.create(user=user, date="2026-03-10")
    assert not Sign.objects.exists()
