"""Refresh tokens stored in full before sessions had chains keep only a digest
(``accounts.tokens.stored_form``): a reader of the database cannot replay them."""

import hashlib

from django.db import migrations


def digest_stored_tokens(apps, schema_editor):
    OutstandingToken = apps.get_model("token_blacklist", "OutstandingToken")
    for row in OutstandingToken.objects.exclude(token__startswith="chain:").iterator():
        digest = hashlib.sha256(row.token.encode()).hexdigest()
        row.token = f"chain:- sha256:{digest}"
        row.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_session_tokens"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [migrations.RunPython(digest_stored_tokens, migrations.RunPython.noop)]
