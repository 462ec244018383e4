"""Her notes are encrypted at rest (core.fields.EncryptedTextField): the
database holds Fernet tokens, the API and the export give her back her text."""

import logging

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import PASSWORD
from core import fields
from core.vocabulary import NOTES_MAX_LENGTH
from moods.models import DailyMood

from .factories import DailyMoodFactory

URL = "/api/v1/moods/"
EXPORT = "/api/v1/auth/me/export"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()

NOTES = [
    "ran 5k, felt strong",
    "crampes et fatigue — journée difficile 😣🌙",
    "生理痛がひどい。👩🏽‍⚕️",  # a multi-codepoint emoji
    "é" * NOTES_MAX_LENGTH,
    "🩸" * NOTES_MAX_LENGTH,  # 2000 characters, 8000 bytes of UTF-8
]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def stored_notes(pk=None) -> list[str]:
    """The column as the database holds it, read with plain SQL."""
    table = connection.ops.quote_name(DailyMood._meta.db_table)
    with connection.cursor() as cursor:
        if pk is None:
            cursor.execute(f"SELECT notes FROM {table} ORDER BY id")
        else:
            cursor.execute(f"SELECT notes FROM {table} WHERE id = %s", [pk])
        return [row[0] for row in cursor.fetchall()]


def opens_with(key: str, token: str) -> str:
    return Fernet(key).decrypt(token.encode()).decode()


@pytest.mark.parametrize("text", NOTES)
def test_her_notes_are_a_fernet_token_in_the_database_and_her_text_in_the_api(api, text):
    response = api.post(URL, {"date": "2026-03-15", "energy_level": 1, "notes": text})
    assert response.status_code == 201, response.data
    (stored,) = stored_notes()
    assert text not in stored and text[:20] not in stored
    assert stored.startswith("gAAAAA")  # Fernet's version byte and timestamp, base64
    assert opens_with(django_settings.FIELD_ENCRYPTION_KEYS[0], stored) == text
    assert response.data["notes"] == text
    assert api.get(URL).data["results"][0]["notes"] == text
    assert api.get(f"{URL}{response.data['id']}/").data["notes"] == text


@pytest.mark.parametrize("text", NOTES)
def test_her_export_gives_her_notes_as_plain_text(api, user, text):
    DailyMoodFactory(user=user, notes=text)
    (exported,) = api.get(EXPORT).json()["moods"]
    assert exported["notes"] == text


def test_a_blank_note_stays_blank_for_her_and_is_encrypted_like_any_other(api):
    response = api.post(URL, {"date": "2026-03-15", "energy_level": 1})
    assert response.status_code == 201, response.data
    assert response.data["notes"] == ""
    (stored,) = stored_notes()
    assert stored.startswith("gAAAAA")
    # A blank note and a short one are tokens of the same length.
    api.post(URL, {"date": "2026-03-14", "energy_level": 1, "notes": "ok"})
    assert len({len(token) for token in stored_notes()}) == 1
    assert [m["notes"] for m in api.get(EXPORT).json()["moods"]] == ["ok", ""]  # oldest first


def test_a_note_over_the_limit_is_refused_on_her_text_and_nothing_is_written(api):
    response = api.post(
        URL, {"date": "2026-03-15", "energy_level": 1, "notes": "x" * (NOTES_MAX_LENGTH + 1)}
    )
    assert response.status_code == 400
    assert "notes" in response.data
    assert not DailyMood.objects.exists()


def test_repeating_the_same_log_writes_nothing_although_tokens_differ_at_every_write(api):
    body = {"date": "2026-03-15", "energy_level": 1, "notes": "same words 🌿"}
    assert api.post(URL, body).status_code == 201
    before = stored_notes()
    assert api.post(URL, body).status_code == 200
    assert stored_notes() == before  # no write: a new token would differ
    assert api.post(URL, {**body, "notes": "other words"}).status_code == 200
    assert stored_notes() != before


@settings(max_examples=30, deadline=None)
@given(text=st.text(max_size=NOTES_MAX_LENGTH))
def test_any_text_comes_back_from_its_token_unchanged(text):
    # (Whether the text shows in the token is checked on real notes above: a
    # character or two may turn up in any base64 string by chance.)
    assert fields.decrypt(fields.encrypt(text)) == text


def test_the_database_cannot_be_asked_to_filter_on_notes(user):
    DailyMoodFactory(user=user, notes="secret")
    for lookup in ["notes", "notes__icontains", "notes__startswith"]:
        with pytest.raises(FieldError, match="encrypted at rest"):
            DailyMood.objects.filter(**{lookup: "secret"}).count()
    assert DailyMood.objects.filter(notes__isnull=False).count() == 1


# --- Rotation --------------------------------------------------------------------------


def test_after_a_rotation_old_notes_still_read_and_the_command_moves_them_to_the_new_key(
    api, user, capsys
):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        mood = DailyMoodFactory(user=user, notes="written under the old key ✨")
        blank = DailyMoodFactory(user=user, notes="")
    updated_at = DailyMood.objects.get(pk=mood.pk).updated_at

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert api.get(f"{URL}{mood.pk}/").data["notes"] == "written under the old key ✨"
        DailyMoodFactory(user=user, notes="written under the new key")  # already rotated
        call_command("reencrypt_fields", "--batch-size", "1")
        assert capsys.readouterr().out.strip() == (
            "3 encrypted values: 2 re-encrypted with the first key, "
            "1 already under it, 0 unreadable."
        )
        call_command("reencrypt_fields")  # idempotent: nothing left to move
        assert "0 re-encrypted with the first key, 3 already under it" in capsys.readouterr().out

    (token,) = stored_notes(mood.pk)
    assert opens_with(NEW_KEY, token) == "written under the old key ✨"
    with pytest.raises(InvalidToken):
        opens_with(OLD_KEY, token)
    assert opens_with(NEW_KEY, stored_notes(blank.pk)[0]) == ""
    assert DailyMood.objects.get(pk=mood.pk).updated_at == updated_at  # not her change

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):  # the old key dropped
        assert api.get(f"{URL}{mood.pk}/").data["notes"] == "written under the old key ✨"


