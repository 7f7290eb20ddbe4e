# The shared fixtures: the dossier world and a dossier returned to the citizen (satisfaction's own).
from dossiers.tests.conftest import APPLICANT, at, world  # noqa: F401
from satisfaction.tests.conftest import returned  # noqa: F401
