from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate

from .text import catalogue_similarity
from .trigram_index import install


def _register_sqlite_functions(sender, connection, **kwargs):
    """The catalogue search's trigram similarity on SQLite (PostgreSQL has pg_trgm)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("CATALOGUE_SIMILARITY", 3, catalogue_similarity, deterministic=True)


def _install_sqlite_index(sender, using, **kwargs):
    """After every migrate on SQLite: the search's FTS5 trigram index and its triggers are there
    (a later migration that rebuilds the procedures table drops its triggers)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    applied = {name for app, name in MigrationRecorder(connection).applied_migrations() if app == "procedures"}
    if applied and "0006_sqlite_trigram_index" not in applied:
        return  # migrated back before the index (tables made without migrations have it)
    install(connection)


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = "Thủ tục hành chính"

    def ready(self):
        from . import receivers  # noqa: F401 - a write to the catalogue renews its cached searches and filter lists
        connection_created.connect(_register_sqlite_functions, dispatch_uid="procedures.sqlite_functions")
        post_migrate.connect(_install_sqlite_index, sender=self, dispatch_uid="procedures.sqlite_index")
