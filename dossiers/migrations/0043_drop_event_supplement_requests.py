"""The partial index of supplement-request events served the Decision-766 count while it read the events; the count
now reads the dossier row (`supplement_requests`, `first_supplement_request_at`), and no query asks the events for
those requests alone. Dropped without blocking writes."""

from django.db import migrations

from core.migration_ops import RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction (core.migration_ops)

    dependencies = [("dossiers", "0042_open_span_index")]

    operations = [RemoveIndexOnline(model_name="dossierevent", name="event_supplement_requests")]
