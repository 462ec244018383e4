"""Every account gets the default preferences (new ones get them on creation), due
at once: the first dispatch works out each one's next check on her clock."""

from django.db import migrations
from django.utils.timezone import now


def preferences_for_everyone(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Preferences = apps.get_model("notifications", "NotificationPreferences")
    have = set(Preferences.objects.values_list("user_id", flat=True))
    at = now()
    missing = (pk for pk in User.objects.values_list("pk", flat=True).iterator() if pk not in have)
    batch = []
    for pk in missing:
        batch.append(Preferences(user_id=pk, next_check_at=at))
        if len(batch) >= 1000:
            Preferences.objects.bulk_create(batch)
            batch = []
    Preferences.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(preferences_for_everyone, migrations.RunPython.noop)]
