"""The search text now folds the i/y spelling variants (ký/kí, lý/lí, quy/qui): rebuild it."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from procedures.text import search_key

    Procedure = apps.get_model("procedures", "Procedure")
    changed = []
    for procedure in Procedure.objects.only("pk", "code", "name", "keywords", "search_text").iterator():
        text = search_key(f"{procedure.code} {procedure.name} {procedure.keywords}")
        if text != procedure.search_text:
            procedure.search_text = text
            changed.append(procedure)
    Procedure.objects.bulk_update(changed, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_component_kind")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
