"""Mass assignment: owner ids and derived fields in a body are ignored.

Part of what SECURITY.md promises, each shown over real HTTP."""

from datetime import date, timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils.timezone import now
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from cycles.models import Period, Profile
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory

from .common import API, STRONG, User, login

pytestmark = pytest.mark.django_db


# --- Mass assignment ---------------------------------------------------------------------


@pytest.fixture
def forged(other_user):
    """Owner, id, privilege and derived fields a client must never set."""
    return {
        "user": other_user.pk,
        "user_id": other_user.pk,
        "owner": other_user.pk,
        "id": 987654,
        "pk": 987654,
        "is_staff": True,
        "is_superuser": True,
        "is_active": False,
        "email": "forged@example.com",
        "data_version": 999,
        "date_joined": "2000-01-01T00:00:00Z",
        "password": "forged-password-123",
        "groups": [1],
        "user_permissions": [1],
        "bmi": 99.9,
        "updated_at": "2000-01-01T00:00:00Z",
        "created_at": "2000-01-01T00:00:00Z",
        "length_days": 99,
        "cycle_length_days": 99,
        "day_of_cycle": 99,
        "phase": "luteal",
    }


def assert_account_untouched(person):
    person.refresh_from_db()
    assert person.email in {"alice@example.com", "mallory@example.com"}
    assert (person.is_staff, person.is_superuser, person.is_active) == (False, False, True)
    assert person.data_version != 999
    assert person.date_joined.year != 2000
    assert person.check_password(PASSWORD)
    assert not person.groups.exists() and not person.user_permissions.exists()


def write_own_row(api, method, collection, mine, body):
    """POST ``body`` to her collection (201), or PUT/PATCH it onto her row ``mine``
    (200, the same row)."""
    if method == "post":
        response = api.post(collection, body)
        assert response.status_code == 201, response.data
    else:
        response = getattr(api, method)(f"{collection}{mine.pk}/", body)
        assert response.status_code == 200, response.data
        assert response.data["id"] == mine.pk
    return response


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_periods_ignore_owner_id_and_derived_fields(api, user, other_user, forged, method):
    mine = PeriodFactory(user=user, start_date=date(2026, 5, 1), end_date=date(2026, 5, 3))
    body = {**forged, "start_date": "2026-06-01", "end_date": "2026-06-03", "cycle_length": 99}
    response = write_own_row(api, method, f"{API}/periods/", mine, body)
    period = Period.objects.get(pk=response.data["id"])
    assert period.user == user
    assert period.pk != 987654
    assert (response.data["length_days"], response.data["cycle_length"]) == (3, None)
    assert not Period.objects.filter(user=other_user).exists()
    assert_account_untouched(user)
    assert_account_untouched(other_user)


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_moods_ignore_owner_id_and_derived_fields(api, user, other_user, forged, method):
    mine = DailyMoodFactory(user=user, date=date(2026, 5, 1))
    theirs = DailyMoodFactory(user=other_user, date=date(2026, 6, 1), notes="theirs")
    theirs.refresh_from_db()
    before = model_to_dict(theirs)
    body = {**forged, "id": theirs.pk, "pk": theirs.pk, "date": "2026-06-01", "energy_level": 2}
    response = write_own_row(api, method, f"{API}/moods/", mine, body)
    mood = DailyMood.objects.get(pk=response.data["id"])
    assert mood.user == user
    assert mood.pk != theirs.pk
    assert (response.data["day_of_cycle"], response.data["phase"]) == (None, None)
    theirs.refresh_from_db()
    assert model_to_dict(theirs) == before
    assert_account_untouched(user)
    assert_account_untouched(other_user)


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_the_profile_ignores_owner_id_and_derived_fields(api, user, other_user, forged, method):
    ProfileFactory(user=user, height_cm=160, weight_kg="50.00")
    theirs = ProfileFactory(user=other_user, height_cm=190, weight_kg="90.00")
    theirs.refresh_from_db()
    before = model_to_dict(theirs)
    body = {**forged, "height_cm": 170, "weight_kg": 65, "cycle_length": 28}
    response = getattr(api, method)(f"{API}/profiles/me", body)
    assert response.status_code == 200, response.data
    mine = Profile.objects.get(user=user)
    assert mine.height_cm == 170
    assert mine.pk != 987654
    assert response.data["bmi"] == 22.5
    assert mine.updated_at.year != 2000
    theirs.refresh_from_db()
    assert model_to_dict(theirs) == before
    assert Profile.objects.count() == 2
    assert_account_untouched(user)
    assert_account_untouched(other_user)


def test_a_new_profile_belongs_to_her_whatever_the_body_says(api, user, other_user, forged):
    response = api.post(f"{API}/profiles/me", {**forged, "height_cm": 170})
    assert response.status_code == 201, response.data
    assert Profile.objects.get().user == user
    assert not Profile.objects.filter(user=other_user).exists()


def test_her_account_ignores_every_field_but_name_and_timezone(api, user, forged):
    joined, pk = user.date_joined, user.pk
    response = api.patch(f"{API}/auth/me", {**forged, "name": "Alice B", "timezone": "Asia/Tokyo"})
    assert response.status_code == 200, response.data
    user.refresh_from_db()
    assert (user.pk, user.name, user.timezone) == (pk, "Alice B", "Asia/Tokyo")
    assert user.date_joined == joined
    assert_account_untouched(user)
    assert login(APIClient(), "alice@example.com").status_code == 200


@pytest.mark.django_db
def test_registration_ignores_privilege_and_id_fields(anon_client, forged):
    body = {**forged, "email": "eve@example.com", "password": STRONG, "name": "Eve"}
    response = anon_client.post(f"{API}/auth/register", body)
    assert response.status_code == 201, response.data
    eve = User.objects.get(email="eve@example.com")
    assert (eve.is_staff, eve.is_superuser, eve.is_active) == (False, False, True)
    assert (eve.data_version, eve.pk != 987654) == (0, True)
    assert eve.date_joined > now() - timedelta(minutes=5)
    assert eve.check_password(STRONG)
    assert not eve.groups.exists() and not eve.user_permissions.exists()
