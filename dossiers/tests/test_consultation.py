"""Liên thông: another agency gets a task with its own deadline; its answer brings the dossier back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import DomainError
from dossiers import services
from dossiers.models import ConsultationTask
from dossiers.workflow import Status

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _consulting(world, demo):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    return services.dossier_consult(dossier=d, actor=world.appraiser, reason="Xác nhận hiện trạng nhà ở.",
                                    agency=world.quynhon, days=2, at=at(2026, 3, 2, 14))


def test_consulted_agency_gets_a_task_with_its_own_deadline_and_answers(client, world, demo):
    d = _consulting(world, demo)
    task = ConsultationTask.objects.get(dossier=d)
    assert task.agency == world.quynhon and task.due_at == at(2026, 3, 4, 17)  # 2 working days
    officer = demo.user("thamdinh.quynhon@demo.gov.vn")
    client.force_login(officer)
    page = client.get(reverse("dossiers:consultations")).content.decode()
    assert d.code in page and "Xác nhận hiện trạng nhà ở." in page
    assert "064090000123" not in page  # the consulted agency sees the question, not the applicant's data
    client.post(reverse("dossiers:consultations"), {"task": task.pk, "answer": "Đúng hiện trạng."})
    task.refresh_from_db()
    d.refresh_from_db()
    assert task.answered_by == officer and task.answer == "Đúng hiện trạng."
    assert d.status == Status.IN_APPRAISAL
    event = d.events.get(type="consultation_answered")
    assert "Đúng hiện trạng." in event.reason and event.payload["answered_by"] == officer.pk


def test_only_the_consulted_agency_answers_and_only_once(world, demo):
    d = _consulting(world, demo)
    task = ConsultationTask.objects.get(dossier=d)
    with pytest.raises(PermissionDenied):
        services.consultation_answer(task=task, actor=world.appraiser, answer="Tôi tự trả lời.")
    with pytest.raises(DomainError):
        services.consultation_answer(task=task, actor=demo.user("thamdinh.quynhon@demo.gov.vn"), answer="  ")
    services.consultation_answer(task=task, actor=demo.user("lanhdao.quynhon@demo.gov.vn"), answer="Đồng ý.")
    with pytest.raises(DomainError) as err:
        services.consultation_answer(task=task, actor=demo.user("thamdinh.quynhon@demo.gov.vn"), answer="Lần 2.")
    assert err.value.code == "already_answered"


def test_cannot_consult_oneself_or_with_a_silly_deadline(world, demo):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    with pytest.raises(DomainError):
        services.dossier_consult(dossier=d, actor=world.appraiser, reason="?", agency=world.pleiku)
    with pytest.raises(DomainError):
        services.dossier_consult(dossier=d, actor=world.appraiser, reason="?", agency=world.quynhon, days=0)
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL and not ConsultationTask.objects.exists()


def test_page_is_for_staff_of_the_consulted_agency(client, world):
    client.force_login(world.citizen)
    assert client.get(reverse("dossiers:consultations")).status_code == 403
