"""The admin is for staff only, and every changelist loads."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.tests.factories import DailyMoodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.fixture
def some_data(user):
    ProfileFactory(user=user)
    PeriodFactory(user=user)
    DailyMoodFactory(user=user, notes="private words")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_changelist_loads(staff_client, some_data, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert staff_client.get(url).status_code == 200


def test_mood_notes_stay_out_of_the_changelist(staff_client, some_data):
    response = staff_client.get(reverse("admin:moods_dailymood_changelist"))
    assert b"private words" not in response.content


def test_a_user_without_staff_status_cannot_enter(client, user):
    client.login(email=user.email, password=PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_log_in_with_their_email(client):
    UserFactory(email="staff@planher.test", is_staff=True)
    assert client.login(email="STAFF@planher.test", password=PASSWORD)


def test_the_user_admin_creates_a_user_by_email(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@planher.test",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
