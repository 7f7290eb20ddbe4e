"""PostgreSQL only: a GiST index on each dossier's span from reception to the end of processing
(`dossiers.stats.open_span`), so the monthly counts of the dossiers open at a moment or during a month read those
dossiers, not every dossier received before (issue #21). Built without blocking writes; nothing on SQLite.
The expression is `open_span()`'s, as Django writes it: the planner uses the index only for the same expression."""

from django.db import migrations

SPAN = ("tstzrange(received_at, CASE WHEN received_at > (COALESCE(resolved_at, closed_at)) THEN received_at "
        "ELSE COALESCE(resolved_at, closed_at) END, '[]')")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS dossier_open_span")  # an earlier build left invalid
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY dossier_open_span ON dossiers_dossier USING gist (({SPAN})) "
                          "WHERE received_at IS NOT NULL")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS dossier_open_span")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("dossiers", "0041_attachment_removed_event")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
