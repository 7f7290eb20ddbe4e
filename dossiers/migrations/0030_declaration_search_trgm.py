"""PostgreSQL only: a trigram GIN index on Declaration.search_text (accent-free, lower-case), so the worklist
finds dossiers by what was declared (LIKE '%…%') without reading every declaration. Nothing on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossiers_declaration_search_trgm ON dossiers_declaration "
        "USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossiers_declaration_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0029_step_duration")]
    operations = [migrations.RunPython(forwards, backwards)]
