"""SQLite only: the FTS5 trigram index that narrows the catalogue search to the rows a typo can match
(procedures.trigram_index), kept in sync by triggers and filled here. Nothing on PostgreSQL (pg_trgm)."""

from django.db import migrations


def install(apps, schema_editor):
    from procedures.trigram_index import install

    install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from procedures.trigram_index import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0005_search_key_folds_i_y")]
    operations = [migrations.RunPython(install, uninstall)]
