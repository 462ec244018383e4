"""Export and deletion: every kind of data she owns, and nothing left behind.

Part of what SECURITY.md promises, each shown over real HTTP."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import PASSWORD
from tests.two_people import PEOPLE, give_data, snapshot

from .common import API, User, bearer

pytestmark = pytest.mark.django_db


# --- Export and deletion ---------------------------------------------------------------------


def models_naming_a_user():
    """(model, field) for every foreign key or one-to-one field that points at the user."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and field.many_to_one | field.one_to_one
        and not field.auto_created
        and field.related_model is User
    ]


def test_her_export_has_a_section_for_every_kind_of_data_she_owns(two_people, api):
    from core.userdata import user_data_sections

    body = api.get(f"{API}/auth/me/export").json()
    sections = {section.key for section in user_data_sections()}
    assert set(body) == {"exported_at", "account", *sections}
    assert all(body[key] for key in sections), {key: body[key] for key in sections}


def test_deleting_her_account_leaves_no_row_that_names_her_and_no_file(
    trained_model, user, other_user, django_capture_on_commit_callbacks
):
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    give_data(other_user, PEOPLE["mallory"])
    tokens = [RefreshToken.for_user(user) for _ in range(2)]
    tokens[0].blacklist()
    client = bearer(tokens[1].access_token)
    client.post(f"{API}/auth/logout", {"refresh": str(tokens[1])})
    path = Path(django_settings.MEDIA_ROOT, trained_model.file.name)
    strangers = snapshot(other_user)
    named = models_naming_a_user()
    assert any(model.objects.filter(**{field: user.pk}).exists() for model, field in named)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{API}/auth/me", {"password": PASSWORD})

    assert response.status_code == 204
    left = [
        f"{model._meta.label}.{field}"
        for model, field in named
        if model.objects.filter(**{field: user.pk}).exists()
    ]
    assert not left, left
    jtis = [token["jti"] for token in tokens]
    assert not OutstandingToken.objects.filter(jti__in=jtis).exists()
    assert not path.exists()
    assert snapshot(other_user) == strangers
