"""The starting versions: Decree 61/2018 (from 21/06/2018) and Decree 118/2025 (from 01/07/2025), same values."""

from django.db import migrations


def seed(apps, schema_editor):
    from regulations.seed import seed_rulesets

    seed_rulesets(apps.get_model("regulations", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("regulations", "0001_rulesets")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
