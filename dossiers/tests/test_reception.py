"""Reception step: walk-in, online submission, guidance (Mẫu 02), refusal (Mẫu 03)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from dossiers import services
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status, Step
from notifications.models import EmailMessage

from .conftest import APPLICANT, at, attach_required

pytestmark = pytest.mark.django_db


def test_walk_in_dossier_is_received_with_code_due_date_event_and_mail(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=at(2026, 3, 2, 10), **APPLICANT)
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.received_at == at(2026, 3, 2, 10)
    assert d.due_at == d.original_due_at == at(2026, 3, 5, 17)  # 3 working days, receipt day not counted
    assert d.step == Step.APPRAISAL and d.step_started_at == at(2026, 3, 2, 10)
    assert d.step_due_at == at(2026, 3, 3, 16, 0)  # 12 working hours allotted to appraisal
    types = list(d.events.values_list("type", "from_status", "to_status"))
    assert types == [("create_at_desk", "draft", "submitted"), ("receive", "submitted", "received"),
                     ("notified", "received", "received")]
    assert d.events.get(type="notified").payload["channels"] == ["email", "sms"]
    receive = d.events.get(type="receive")
    assert receive.actor == world.reception and receive.step == Step.RECEPTION
    assert receive.punctuality == "on_time" and receive.step_due_at == at(2026, 3, 2, 16)  # 4 working hours allotted
    message = EmailMessage.objects.get(to="an.nguyen@example.com")
    assert d.code in message.subject and d.pin in message.body_text and "17:00 05/03/2026" in message.body_text
    assert len(mail.outbox) == 1
    from notifications.models import SmsMessage

    sms = SmsMessage.objects.get()
    assert sms.to == "+84912345678"  # normalised by the service
    assert d.code in sms.body and d.pin in sms.body and sms.status == "sent"


def test_received_after_cut_off_counts_from_the_next_working_day(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 15, 30), **APPLICANT)
    assert d.due_at == at(2026, 3, 6, 17)


def test_reception_officer_of_another_commune_cannot_receive_here(world):
    with pytest.raises(PermissionDenied):
        services.dossier_create_at_desk(actor=world.other_reception, version=world.household, agency=world.pleiku,
                                        **APPLICANT)
    assert Dossier.objects.count() == 0


def test_province_procedure_is_not_received_by_a_commune(world):
    from procedures.models import Procedure

    judicial = Procedure.objects.get(code="2.000505").versions.get()
    with pytest.raises(DomainError) as err:
        services.dossier_create_at_desk(actor=world.reception, version=judicial, agency=world.pleiku, **APPLICANT)
    assert err.value.code == "agency_not_competent"


def test_online_draft_submit_guide_resubmit_receive(world, django_capture_on_commit_callbacks):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attach_required(d, world.citizen)
    assert d.status == Status.DRAFT and d.code is None
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
    assert d.status == Status.SUBMITTED and d.step == Step.RECEPTION
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_guide(dossier=d, actor=world.reception, reason="Thiếu giấy chứng sinh bản chính.",
                                   at=at(2026, 3, 2, 9))
    assert d.status == Status.GUIDED and d.code is None and d.due_at is None  # no clock yet
    assert "Thiếu giấy chứng sinh" in mail.outbox[-1].body
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 3, 8))
    d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 3, 16))
    assert d.status == Status.RECEIVED and d.due_at == at(2026, 3, 4, 17)  # same-day procedure after 15:00


def test_refusal_at_reception_is_terminal_and_needs_reasons(world):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    with pytest.raises(DomainError) as err:
        services.dossier_refuse_at_reception(dossier=d, actor=world.reception, reason="  ")
    assert err.value.code == "reason_required"
    d = services.dossier_refuse_at_reception(dossier=d, actor=world.reception, reason="Không thuộc thẩm quyền.")
    assert d.status == Status.REFUSED_AT_RECEPTION and d.refusal_reason == "Không thuộc thẩm quyền."
    with pytest.raises(DomainError) as err:
        services.dossier_receive(dossier=d, actor=world.reception)
    assert err.value.code == "transition_not_allowed" and "Từ chối tiếp nhận" in err.value.message


def test_citizen_cannot_receive_and_stranger_cannot_submit(world, demo):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attach_required(d, world.citizen)
    with pytest.raises(PermissionDenied):
        services.dossier_submit(dossier=d, actor=demo.user("binh.tran@example.com"))
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    with pytest.raises(PermissionDenied):
        services.dossier_receive(dossier=d, actor=world.citizen)
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.code is None
    assert DossierEvent.objects.filter(dossier=d, type="receive").count() == 0
