"""Appraisal, supplements (restart / pause), consultation, approval, return; steps and punctuality."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import Conflict, DomainError
from dossiers import fees, policies, services
from dossiers.models import Dossier
from dossiers.workflow import Status, Step
from procedures.models import ProcedureVersion
from workcalendar.units import ClockPolicy

from .conftest import APPLICANT, at, attach_required

pytestmark = pytest.mark.django_db


def _received(world, when=None):
    return services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                           at=when or at(2026, 3, 2, 10), **APPLICANT)


def test_full_path_with_steps_and_punctuality(world):
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    assert d.status == Status.IN_APPRAISAL and d.assignee == world.appraiser
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve",
                                 result_summary="Cấp Giấy chứng nhận đăng ký hộ kinh doanh", at=at(2026, 3, 4, 9))
    assert d.status == Status.AWAITING_APPROVAL and d.step == Step.APPROVAL
    propose = d.events.get(type="propose")
    assert propose.step == Step.APPRAISAL and propose.step_due_at == at(2026, 3, 3, 16, 0)
    assert propose.punctuality == "late"  # appraisal took longer than its 12 hours
    d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 4, 10))
    assert d.events.get(type="approve").punctuality == "on_time"  # within the 2 hours, on the due day
    d = services.dossier_resolve(dossier=d, actor=world.reception, at=at(2026, 3, 5, 9))
    assert d.status == Status.RESULT_READY and d.resolved_at == at(2026, 3, 5, 9)
    assert d.punctuality == "on_time"  # resolved on the due day
    if d.fee_total:  # an unpaid fee keeps the result at the desk
        with pytest.raises(DomainError) as err:
            services.dossier_return(dossier=d, actor=world.reception, at=at(2026, 3, 5, 14))
        assert err.value.code == "fee_unpaid" and Dossier.objects.get(pk=d.pk).status == Status.RESULT_READY
        fees.mark_paid(d, method="cash", at=at(2026, 3, 5, 13))
    d = services.dossier_return(dossier=d, actor=world.reception, at=at(2026, 3, 5, 14))
    assert d.status == Status.RETURNED and d.returned_at == at(2026, 3, 5, 14)
    assert [e for e in d.events.values_list("type", flat=True)] == [
        "create_at_desk", "receive", "assign", "propose", "approve", "resolve", "return_result"]


def test_supplement_restart_recomputes_the_due_date(world):
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung hợp đồng thuê nhà.",
                                            at=at(2026, 3, 3, 10))
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.step == ""
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 10, 9))
    assert d.status == Status.IN_APPRAISAL
    assert d.due_at == at(2026, 3, 13, 17) and d.original_due_at == at(2026, 3, 5, 17)


def test_supplement_pause_continues_the_clock(world):
    ProcedureVersion.objects.filter(pk=world.household.pk).update(supplement_policy=ClockPolicy.PAUSE)
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung.",
                                            at=at(2026, 3, 3, 10))
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 10, 9))
    # Left at the request: Tue 10:00-17:00 (5h) + Wed + Thu (16h) = 21h; from Tue 10/3 09:00 -> Thu 12/3.
    assert d.due_at == at(2026, 3, 12, 17)


def test_supplement_after_three_working_days_is_refused(world):
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    with pytest.raises(DomainError) as err:
        services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung.", at=at(2026, 3, 6, 9))
    assert err.value.code == "supplement_too_late"
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL


def test_only_an_appraiser_of_the_agency_can_be_assigned(world):
    d = _received(world)
    with pytest.raises(DomainError) as err:
        services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.citizen)
    assert err.value.code == "not_an_appraiser"
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.assignee is None


def test_refusal_and_send_back_need_reasons(world):
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="refuse")
    with pytest.raises(DomainError):
        services.dossier_refuse(dossier=d, actor=world.approver, reason="")
    d = services.dossier_send_back(dossier=d, actor=world.approver, reason="Kiểm tra lại tên hộ kinh doanh.")
    assert d.status == Status.IN_APPRAISAL
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="refuse")
    d = services.dossier_refuse(dossier=d, actor=world.approver, reason="Ngành nghề cấm kinh doanh.")
    assert d.status == Status.REFUSED and d.refusal_reason == "Ngành nghề cấm kinh doanh."
    d = services.dossier_resolve(dossier=d, actor=world.reception)
    assert d.status == Status.RESULT_READY


def test_consultation_round_trip(world, demo):
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_consult(dossier=d, actor=world.appraiser, reason="Xin ý kiến Sở Xây dựng.",
                                 agency=demo.agency("H21.20"))
    assert d.status == Status.CONSULTING and d.events.last().payload["agency_name"] == "Sở Xây dựng tỉnh Gia Lai"
    d = services.dossier_consultation_answered(dossier=d, actor=world.appraiser, reason="Đồng ý.")
    assert d.status == Status.IN_APPRAISAL


def test_postal_return_needs_a_tracking_number(world):
    d = _received(world)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve")
    d = services.dossier_approve(dossier=d, actor=world.approver)
    d = services.dossier_resolve(dossier=d, actor=world.appraiser)
    with pytest.raises(DomainError) as err:
        services.dossier_return(dossier=d, actor=world.reception, how="postal")
    assert err.value.code == "tracking_required"
    fees.mark_paid(d, method="postal", at=d.resolved_at)
    d = services.dossier_return(dossier=d, actor=world.reception, how="postal", tracking_number="EMS123456789VN")
    assert d.events.last().payload == {"how": "postal", "tracking_number": "EMS123456789VN"}


def test_wrong_role_or_agency_changes_nothing(world, demo):
    d = _received(world)
    with pytest.raises(PermissionDenied):
        services.dossier_assign(dossier=d, actor=world.other_reception, appraiser=world.appraiser)
    with pytest.raises(PermissionDenied):
        services.dossier_stop(dossier=d, actor=demo.user("lanhdao.quynhon@demo.gov.vn"), reason="Thử.")
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.events.count() == 2


def test_stale_page_gets_a_conflict(world):
    d = _received(world)
    services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    with pytest.raises(Conflict) as err:
        services.dossier_withdraw(dossier=d, actor=world.reception, reason="Công dân rút.",
                                  expected_status=Status.RECEIVED)
    assert err.value.http_status == 409 and "vừa được người khác xử lý" in err.value.message
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL


def test_available_actions_ask_the_machine_and_the_gate(world):
    d = _received(world)
    names = lambda user: [a.name for a in policies.available_actions(user, d)]  # noqa: E731
    assert names(world.reception) == ["assign", "withdraw"]
    assert names(world.approver) == ["assign", "stop"]
    assert names(world.appraiser) == []
    assert names(world.other_reception) == []
    assert names(world.citizen) == []  # a walk-in dossier has no online account


def test_withdraw_by_citizen_and_stop_by_leader(world):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    d = services.dossier_withdraw(dossier=d, actor=world.citizen, reason="Nộp nhầm thủ tục.")
    assert d.status == Status.WITHDRAWN
    d2 = _received(world)
    d2 = services.dossier_stop(dossier=d2, actor=world.approver, reason="Theo đề nghị của cơ quan điều tra.")
    assert d2.status == Status.STOPPED and d2.refusal_reason.startswith("Theo đề nghị")
