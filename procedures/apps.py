from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs):
    """The catalogue search's trigram similarity on SQLite (PostgreSQL has pg_trgm)."""
    if connection.vendor == "sqlite":
        from .text import catalogue_similarity

        connection.connection.create_function("CATALOGUE_SIMILARITY", 3, catalogue_similarity, deterministic=True)


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = "Thủ tục hành chính"

    def ready(self):
        connection_created.connect(_register_sqlite_functions, dispatch_uid="procedures.sqlite_functions")
