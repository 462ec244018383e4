# Her notes encrypted at rest (core.fields.EncryptedTextField). The data step
# runs while the column is still a plain TextField, so it sees the raw values:
# forwards it encrypts the plain text, backwards it decrypts the tokens.

from cryptography.fernet import InvalidToken
from django.db import migrations

import core.fields

BATCH = 500


def _rewrite(DailyMood, change):
    entries = []
    for entry in DailyMood.objects.only("pk", "notes").order_by("pk").iterator(BATCH):
        entry.notes = change(entry)
        entries.append(entry)
        if len(entries) == BATCH:
            DailyMood.objects.bulk_update(entries, ["notes"])
            entries = []
    DailyMood.objects.bulk_update(entries, ["notes"])


def encrypt_notes(apps, schema_editor):
    def encrypted(entry):
        try:
            core.fields.decrypt(entry.notes)
        except InvalidToken:
            return core.fields.encrypt(entry.notes)
        return entry.notes  # already a token (a run cut short and started again)

    _rewrite(apps.get_model("moods", "DailyMood"), encrypted)


def decrypt_notes(apps, schema_editor):
    def decrypted(entry):
        try:
            return core.fields.decrypt(entry.notes)
        except InvalidToken:
            raise RuntimeError(
                f"The notes of daily mood {entry.pk} cannot be decrypted with "
                "FIELD_ENCRYPTION_KEYS: add the key that encrypted them, then migrate back."
            ) from None

    _rewrite(apps.get_model("moods", "DailyMood"), decrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("moods", "0002_user_related_name_from_the_daily_log"),
    ]

    operations = [
        migrations.RunPython(encrypt_notes, decrypt_notes, elidable=False),
        migrations.AlterField(
            model_name="dailymood",
            name="notes",
            field=core.fields.EncryptedTextField(blank=True, max_length=2000),
        ),
    ]
