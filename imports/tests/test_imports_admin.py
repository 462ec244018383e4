"""Staff read her imports, errors included, and change nothing."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from imports.models import Import

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True))
    return client


def test_staff_see_an_imports_errors_and_cannot_change_or_add_one(staff_client, user):
    record = Import.objects.create(
        user=user,
        status="failed",
        errors=[{"record": "file", "message": "The file is not valid JSON"}],
        upload="abc.upload",
    )
    page = staff_client.get(reverse("admin:imports_import_change", args=[record.pk]))
    assert page.status_code == 200
    assert "The file is not valid JSON" in page.content.decode()
    assert "abc.upload" not in page.content.decode()
    assert b'name="_save"' not in page.content
    assert staff_client.get(reverse("admin:imports_import_add")).status_code == 403
    listing = staff_client.get(reverse("admin:imports_import_changelist"))
    assert listing.status_code == 200
