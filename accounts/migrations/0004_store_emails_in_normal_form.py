"""Existing addresses are rewritten in their normal form (accounts.emails).

Should two existing accounts share one normal form (``STRASSE@x.org`` and
``strasse@x.org`` were distinct before), the one already stored in it, or
else the oldest, takes it; the others keep their address as it was, cannot
be found by a login any more, and are named on the console for the staff
to merge or rename.
"""

from django.db import migrations

from accounts.emails import normalize_email


def store_normal_forms(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, email in User.objects.order_by("pk").values_list("pk", "email"):
        groups.setdefault(normalize_email(email), []).append((pk, email))
    for normal, rows in groups.items():
        keeper = next((pk for pk, email in rows if email == normal), None)
        if keeper is None:
            keeper = rows[0][0]
            User.objects.filter(pk=keeper).update(email=normal)
        for pk, email in rows:
            if pk != keeper:
                print(f"\n  accounts: user {pk} ({email!r}) shares {normal!r} with user {keeper}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_email_normal_form"),
    ]

    operations = [
        migrations.RunPython(store_normal_forms, migrations.RunPython.noop),
    ]
