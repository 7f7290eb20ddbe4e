"""Two officers act on one dossier at the same moment: one wins, the other is told, nothing doubles."""

import threading

import pytest
from django.db import connections

from core.errors import DomainError
from dossiers import services
from dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from dossiers.workflow import Status

from .conftest import APPLICANT, at, attach_required


@pytest.mark.django_db(transaction=True)
def test_two_officers_receive_the_same_dossier(world, demo):
    from accounts.models import Role, StaffRole

    second = demo.user("admin.pleiku@demo.gov.vn")
    StaffRole.objects.create(user=second, agency=world.pleiku, role=Role.RECEPTION)
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attach_required(d, world.citizen)
    services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
    barrier = threading.Barrier(2)
    outcomes = []

    def receive(officer):
        try:
            barrier.wait(timeout=10)
            services.dossier_receive(dossier=d, actor=officer, at=at(2026, 3, 2, 9))
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive, args=(u,)) for u in (world.reception, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "transition_not_allowed"]
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.code == "H21.65-260302-0001"
    assert DossierEvent.objects.filter(dossier=d, type="receive").count() == 1
    assert DossierCodeCounter.objects.get(agency=world.pleiku).last == 1
    assert Dossier.objects.count() == 1
