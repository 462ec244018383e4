"""Drop history rows recorded before their day.

Until issue 11, ``/predictions/current?date=<a later day>`` recorded a
prediction for that later day. History now holds only what was served for a
day on that day (her local date), so such rows would be served as that day's
answer and counted in her accuracy although nobody saw them on the day.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import F


def drop_records_made_before_their_day(apps, schema_editor):
    PredictionRecord = apps.get_model("predictions", "PredictionRecord")
    # A local date is at most a day off the UTC one: narrow in SQL, decide per row.
    candidates = (
        PredictionRecord.objects.filter(date__gt=F("created_at__date") - timedelta(days=1))
        .select_related("user")
        .only("pk", "date", "created_at", "user__timezone")
    )
    early = [
        record.pk
        for record in candidates.iterator()
        if record.date > record.created_at.astimezone(ZoneInfo(record.user.timezone)).date()
    ]
    PredictionRecord.objects.filter(pk__in=early).delete()


class Migration(migrations.Migration):
    dependencies = [("predictions", "0001_initial"), ("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(drop_records_made_before_their_day, migrations.RunPython.noop),
    ]
