"""SyncItem and the monthly status-sync counts now belong to nationalportal (its 0001 and 0002).
SyncItem leaves dossiers' state only: its table stays (nationalportal's model uses it by name).
The two count columns were copied to nationalportal.MonthlySyncStats and are dropped."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0013_idempotency_key'),
        ('nationalportal', '0002_monthly_sync_stats'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SyncItem')],
            database_operations=[],
        ),
        migrations.RemoveField(
            model_name='monthlyagencystats',
            name='dossiers_synced',
        ),
        migrations.RemoveField(
            model_name='monthlyagencystats',
            name='dossiers_to_sync',
        ),
    ]
