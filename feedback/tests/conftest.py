import pytest

from dossiers import services
from dossiers.tests.conftest import APPLICANT, at, world  # noqa: F401 - the shared dossier fixtures
from payments.services import payment_record_desk


@pytest.fixture
def returned(world):  # noqa: F811 - the imported fixture
    """A dossier of Pleiku walked to the citizen: received Mon 2/3/2026, returned Wed 4/3 (early)."""

    def make(when=None, **applicant):
        when = when or at(2026, 3, 2, 9)
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=when, **{**APPLICANT, **applicant})
        d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)
        d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 9))
        d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 3, 10))
        d = services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 3, 14))
        payment_record_desk(dossier=d, actor=world.reception, method="cash", at=at(2026, 3, 4, 8, 55))
        return services.dossier_return(dossier=d, actor=world.reception, at=at(2026, 3, 4, 9))

    return make
