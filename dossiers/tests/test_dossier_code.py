"""Dossier codes: <agency>-YYMMDD-NNNN, per agency per day, gap-free even under concurrent receptions."""

import threading

import pytest
from django.db import connection, connections

from dossiers import codes, services
from dossiers.models import Dossier

from .conftest import APPLICANT, at, attach_required

pytestmark = pytest.mark.django_db


def test_code_format_and_daily_sequence_per_agency(world):
    d1 = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                         at=at(2026, 3, 2, 9), **APPLICANT)
    d2 = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                         at=at(2026, 3, 2, 14), **APPLICANT)
    d3 = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                         at=at(2026, 3, 3, 8), **APPLICANT)
    d4 = services.dossier_create_at_desk(actor=world.other_reception, version=world.household, agency=world.quynhon,
                                         at=at(2026, 3, 2, 9), **APPLICANT)
    assert [d1.code, d2.code, d3.code, d4.code] == [
        "H21.65-260302-0001", "H21.65-260302-0002", "H21.65-260303-0001", "H21.66-260302-0001"]
    assert len(d1.pin) == 6 and d1.pin.isdigit()


def test_a_failed_reception_gives_its_number_back(world):
    from core.errors import DomainError

    services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                    at=at(2026, 3, 2, 9), **APPLICANT)
    with pytest.raises(DomainError):
        services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        channel="postal", at=at(2026, 3, 2, 10), **APPLICANT)  # not offered
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 11), **APPLICANT)
    assert d.code == "H21.65-260302-0002"


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_receptions_get_fifty_consecutive_codes(world):
    assert connection.vendor == "postgresql"
    drafts = [attach_required(services.dossier_create_draft(citizen=world.citizen, version=world.household,
                                                            agency=world.pleiku, **APPLICANT), world.citizen)
              for _ in range(50)]
    for d in drafts:
        services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
    barrier = threading.Barrier(50)
    errors = []

    def receive(dossier):
        try:
            barrier.wait(timeout=30)
            services.dossier_receive(dossier=dossier, actor=world.reception, at=at(2026, 3, 2, 9))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    got = sorted(Dossier.objects.filter(pk__in=[d.pk for d in drafts]).values_list("code", flat=True))
    assert got == [f"H21.65-260302-{n:04d}" for n in range(1, 51)]


def test_sequence_widens_after_9999(world):
    from dossiers.models import DossierCodeCounter

    DossierCodeCounter.objects.create(agency=world.pleiku, day=at(2026, 3, 2).date(), last=9999)
    assert codes.issue_code(world.pleiku, at(2026, 3, 2).date()) == "H21.65-260302-10000"
