"""Indexes added to tables that grow with the province are built without blocking the desks' writes."""

import io

import pytest
from django.core.management import call_command

INDEXES = [("0035_apology_drafts_due", "apology_drafts_due"),
           ("0036_event_supplement_requests", "event_supplement_requests"),
           ("0038_running_due_indexes", "dossier_recv_running_due"),
           ("0038_running_due_indexes", "dossier_hand_running_due"),
           ("0039_running_id_index", "dossier_running_id")]


@pytest.mark.django_db(transaction=True)  # CONCURRENTLY is refused inside a transaction, even to print the SQL
def test_the_indexes_are_built_concurrently_on_postgresql():
    for migration, index in INDEXES:
        out = io.StringIO()
        call_command("sqlmigrate", "dossiers", migration, stdout=out)
        sql = out.getvalue()
        assert f'CREATE INDEX CONCURRENTLY "{index}"' in sql
        assert "BEGIN;" not in sql  # the migration runs outside a transaction, as PostgreSQL requires
        out = io.StringIO()
        call_command("sqlmigrate", "dossiers", migration, "--backwards", stdout=out)
        assert f'DROP INDEX CONCURRENTLY IF EXISTS "{index}"' in out.getvalue()
