"""Indexes added to tables that grow with the province are built without blocking the desks' writes."""

import io

import pytest
from django.core.management import call_command

INDEXES = [("dossiers", "0035_apology_drafts_due", "apology_drafts_due"),
           ("dossiers", "0036_event_supplement_requests", "event_supplement_requests"),
           ("dossiers", "0038_running_due_indexes", "dossier_recv_running_due"),
           ("dossiers", "0038_running_due_indexes", "dossier_hand_running_due"),
           ("dossiers", "0039_running_id_index", "dossier_running_id"),
           ("dossiers", "0040_open_legal_due_index", "dossier_open_legal_due"),
           ("nationalportal", "0008_sync_sent_at_index", "sync_sent_at")]


@pytest.mark.django_db(transaction=True)  # CONCURRENTLY is refused inside a transaction, even to print the SQL
def test_the_indexes_are_built_concurrently_on_postgresql():
    for app, migration, index in INDEXES:
        out = io.StringIO()
        call_command("sqlmigrate", app, migration, stdout=out)
        sql = out.getvalue()
        assert f'CREATE INDEX CONCURRENTLY "{index}"' in sql
        assert "BEGIN;" not in sql  # the migration runs outside a transaction, as PostgreSQL requires
        out = io.StringIO()
        call_command("sqlmigrate", app, migration, "--backwards", stdout=out)
        assert f'DROP INDEX CONCURRENTLY IF EXISTS "{index}"' in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_unused_index_is_dropped_concurrently_on_postgresql():
    out = io.StringIO()
    call_command("sqlmigrate", "dossiers", "0043_drop_event_supplement_requests", stdout=out)
    assert 'DROP INDEX CONCURRENTLY IF EXISTS "event_supplement_requests"' in out.getvalue()
    assert "BEGIN;" not in out.getvalue()
    out = io.StringIO()
    call_command("sqlmigrate", "dossiers", "0043_drop_event_supplement_requests", "--backwards", stdout=out)
    assert 'CREATE INDEX CONCURRENTLY "event_supplement_requests"' in out.getvalue()
