"""Migration operations for tables that grow with the province (dossiers, their events).

`AddIndexOnline` builds an index without blocking writes on PostgreSQL (CREATE INDEX CONCURRENTLY): on a table of
millions of rows a plain CREATE INDEX holds the table's write lock for the whole build, so the desks could not
receive a dossier for minutes during a deploy. Elsewhere (SQLite, `make run`) it is a plain AddIndex. A migration
using it must say `atomic = False` (PostgreSQL refuses CONCURRENTLY inside a transaction)."""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class _OnlineOnPostgres:
    """PostgreSQL: the concurrent operation (the class's own); elsewhere: `plain`, the ordinary one."""

    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexOnline(_OnlineOnPostgres, AddIndexConcurrently):
    plain = AddIndex

    def describe(self) -> str:
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"


class RemoveIndexOnline(_OnlineOnPostgres, RemoveIndexConcurrently):
    """Drop an index without blocking writes on PostgreSQL (DROP INDEX CONCURRENTLY); a plain RemoveIndex elsewhere.
    The migration must say `atomic = False`, as for `AddIndexOnline`."""

    plain = RemoveIndex

    def describe(self) -> str:
        return f"Remove index {self.name} from {self.model_name} (concurrently on PostgreSQL)"
