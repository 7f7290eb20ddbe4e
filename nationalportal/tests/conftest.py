from dossiers.tests.conftest import world  # noqa: F401 - the shared dossier fixtures