# --- A key that does not open a note ---------------------------------------------------


def test_a_note_no_key_opens_is_shown_as_unreadable_never_as_blank_nor_a_500(api, user, caplog):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        mood = DailyMoodFactory(user=user, energy_level=2, notes="under a lost key")
    (token,) = stored_notes(mood.pk)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), caplog.at_level(logging.ERROR):
        listed = api.get(URL)
        assert listed.status_code == 200
        assert listed.data["results"][0]["notes"] == fields.UNREADABLE
        assert listed.data["results"][0]["energy_level"] == 2
        assert api.get(EXPORT).json()["moods"][0]["notes"] == fields.UNREADABLE
        assert "cannot be decrypted with FIELD_ENCRYPTION_KEYS" in caplog.text

        loaded = DailyMood.objects.get(pk=mood.pk)
        assert isinstance(loaded.notes, fields.UnreadableText)
        assert "UnreadableText(" in repr(loaded.notes)  # clear in a shell

        # Changing her energy keeps the note as it was stored, for the right key.
        assert api.patch(f"{URL}{mood.pk}/", {"energy_level": 0}).status_code == 200
        assert stored_notes(mood.pk) == [token]

        with pytest.raises(CommandError, match="1 unreadable"):
            call_command("reencrypt_fields")
        assert stored_notes(mood.pk) == [token]

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert api.get(f"{URL}{mood.pk}/").data["notes"] == "under a lost key"


def test_she_can_delete_her_account_while_a_note_cannot_be_read(api, user):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        DailyMoodFactory(user=user, notes="under a lost key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert api.delete("/api/v1/auth/me", {"password": PASSWORD}).status_code == 204
    assert not DailyMood.objects.exists()


def test_a_malformed_key_is_a_clear_configuration_error(user):
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, "not-a-key"]),
        pytest.raises(ImproperlyConfigured, match="key 2 is not a Fernet key"),
    ):
        DailyMoodFactory(user=user, notes="x")


# --- Migration and start-up ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_notes_and_its_reverse_decrypts_them(user):
    from django.db.migrations.executor import MigrationExecutor

    plain, encrypted = (
        [("moods", "0002_user_related_name_from_the_daily_log")],
        [("moods", "0003_notes_encrypted_at_rest")],
    )
    table = connection.ops.quote_name(DailyMood._meta.db_table)
    try:
        MigrationExecutor(connection).migrate(plain)
        with connection.cursor() as cursor:
            for day, text in [("2026-03-10", "before encryption 🌧"), ("2026-03-11", "")]:
                cursor.execute(
                    f"INSERT INTO {table} (user_id, date, energy_level, notes, created_at, "
                    "updated_at) VALUES (%s, %s, 1, %s, %s, %s)",
                    [user.pk, day, text, "2026-03-11 10:00:00", "2026-03-11 10:00:00"],
                )
        MigrationExecutor(connection).migrate(encrypted)
        tokens = stored_notes()
        assert all(token.startswith("gAAAAA") for token in tokens)
        assert "before encryption" not in "".join(tokens)
        assert [m.notes for m in DailyMood.objects.order_by("date")] == [
            "before encryption 🌧",
            "",
        ]

        MigrationExecutor(connection).migrate(plain)
        assert stored_notes() == ["before encryption 🌧", ""]
    finally:
        MigrationExecutor(connection).migrate(encrypted)


def start(**env):
    """``manage.py check`` in a fresh process, with ``env`` over the suite's."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "FIELD_ENCRYPTION_KEYS"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ("", "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off"),
        (f"{NEW_KEY},not-a-key", "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet key"),
    ],
)
def test_without_debug_it_refuses_to_start_without_good_keys(keys, problem):
    result = start(DEBUG="0", FIELD_ENCRYPTION_KEYS=keys)
    assert result.returncode != 0
    assert problem in result.stderr


def test_without_debug_it_starts_with_several_keys():
    result = start(DEBUG="0", FIELD_ENCRYPTION_KEYS=f" {NEW_KEY}, {OLD_KEY} ")
    assert result.returncode == 0, result.stderr


# --- Admin -----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True))
    return client


def test_staff_opening_one_entry_read_her_note_and_search_never_looks_into_notes(
    staff_client, user
):
    from django.urls import reverse

    mood = DailyMoodFactory(user=user, notes="private words 🌙")
    page = staff_client.get(reverse("admin:moods_dailymood_change", args=[mood.pk]))
    assert page.status_code == 200
    assert "private words 🌙" in page.content.decode()
    assert stored_notes(mood.pk)[0] not in page.content.decode()

    found = staff_client.get(reverse("admin:moods_dailymood_changelist"), {"q": "private"})
    assert found.status_code == 200
    assert found.context["cl"].result_count == 0


def test_staff_see_the_unreadable_notice_when_no_key_opens_a_note(staff_client, user):
    from django.urls import reverse

    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        mood = DailyMoodFactory(user=user, notes="under a lost key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        page = staff_client.get(reverse("admin:moods_dailymood_change", args=[mood.pk]))
    assert page.status_code == 200
    assert "This note cannot be read" in page.content.decode()
