"""Set-up for the at-risk tests: dossiers driven through the real services (transitions_helper.drive), with the
forecast's fields written directly on the rows (the forecast model itself is tested on its own)."""

from __future__ import annotations

import pytest
import time_machine

from accounts.models import Role, StaffRole, User
from dossiers.models import Dossier

from .conftest import at
from .transitions_helper import drive

FORECAST_AT = at(2026, 3, 2, 12)
REASON = "Bước thẩm định tại Phòng Tư pháp thường mất 6 ngày làm việc, còn 2 ngày"


@pytest.fixture(autouse=True)
def before_the_appointment():
    """The tests' clock: the day the forecast was stored, before the dossiers' appointment (a dossier already
    past its appointment is late, not at risk of being late)."""
    with time_machine.travel(FORECAST_AT, tick=False):
        yield


def risky(world, status, risk: float | None, reason: str = REASON) -> Dossier:
    """A Pleiku household dossier in `status` with the forecast `risk` stored on it."""
    d = drive(world, status)
    Dossier.objects.filter(pk=d.pk).update(risk=risk, risk_reason=reason if risk is not None else "",
                                           risk_at=FORECAST_AT if risk is not None else None)
    d.refresh_from_db()
    return d


def colleague(world, email: str = "thamdinh2.pleiku@demo.gov.vn", name: str = "Lê Thẩm Hai") -> User:
    """A second appraiser of Pleiku."""
    user = User.objects.create_user(email=email, password="x-Password-12", full_name=name)
    StaffRole.objects.create(user=user, agency=world.pleiku, role=Role.APPRAISER)
    return user
