"""Monthly counts for the Decision-766 payment and digitisation groups, stored per agency."""

import pytest

from docstore import services as store
from dossiers import services
from dossiers.models import MonthlyAgencyStats
from dossiers.stats import monthly_stats_refresh
from dossiers.tests.conftest import attach_required
from payments import services as pay
from payments.simulator import signed_result
from procedures.models import FeeExemption

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def test_fee_online_payment_and_reuse_counts(world, received, django_capture_on_commit_callbacks):
    march = at(2026, 3, 1).date()
    received(when=at(2026, 3, 2, 9))  # owes a fee, unpaid
    desk = received(when=at(2026, 3, 3, 9))
    pay.payment_record_desk(dossier=desk, actor=world.reception, method="cash", at=at(2026, 3, 3, 9, 5))
    poor = FeeExemption.objects.get(code="ho-ngheo").pk
    fee_item = world.household.channel("in_person").fees.get().pk
    exempt = received(when=at(2026, 3, 4, 9), exemptions={fee_item: {"exemption": poor, "note": "Sổ hộ nghèo 7"}})
    assert exempt.fee_total == 0  # no financial obligation
    # two online dossiers paid online; the second reuses the first's component from the store
    with django_capture_on_commit_callbacks(execute=True):
        first = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                              **APPLICANT)
        attach_required(first, world.citizen)
        services.dossier_submit(dossier=first, actor=world.citizen, at=at(2026, 3, 5, 8))
        first = services.dossier_receive(dossier=first, actor=world.reception, at=at(2026, 3, 5, 9))
    second = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                           **APPLICANT)
    doc = world.citizen.stored_documents.get()
    store.document_reuse(dossier=second, component=world.household.documents.get(), document_id=doc.pk,
                         actor=world.citizen)
    services.dossier_submit(dossier=second, actor=world.citizen, at=at(2026, 3, 6, 8))
    second = services.dossier_receive(dossier=second, actor=world.reception, at=at(2026, 3, 6, 9))
    for d in (first, second):
        payment, _url = pay.payment_start_online(dossier=d, actor=world.citizen, return_url="http://x/",
                                                 at=at(2026, 3, 6, 10))
        assert pay.payment_callback(params=signed_result(payment), source="ipn")[0] == "00"
    monthly_stats_refresh(first=march, last=march, now=at(2026, 4, 2))
    row = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=march)
    assert (row.received, row.dossiers_fee_obligation, row.dossiers_paid_online, row.procedures_paid_online,
            row.dossiers_reusing_data) == (5, 4, 2, 1, 1)
    before = list(MonthlyAgencyStats.objects.values())
    monthly_stats_refresh(first=march, last=march, now=at(2026, 4, 2))
    assert list(MonthlyAgencyStats.objects.values()) == before  # idempotent
