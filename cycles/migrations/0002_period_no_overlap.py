"""PostgreSQL refuses overlapping periods of one user, even from concurrent
writers. An ongoing period (no end date) counts as lasting its longest possible
15 days. SQLite has no exclusion constraints: there, serialized write
transactions around the application check give the same guarantee."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cycles_period ADD CONSTRAINT cycles_period_no_overlap EXCLUDE USING gist (
    user_id WITH =,
    daterange(start_date, COALESCE(end_date, start_date + 14), '[]') WITH &&
);
"""
DROP = "ALTER TABLE cycles_period DROP CONSTRAINT IF EXISTS cycles_period_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cycles", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
