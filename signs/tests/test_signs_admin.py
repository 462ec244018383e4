"""The default daily-log admin, as signs get it: her notes stay out of the list,
and staff who open one entry read them but cannot edit them."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from signs.models import Sign

from .factories import SignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def entry(user):
    return SignFactory(user=user, date=date(2026, 3, 10), lh_test="positive", notes="private")


def test_her_sign_notes_stay_out_of_the_changelist(staff_client, entry):
    response = staff_client.get(reverse("admin:signs_sign_changelist"))
    assert response.status_code == 200
    assert str(entry.user) in response.content.decode()
    assert b"private" not in response.content


def test_staff_read_her_sign_notes_but_cannot_change_them(staff_client, entry):
    url = reverse("admin:signs_sign_change", args=[entry.pk])
    assert b"private" in staff_client.get(url).content

    response = staff_client.post(
        url,
        {
            "date": "2026-03-10",
            "bbt_celsius": "36.60",
            "lh_test": "positive",
            "cervical_mucus": "",
            "notes": "rewritten by staff",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = Sign.objects.get(pk=entry.pk)
    assert (entry.bbt_celsius, entry.cervical_mucus, entry.notes) == (
        Decimal("36.60"),
        None,
        "private",
    )
