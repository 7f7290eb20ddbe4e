import pytest

from dossiers import services
from dossiers.tests.conftest import APPLICANT, at, world  # noqa: F401 - the shared dossier fixtures


@pytest.fixture
def received(world):  # noqa: F811 - the imported fixture
    """A household-business dossier received at the Pleiku desk (fee 100.000 đ in person)."""

    def make(when=None, exemptions=None, **applicant):
        return services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                               at=when or at(2026, 3, 2, 9), exemptions=exemptions,
                                               **{**APPLICANT, **applicant})

    return make


@pytest.fixture
def online_received(world):  # noqa: F811
    """An online dossier of the citizen An, received (fee 50.000 đ online)."""

    def make():
        from dossiers.tests.conftest import attach_required

        d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                          **APPLICANT)
        attach_required(d, world.citizen)
        d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
        return services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))

    return make
