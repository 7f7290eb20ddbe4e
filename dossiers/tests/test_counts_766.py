"""The Decision-766 counting rules (indices.md §4.3) in the monthly counts: one supplement request ends
processing at the request, more than one is late, open dossiers are judged at the end of the month,
dossiers ended before the month are out; online counts need an e-result for paper-result procedures."""

import pytest

from dossiers import services
from dossiers.models import MonthlyAgencyStats
from dossiers.stats import monthly_stats_refresh

from .conftest import APPLICANT, at, attach_required

pytestmark = pytest.mark.django_db


def _received(world, when):
    return services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                           at=when, **APPLICANT)  # 3 working days


def _supplement(world, d, when):
    return services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung.", at=when)


def test_the_766_progress_population_and_on_time(world):
    march = at(2026, 3, 1).date()
    one = _received(world, at(2026, 3, 2, 9))  # due Thu 5/3
    one = services.dossier_assign(dossier=one, actor=world.reception, appraiser=world.appraiser)
    _supplement(world, one, at(2026, 3, 3, 10))  # one request, before the due date: ended, on time
    two = _received(world, at(2026, 3, 2, 9))
    two = services.dossier_assign(dossier=two, actor=world.reception, appraiser=world.appraiser)
    two = _supplement(world, two, at(2026, 3, 3, 10))
    two = services.dossier_supplement_received(dossier=two, actor=world.reception, at=at(2026, 3, 4, 9))
    _supplement(world, two, at(2026, 3, 5, 9))  # a second request: late whatever the dates
    _received(world, at(2026, 3, 30, 9))  # open at the end of March and due in April: on time
    old = _received(world, at(2026, 2, 2, 9))  # received in February, still open and overdue in March
    finished_in_feb = _received(world, at(2026, 2, 2, 9))
    finished_in_feb = services.dossier_assign(dossier=finished_in_feb, actor=world.reception,
                                              appraiser=world.appraiser, at=at(2026, 2, 2, 10))
    finished_in_feb = services.dossier_propose(dossier=finished_in_feb, actor=world.appraiser, proposal="approve",
                                               at=at(2026, 2, 3, 9))
    finished_in_feb = services.dossier_approve(dossier=finished_in_feb, actor=world.approver, at=at(2026, 2, 3, 10))
    services.dossier_resolve(dossier=finished_in_feb, actor=world.appraiser, at=at(2026, 2, 3, 14))  # out of March
    assert old.due_at < at(2026, 3, 1)
    monthly_stats_refresh(first=march, last=march, now=at(2026, 4, 2))
    row = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=march)
    assert (row.dossiers_766, row.dossiers_766_on_time) == (4, 2)  # one, two, the late-March one, old


def test_online_counts_need_an_electronic_result_for_paper_result_procedures(world, pki):
    from dossiers.attachments import attachment_add
    from procedures.models import ProcedureVersion

    from .results_helper import result_upload

    pki.add_agency(world.pleiku)  # the result is signed with the agency's certificate at approval
    march = at(2026, 3, 1).date()
    ProcedureVersion.objects.filter(pk=world.household.pk).update(result_kind="paper")

    def online(with_e_result):
        d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                          **APPLICANT)
        attach_required(d, world.citizen)
        d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
        d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))
        d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
        d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve")
        if with_e_result:
            attachment_add(dossier=d, actor=world.appraiser, kind="result", upload=result_upload())
        return services.dossier_approve(dossier=d, actor=world.approver)

    online(True)
    online(False)
    monthly_stats_refresh(first=march, last=march, now=at(2026, 4, 2))
    row = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=march)
    assert (row.received, row.received_online_766) == (2, 1)
    ProcedureVersion.objects.filter(pk=world.household.pk).update(result_kind="electronic")
    monthly_stats_refresh(first=march, last=march, now=at(2026, 4, 2))
    assert MonthlyAgencyStats.objects.get(agency=world.pleiku, month=march).received_online_766 == 2


def test_the_dossier_keeps_its_supplement_requests_with_their_events(world):
    """counted_766 reads the request count and the first request's time from the dossier row: each request
    writes them with its event, and a refused request (outside the window) writes neither."""
    from core.errors import DomainError
    from dossiers.models import Dossier, DossierEvent, EventType

    d = _received(world, at(2026, 3, 2, 9))
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    assert (d.supplement_requests, d.first_supplement_request_at) == (0, None)
    d = _supplement(world, d, at(2026, 3, 3, 10))
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 4, 9))
    d = _supplement(world, d, at(2026, 3, 4, 15))
    d.refresh_from_db()
    events = DossierEvent.objects.filter(dossier=d, type=EventType.REQUEST_SUPPLEMENT).order_by("at")
    assert d.supplement_requests == events.count() == 2
    assert d.first_supplement_request_at == events.first().at == at(2026, 3, 3, 10)
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 5, 9))
    with pytest.raises(DomainError):
        _supplement(world, d, at(2026, 3, 20, 9))  # past the 3-working-day window: refused, nothing written
    assert Dossier.objects.filter(pk=d.pk, supplement_requests=2).exists()


def test_the_migration_counts_the_requests_already_made(world):
    """Migration 0037 fills the two fields from the events of the dossiers that exist: one statement, equal
    to what the service keeps."""
    import importlib

    from django.db import connection

    from dossiers.models import Dossier

    migration = importlib.import_module("dossiers.migrations.0037_supplement_requests_on_dossier")
    d = _received(world, at(2026, 3, 2, 9))
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = _supplement(world, d, at(2026, 3, 3, 10))
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 4, 9))
    _supplement(world, d, at(2026, 3, 4, 15))
    untouched = _received(world, at(2026, 3, 2, 10))
    kept = list(Dossier.objects.order_by("id").values_list("id", "supplement_requests", "first_supplement_request_at"))
    Dossier.objects.update(supplement_requests=0, first_supplement_request_at=None)
    with connection.schema_editor() as editor:
        migration.backfill(None, editor)
    assert list(Dossier.objects.order_by("id").values_list("id", "supplement_requests",
                                                           "first_supplement_request_at")) == kept
    assert (2, at(2026, 3, 3, 10)) in [(n, first) for _, n, first in kept]
    assert Dossier.objects.get(pk=untouched.pk).supplement_requests == 0
