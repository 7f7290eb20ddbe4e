"""Reception regardless of administrative boundaries (Decree 118/2025): a ward desk receives a province-level
procedure for a department, forwards it, the department's desk acknowledges, the result travels to a third desk
the citizen chose. Routing, hand-overs, slips, the clock rule under both configurations, alerts, worklists and
the refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.models import Agency, AgencyLevel, Role, StaffRole, User
from core.errors import Conflict, DomainError
from dossiers import fees, policies, routing, selectors, services
from dossiers.attachments import attachment_add
from dossiers.models import Dossier, DossierCodeCounter, DossierEvent, EventType, Handover
from dossiers.printing import render_handover_slip, render_receipt
from dossiers.workflow import Status
from notifications.models import InboxItem
from procedures.models import Procedure, VersionStatus
from regulations.models import RuleSet
from workcalendar.deadlines import due
from workcalendar.selectors import calendar_for

from .conftest import APPLICANT, PDF, at
from .pdftext import pdf_text

RECEIVED_AT = at(2026, 3, 2, 9)


def _staff(email, name, role, agency):
    """The demo account when the demo has it (named as the assertions below expect), else a new one."""
    user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password="MotCua@2026")
    user.full_name = name
    user.save(update_fields=["full_name"])
    StaffRole.objects.get_or_create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def route(world, demo):
    """Pleiku ward desk (receives), Sở Tư pháp (competent for the judicial record, 2.000505), Quy Nhơn ward desk
    (where the citizen collects the result)."""
    justice = demo.agency("H21.11")
    judicial = Procedure.objects.get(code="2.000505").versions.get(status=VersionStatus.PUBLISHED)
    judicial.agencies.set([justice])
    type(judicial).objects.filter(pk=judicial.pk).update(anywhere=True)
    judicial.refresh_from_db()

    class Route:
        pleiku, quynhon, desk = world.pleiku, world.quynhon, world.reception
        return_desk = world.other_reception
        version = judicial
        department = justice
        dept_desk = _staff("tiepnhan.sotuphap@demo.gov.vn", "Lê Văn Một Cửa", Role.RECEPTION, justice)
        dept_desk2 = _staff("tiepnhan2.sotuphap@demo.gov.vn", "Phan Thị Hai", Role.RECEPTION, justice)
        appraiser = _staff("thamdinh.sotuphap@demo.gov.vn", "Đỗ Văn Thẩm", Role.APPRAISER, justice)
        approver = _staff("lanhdao.sotuphap@demo.gov.vn", "Hà Thị Duyệt", Role.APPROVER, justice)

    return Route()


def _received(r, *, returning=None, when=RECEIVED_AT, scans=True, **kw) -> Dossier:
    d = services.dossier_create_at_desk(actor=r.desk, version=r.version, agency=r.pleiku, at=when,
                                        handling_agency=r.department, returning_agency=returning or r.quynhon,
                                        **{**APPLICANT, **kw})
    if scans:
        for document in d.procedure_version.documents.filter(requirement="required"):
            attachment_add(dossier=d, actor=r.desk, document=document, at=when,
                           upload=SimpleUploadedFile(f"{document.pk}.pdf", PDF, content_type="application/pdf"))
    d.refresh_from_db()
    return d


# -- routing at the desk ---------------------------------------------------------------------------------------

def test_a_ward_desk_receives_a_department_procedure_under_its_own_code(route):
    d = _received(route)
    assert (d.receiving_agency, d.handling_agency, d.returning_agency) == (route.pleiku, route.department,
                                                                          route.quynhon)
    # Decree 61/2018 Art. 26(a), Circular 01/2018 Art. 19: the code carries the receiving desk's identifier and
    # its own daily sequence; the department's counter is untouched.
    assert d.code == "H21.65-260302-0001"
    assert DossierCodeCounter.objects.get(agency=route.pleiku).last == 1
    assert not DossierCodeCounter.objects.filter(agency=route.department).exists()
    text = pdf_text(render_receipt(d, "https://x/tra-cuu/"))
    assert "Ủy ban nhân dân phường Pleiku tiếp nhận hồ sơ" in text
    assert "Cơ quan có thẩm quyền giải quyết: Sở Tư pháp tỉnh Gia Lai" in text
    assert "Bộ phận Một cửa của Ủy ban nhân dân phường Quy Nhơn" in text


def test_the_desk_form_proposes_the_competent_agency(route, world):
    assert routing.propose_competent(route.version, route.pleiku) == route.department  # the only competent one
    assert routing.propose_competent(world.birth, route.pleiku) == route.pleiku  # the desk itself is competent
    assert routing.propose_competent(world.birth, route.department, "Phường Quy Nhơn") == route.quynhon
    assert routing.propose_competent(world.birth, route.department, "") is None  # the officer chooses


def _refused(r, code, **kw):
    before = (Dossier.objects.count(), DossierEvent.objects.count(), DossierCodeCounter.objects.count())
    with pytest.raises(DomainError) as err:
        services.dossier_create_at_desk(actor=r.desk, version=kw.pop("version", r.version), agency=r.pleiku,
                                        at=RECEIVED_AT, **kw, **APPLICANT)
    assert err.value.code == code
    assert (Dossier.objects.count(), DossierEvent.objects.count(), DossierCodeCounter.objects.count()) == before
    return err.value


def test_a_procedure_not_on_the_list_is_refused_with_where_to_go(route):
    type(route.version).objects.filter(pk=route.version.pk).update(anywhere=False)
    route.version.refresh_from_db()
    error = _refused(route, "not_on_list", handling_agency=route.department)
    assert "Sở Tư pháp tỉnh Gia Lai" in error.message and error.field == "handling_agency"


def test_an_agency_not_competent_is_refused(route, demo):
    error = _refused(route, "agency_not_competent", handling_agency=demo.agency("H21.20"))
    assert "không có thẩm quyền" in error.message


def test_an_agency_of_another_province_is_refused(route):
    other = Agency.objects.create(code="H22", name="Ủy ban nhân dân tỉnh Khác", level=AgencyLevel.PROVINCE)
    dept = Agency.objects.create(code="H22.11", name="Sở Tư pháp tỉnh Khác", level=AgencyLevel.DEPARTMENT, parent=other)
    route.version.agencies.add(dept)
    _refused(route, "other_province", handling_agency=dept)


def test_a_third_returning_desk_needs_the_list(route, world):
    # the birth registration is not on the list: collected at the desk or the competent agency only
    _refused(route, "returning_not_on_list", version=world.birth, returning_agency=route.quynhon)
    _refused(route, "returning_not_desk", handling_agency=route.department, return_channel="postal",
             returning_agency=route.quynhon)


# -- forwarding and acknowledging -----------------------------------------------------------------------------

def test_an_undigitised_dossier_cannot_be_forwarded(route):
    d = _received(route, scans=False)
    with pytest.raises(DomainError) as err:
        routing.handover_send(dossier=d, actor=route.desk, kind="dossier")
    assert err.value.code == "not_digitized"
    assert not Handover.objects.exists() and not d.events.filter(type=EventType.HANDOVER_SENT).exists()


def test_forwarding_writes_the_hand_over_and_tells_the_department(route, django_capture_on_commit_callbacks):
    d = _received(route)
    with django_capture_on_commit_callbacks(execute=True):
        h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="Nguyễn Văn Chuyển",
                                  at=at(2026, 3, 2, 10))
    assert (h.from_agency, h.to_agency, h.paper, h.carrier) == (route.pleiku, route.department, True,
                                                               "Nguyễn Văn Chuyển")
    assert h.due_at == calendar_for(route.department).add_working_time(at(2026, 3, 2, 10), 8 * 3600)
    event = d.events.get(type=EventType.HANDOVER_SENT)
    assert (event.from_agency, event.to_agency, event.actor) == (route.pleiku, route.department, route.desk)
    assert set(InboxItem.objects.filter(text__contains=d.code).values_list("user", flat=True)) == {
        route.dept_desk.pk, route.dept_desk2.pk}
    with pytest.raises(Conflict):
        routing.handover_send(dossier=d, actor=route.desk, kind="dossier")
    assert Handover.objects.count() == 1
    with pytest.raises(PermissionDenied):  # the competent agency's desk does not forward what it receives
        routing.handover_send(dossier=d, actor=route.dept_desk, kind="dossier")
    with pytest.raises(DomainError) as err:  # nor a result before there is one
        routing.handover_send(dossier=d, actor=route.dept_desk, kind="result")
    assert err.value.code == "not_ready_to_send"


def test_only_the_department_works_on_it_and_only_after_acknowledging(route):
    d = _received(route)
    routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    d.refresh_from_db()
    assert not policies.can_fire(route.approver, d, "assign")  # not yet arrived
    with pytest.raises(DomainError) as err:
        services.dossier_assign(dossier=d, actor=route.approver, appraiser=route.appraiser)
    assert err.value.code == "not_arrived" and "chưa xác nhận đã nhận" in err.value.message
    with pytest.raises(PermissionDenied):
        routing.handover_acknowledge(handover=d.handovers.get(), actor=route.desk)  # the sender cannot
    h = routing.handover_acknowledge(handover=d.handovers.get(), actor=route.dept_desk, at=at(2026, 3, 2, 14))
    assert h.acknowledged_by == route.dept_desk
    with pytest.raises(Conflict) as err:
        routing.handover_acknowledge(handover=h, actor=route.dept_desk2)
    assert "Lê Văn Một Cửa" in err.value.message
    assert d.events.filter(type=EventType.HANDOVER_ACKNOWLEDGED).count() == 1
    d.refresh_from_db()
    assert not policies.may_fire(route.desk, d, "assign")  # the ward desk no longer acts on it
    assert policies.can_fire(route.dept_desk, d, "assign") and policies.can_fire(route.approver, d, "assign")
    services.dossier_assign(dossier=d, actor=route.approver, appraiser=route.appraiser, at=at(2026, 3, 2, 15))


@pytest.mark.django_db(transaction=True)
def test_two_desks_acknowledging_at_once_one_wins(route):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier")
    barrier, outcomes = threading.Barrier(2), []

    def acknowledge(officer):
        try:
            barrier.wait(timeout=10)
            routing.handover_acknowledge(handover=h, actor=officer)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=acknowledge, args=(u,)) for u in (route.dept_desk, route.dept_desk2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["already_acknowledged", "ok"]
    assert DossierEvent.objects.filter(dossier=d, type=EventType.HANDOVER_ACKNOWLEDGED).count() == 1


def test_the_paper_originals_are_acknowledged_apart_and_once(route):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="Bưu điện tỉnh")
    routing.paper_receive(handover=h, actor=route.dept_desk, at=at(2026, 3, 3, 8))
    with pytest.raises(Conflict):
        routing.paper_receive(handover=h, actor=route.dept_desk2)
    assert d.events.filter(type=EventType.PAPER_RECEIVED).count() == 1
    with pytest.raises(DomainError) as err:
        routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="")
    assert err.value.code in ("already_sent", "carrier_required")


def test_paper_without_a_carrier_is_refused(route):
    d = _received(route)
    with pytest.raises(DomainError) as err:
        routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="  ")
    assert err.value.code == "carrier_required" and not Handover.objects.exists()


def test_the_hand_over_slip_states_sender_carrier_and_receiver(route):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="Nguyễn Văn Chuyển",
                              at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 2, 14, 30))
    h.refresh_from_db()
    text = " ".join(pdf_text(render_handover_slip(h, applicant=d.applicant_name)).split())
    assert "PHIẾU BÀN GIAO HỒ SƠ" in text.upper()
    assert "Bên giao: Bộ phận Một cửa – Ủy ban nhân dân phường Pleiku" in text
    assert "Bên nhận: Sở Tư pháp tỉnh Gia Lai" in text
    assert "người vận chuyển: Nguyễn Văn Chuyển" in text
    assert "14 giờ 30 phút, ngày 02/03/2026 (Lê Văn Một Cửa)" in text
    assert d.code in text and "Nguyễn Thị Tiếp" in text


# -- the result travels to the desk the citizen chose ---------------------------------------------------------------

def _to_result_ready(r) -> Dossier:
    d = _received(r)
    h = routing.handover_send(dossier=d, actor=r.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=r.dept_desk, at=at(2026, 3, 2, 11))
    d = services.dossier_assign(dossier=d, actor=r.approver, appraiser=r.appraiser, at=at(2026, 3, 2, 14))
    d = services.dossier_propose(dossier=d, actor=r.appraiser, proposal="approve", result_summary="Phiếu LLTP số 1",
                                 at=at(2026, 3, 3, 9))
    d = services.dossier_approve(dossier=d, actor=r.approver, at=at(2026, 3, 3, 10))
    d = services.dossier_resolve(dossier=d, actor=r.dept_desk, at=at(2026, 3, 3, 14))
    if d.fee_status == "unpaid":
        fees.mark_paid(d, method="cash", at=at(2026, 3, 3, 14))
    d.refresh_from_db()
    return d


def test_the_result_is_handed_over_only_at_the_chosen_desk_after_it_arrived(route):
    d = _to_result_ready(route)
    assert d.status == Status.RESULT_READY
    assert not policies.may_fire(route.desk, d, "return_result")  # the receiving desk was not chosen
    with pytest.raises(PermissionDenied):
        services.dossier_return(dossier=d, actor=route.desk)
    with pytest.raises(DomainError) as err:  # chosen desk, but the result has not reached it
        services.dossier_return(dossier=d, actor=route.return_desk)
    assert err.value.code == "not_arrived" and "Ủy ban nhân dân phường Quy Nhơn" in err.value.message
    h = routing.handover_send(dossier=d, actor=route.dept_desk, kind="result", paper=True, carrier="Văn thư Sở",
                              at=at(2026, 3, 3, 15))
    assert (h.from_agency, h.to_agency) == (route.department, route.quynhon)
    routing.handover_acknowledge(handover=h, actor=route.return_desk, at=at(2026, 3, 4, 8))
    d = services.dossier_return(dossier=d, actor=route.return_desk, at=at(2026, 3, 4, 9))
    assert d.status == Status.RETURNED
    kinds = list(d.events.filter(type__in=[EventType.HANDOVER_SENT, EventType.HANDOVER_ACKNOWLEDGED])
                 .values_list("type", "to_agency__code"))
    assert kinds == [("handover_sent", "H21.11"), ("handover_acknowledged", "H21.11"),
                     ("handover_sent", "H21.66"), ("handover_acknowledged", "H21.66")]


# -- the clock rule, under both configurations --------------------------------------------------------------

def _rules(clock):
    RuleSet.objects.filter(effective_from__gte=dt.date(2026, 1, 1)).delete()
    base = RuleSet.objects.order_by("-effective_from").first()
    base.pk, base.effective_from, base.handover_clock, base.handover_hours = None, dt.date(2026, 1, 1), clock, 8
    base.save()


def test_travel_time_counted_inside_the_time_limit(route):
    _rules("included")
    d = _received(route)
    option = d.channel_option
    legal = due(calendar_for(route.pleiku), RECEIVED_AT, int(option.time_limit), option.unit)
    assert d.due_at == d.original_due_at == legal
    started = d.step_started_at
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 3, 9))
    d.refresh_from_db()
    assert d.step_started_at == started  # the department's clock ran from the reception


def test_travel_time_added_to_the_appointment(route):
    _rules("added")
    d = _received(route)
    option = d.channel_option
    legal = due(calendar_for(route.pleiku), RECEIVED_AT, int(option.time_limit), option.unit)
    # the forwarding allotment (8 working hours) is added; the result's way back is not (lateness is judged
    # when the result is ready at the competent agency's desk)
    assert d.due_at == calendar_for(route.department).add_working_time(legal, 8 * 3600)
    assert d.due_at > legal
    allotted = calendar_for(route.department).working_seconds_between(d.step_started_at, d.step_due_at) \
        if d.step_due_at else 0
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 3, 9))
    d.refresh_from_db()
    assert d.step_started_at == at(2026, 3, 3, 9)  # the department's clock runs from its acknowledgement
    if allotted:
        assert calendar_for(route.department).working_seconds_between(d.step_started_at, d.step_due_at) == allotted


def test_same_desk_dossiers_keep_the_legal_appointment_under_added(route, world):
    _rules("added")
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=RECEIVED_AT, **APPLICANT)
    option = d.channel_option
    assert d.due_at == due(calendar_for(world.pleiku), RECEIVED_AT, int(option.time_limit), option.unit)
    assert routing.route(d) == []


# -- nothing falls between two desks ------------------------------------------------------------------------------

def test_an_unacknowledged_hand_over_alerts_both_desks_once(route, django_capture_on_commit_callbacks):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    assert routing.handovers_alert_overdue(now=h.due_at - dt.timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert routing.handovers_alert_overdue(now=h.due_at + dt.timedelta(hours=1)) == 1
    assert routing.handovers_alert_overdue(now=h.due_at + dt.timedelta(hours=2)) == 0
    event = d.events.get(type=EventType.HANDOVER_OVERDUE)
    assert (event.from_agency, event.to_agency) == (route.pleiku, route.department)
    told = set(InboxItem.objects.filter(text__contains="chưa được xác nhận").values_list("user", flat=True))
    assert told == {route.desk.pk, route.dept_desk.pk, route.dept_desk2.pk}


def test_each_desk_sees_its_side_in_its_worklist(route):
    d = _to_result_ready(route)
    # before the result is sent, the returning desk has nothing to do with the dossier: it does not see it
    with pytest.raises(Http404):
        selectors.access_dossier(route.return_desk, d.pk)
    assert not policies.can_see_applicant(route.return_desk, d)
    h = routing.handover_send(dossier=d, actor=route.dept_desk, kind="result")
    assert d in selectors.worklist(route.desk, queue="sent")
    assert d in selectors.worklist(route.dept_desk, queue="incoming")
    assert d not in selectors.worklist(route.return_desk, queue="to_return")  # not acknowledged yet
    assert d not in selectors.worklist(route.desk, queue="to_return")
    assert [h.dossier for h in selectors.pending_handovers(route.return_desk)] == [d]
    assert [h.dossier for h in selectors.pending_handovers(route.dept_desk)] == [d]  # what it has not confirmed
    assert selectors.access_dossier(route.return_desk, d.pk) == d
    assert policies.can_see_applicant(route.return_desk, d)  # the desk that hands over checks the person
    other = _staff("thamdinh.quynhon.x@demo.gov.vn", "Người Khác", Role.APPRAISER, route.quynhon)
    assert not policies.can_see_applicant(other, d)  # only the desk of the returning agency
    routing.handover_acknowledge(handover=h, actor=route.return_desk)
    assert d in selectors.worklist(route.return_desk, queue="to_return")
    assert list(policies.returning_desk_officers(d)) == [route.return_desk]  # told of an apology letter


def test_a_dossier_received_at_its_own_desk_has_no_route(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=RECEIVED_AT, **APPLICANT)
    assert d.returning_agency == d.receiving_agency == d.handling_agency
    assert routing.route(d) == [] and d in selectors.worklist(world.reception, queue="mine")
    with pytest.raises(DomainError) as err:
        routing.handover_send(dossier=d, actor=world.reception, kind="dossier")
    assert err.value.code == "no_handover"


# -- the pages and the API ------------------------------------------------------------------------------------------

def test_the_desk_page_proposes_the_competent_agency_and_the_returning_desks(route, client):
    client.force_login(route.desk)
    page = client.get(f"/ho-so/tiep-nhan/?version={route.version.pk}").content.decode()
    assert '<option value="H21.11" selected>Sở Tư pháp tỉnh Gia Lai</option>' in page
    assert 'value="H21.66">Ủy ban nhân dân phường Quy Nhơn</option>' in page  # any desk of the province


def test_the_dossier_page_forwards_acknowledges_and_prints_the_slip(route, client):
    d = _received(route)
    client.force_login(route.desk)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="route"' in page and 'data-action="send-dossier"' in page
    answer = client.post(f"/ho-so/{d.pk}/chuyen/dossier/", {"paper": "1", "carrier": "Nguyễn Văn Chuyển"})
    assert answer.status_code == 302 and d.handovers.get().carrier == "Nguyễn Văn Chuyển"
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-action="send-dossier"' not in page and 'data-action="acknowledge-dossier"' not in page
    h = d.handovers.get()
    assert client.post(f"/ho-so/{d.pk}/ban-giao/{h.pk}/xac-nhan-dien-tu/").status_code == 302
    h.refresh_from_db()
    assert h.acknowledged_at is None  # refused: the sender does not acknowledge
    client.force_login(route.dept_desk)
    assert 'data-action="acknowledge-dossier"' in client.get(f"/ho-so/{d.pk}/").content.decode()
    client.post(f"/ho-so/{d.pk}/ban-giao/{h.pk}/xac-nhan-dien-tu/")
    h.refresh_from_db()
    assert h.acknowledged_by == route.dept_desk
    slip = client.get(f"/ho-so/{d.pk}/ban-giao/{h.pk}.pdf")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    assert "Nguyễn Văn Chuyển" in pdf_text(slip.content)
    assert client.get(f"/ho-so/{d.pk}/ban-giao/{2**70}.pdf").status_code == 404
    assert client.post(f"/ho-so/{d.pk}/ban-giao/{2**70}/xac-nhan-giay/").status_code == 404
    assert client.post(f"/ho-so/{d.pk}/ban-giao/{h.pk}/xac-nhan-khac/").status_code == 404
    answer = client.post(f"/ho-so/{d.pk}/chuyen/khac/", follow=True)
    assert "Loại chuyển không hợp lệ." in answer.content.decode() and d.handovers.count() == 1


def test_the_api_forwards_and_acknowledges_once(route):
    from rest_framework.test import APIClient

    d = _received(route)
    desk, dept = APIClient(), APIClient()
    desk.force_authenticate(route.desk)
    dept.force_authenticate(route.dept_desk)
    bad = desk.post(f"/api/dossiers/{d.pk}/handovers/", {"kind": "khac"}, format="json")
    assert bad.status_code == 400 and not Handover.objects.exists()
    bad = desk.post(f"/api/dossiers/{d.pk}/handovers/", {"kind": "dossier", "paper": True}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "carrier_required" and not Handover.objects.exists()
    sent = desk.post(f"/api/dossiers/{d.pk}/handovers/", {"kind": "dossier"}, format="json")
    assert sent.status_code == 201 and sent.json()["to_agency"] == "H21.11"
    hid = sent.json()["id"]
    assert desk.post(f"/api/dossiers/{d.pk}/handovers/{hid}/acknowledge/").status_code == 403
    ok = dept.post(f"/api/dossiers/{d.pk}/handovers/{hid}/acknowledge/")
    assert ok.status_code == 200 and ok.json()["acknowledged_at"]
    again = dept.post(f"/api/dossiers/{d.pk}/handovers/{hid}/acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"
    assert dept.post(f"/api/dossiers/{d.pk}/handovers/{hid}/paper/").status_code == 409  # no paper followed
    assert dept.post(f"/api/dossiers/{d.pk}/handovers/{2**70}/acknowledge/").status_code == 404
    detail = dept.get(f"/api/dossiers/{d.pk}/").json()
    assert detail["returning_agency"] == route.quynhon.pk and [h["kind"] for h in detail["handovers"]] == ["dossier"]
    created = desk.post("/api/dossiers/", {"desk": True, "procedure_version": route.version.pk, "agency": "H21.65",
                                           "handling_agency": "H21.99", **APPLICANT}, format="json")
    assert created.status_code == 400 and "H21.99" in str(created.json())


def test_the_control_sheet_lists_each_hand_over_with_its_allotment(route):
    from dossiers.printing import render_form

    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 3, 11))  # after its allotment
    text = " ".join(pdf_text(render_form(d, "05")).split())
    assert h.due_at == at(2026, 3, 3, 10)  # 8 working hours: 5 on Monday from 10:00, 3 on Tuesday from 07:00
    assert "UBND phường Pleiku — Tiếp nhận" in text  # the receiving desk received it, not the department
    assert "UBND phường Pleiku — Chuyển hồ" in text and "hạn xác nhận: 10:00" in text
    assert "Sở Tư pháp — Xác nhận đã nhận hồ" in text and "Quá hạn" in text and "Lê Văn Một Cửa" in text
    assert text.count("→ Sở Tư pháp tỉnh Gia Lai") == 2


def test_the_desk_offers_its_own_procedures_and_those_on_the_list(route, world):
    type(route.version).objects.filter(pk=route.version.pk).update(anywhere=False)
    offered = set(routing.desk_versions(selectors.desk_version_list(), [route.pleiku]))
    assert world.birth in offered and route.version not in offered  # a province procedure, not on the list
    type(route.version).objects.filter(pk=route.version.pk).update(anywhere=True)
    offered = list(routing.desk_versions(selectors.desk_version_list(), [route.pleiku]))
    assert world.birth in offered and route.version in offered and len(offered) == len(set(offered))
    assert route.version in set(routing.desk_versions(selectors.desk_version_list(), [route.department]))


def test_the_apology_letter_comes_from_the_department_through_the_returning_desk(route,
                                                                                django_capture_on_commit_callbacks):
    from dossiers.lateness import letters
    from dossiers.printing import render_apology

    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 2, 11))
    with pytest.raises(PermissionDenied):  # the ward desk does not draft it
        letters.apology_letter_draft(dossier=d, actor=route.desk, reason_kind="complex", at=at(2026, 3, 3, 9))
    letter = letters.apology_letter_draft(dossier=d, actor=route.appraiser, reason_kind="complex",
                                          at=at(2026, 3, 3, 9))
    with django_capture_on_commit_callbacks(execute=True):
        letter = letters.apology_letter_issue(letter=letter, actor=route.approver, new_due="2026-03-25",
                                              at=at(2026, 3, 3, 10))
    assert letter.agency == route.department
    assert InboxItem.objects.filter(user=route.return_desk, text__contains=d.code).exists()
    assert not InboxItem.objects.filter(user=route.desk, text__contains="xin lỗi").exists()
    text = " ".join(pdf_text(render_apology(letter)).split())
    assert "Bộ phận Một cửa Ủy ban nhân dân phường Quy Nhơn (nơi trả kết quả)" in text


def test_online_the_citizen_chooses_where_to_collect_the_result(route, world, client):
    client.force_login(world.citizen)
    page = client.get("/ho-so/nop/2.000505/").content.decode()
    assert 'name="returning_agency"' in page and "Ủy ban nhân dân phường Quy Nhơn" in page
    # asked only when the result is collected at a desk (the page's script hides it otherwise)
    assert 'data-show-if="return_channel" data-show-values="desk"' in page and "js/declaration.js" in page
    assert 'name="returning_agency"' not in client.get("/ho-so/nop/1.001193/").content.decode()  # not on the list
    answer = client.post("/ho-so/nop/2.000505/", {**APPLICANT, "applicant_kind": "person", "return_channel": "desk",
                                                  "agency": route.department.pk, "returning_agency": route.quynhon.pk})
    assert answer.status_code == 302, answer.context["form"].errors
    d = Dossier.objects.get(citizen=world.citizen)
    assert (d.receiving_agency, d.handling_agency, d.returning_agency) == (route.department, route.department,
                                                                          route.quynhon)
    assert routing.route(d) == ["result"]
    with pytest.raises(DomainError) as err:
        services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=route.pleiku,
                                      return_channel="desk", returning_agency=route.quynhon, **APPLICANT)
    assert err.value.code == "returning_not_on_list" and Dossier.objects.count() == 1


def test_a_hand_over_to_send_is_in_the_desks_own_queue(route):
    d = _received(route)
    assert d in selectors.worklist(route.desk, queue="mine")  # to forward
    routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    assert d not in selectors.worklist(route.desk, queue="mine")
    assert d not in selectors.worklist(route.dept_desk, queue="mine")  # to acknowledge first (pending hand-overs)
    assert [h.dossier for h in selectors.pending_handovers(route.dept_desk)] == [d]
    routing.handover_acknowledge(handover=d.handovers.get(), actor=route.dept_desk, at=at(2026, 3, 2, 11))
    assert d in selectors.worklist(route.dept_desk, queue="mine")  # now to assign
    result = _to_result_ready(route)
    assert result in selectors.worklist(route.dept_desk, queue="mine")  # the result to forward
    assert result not in selectors.worklist(route.return_desk, queue="mine")  # not arrived yet
    routing.handover_send(dossier=result, actor=route.dept_desk, kind="result", at=at(2026, 3, 3, 15))
    assert result not in selectors.worklist(route.dept_desk, queue="mine")
    assert result not in selectors.worklist(route.return_desk, queue="mine")  # to acknowledge: pending hand-overs
    assert [h.dossier for h in selectors.pending_handovers(route.return_desk)] == [result]
    routing.handover_acknowledge(handover=result.handovers.get(kind="result"), actor=route.return_desk)
    assert result in selectors.worklist(route.return_desk, queue="mine")  # now it is theirs to hand over


def test_the_worklist_page_lists_the_route_queues_and_the_hand_overs_to_confirm(route, client):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="Bưu điện tỉnh",
                              at=at(2026, 3, 2, 10))
    client.force_login(route.dept_desk)
    page = client.get("/ho-so/can-xu-ly/").content.decode()
    for label in ("Tiếp nhận cho nơi khác", "Nơi khác chuyển đến", "Kết quả chờ trả tại quầy",
                  "Chờ xác nhận đã nhận", "Cần xác nhận", "Quá hạn"):
        assert label in page, label
    assert f"/ho-so/{d.pk}/#chuyen-ho-so" in page and d.code in page
    assert "Ủy ban nhân dân phường Pleiku → Sở Tư pháp tỉnh Gia Lai" in page
    assert d.code in client.get("/ho-so/can-xu-ly/?queue=incoming").content.decode()
    client.force_login(route.desk)
    page = client.get("/ho-so/can-xu-ly/").content.decode()
    assert "Chờ nơi nhận xác nhận" in page  # what it sent, not yet confirmed by the department
    assert d.code in client.get("/ho-so/can-xu-ly/?queue=sent").content.decode()
    routing.handover_acknowledge(handover=h, actor=route.dept_desk)
    assert "Chờ xác nhận đã nhận" not in client.get("/ho-so/can-xu-ly/").content.decode()
    client.force_login(route.appraiser)  # not a desk officer: the desk queues and the table are not shown
    page = client.get("/ho-so/can-xu-ly/").content.decode()
    assert "Nơi khác chuyển đến" in page and "Tiếp nhận cho nơi khác" not in page
    assert "Chờ xác nhận đã nhận" not in page


def test_the_competent_agency_is_proposed_from_the_published_text(route, demo):
    version = route.version
    version.agencies.clear()  # open to every province-level agency: read who the publication names
    type(version).objects.filter(pk=version.pk).update(competent_agency="Sở Tư pháp", implementing_agencies="")
    version.refresh_from_db()
    assert len(routing.competent_agencies(version)) > 1
    assert routing.propose_competent(version, route.pleiku) == route.department
    type(version).objects.filter(pk=version.pk).update(competent_agency="Công an cấp tỉnh")
    version.refresh_from_db()
    police = demo.agency("H21.30")  # "Công an tỉnh Gia Lai", short name "Công an tỉnh"
    assert routing.propose_competent(version, route.pleiku) == police
    type(version).objects.filter(pk=version.pk).update(competent_agency="Sở Ngoại vụ")
    version.refresh_from_db()
    assert routing.propose_competent(version, route.pleiku) is None  # nobody named: the officer chooses


def test_the_timeline_names_both_desks_and_the_citizen_sees_the_arrival(route):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 2, 11))
    labels = [e.timeline_label for e in d.events.filter(type__startswith="handover").order_by("at")]
    assert labels == ["Ủy ban nhân dân phường Pleiku chuyển hồ sơ đến Sở Tư pháp tỉnh Gia Lai",
                      "Sở Tư pháp tỉnh Gia Lai đã nhận hồ sơ (bản điện tử)"]
    seen = [e.type for e in selectors.citizen_events(d)]
    assert "handover_acknowledged" in seen and "handover_sent" not in seen


def test_no_acknowledgement_after_the_dossier_was_withdrawn(route):
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    services.dossier_withdraw(dossier=d, actor=route.desk, reason="Công dân rút hồ sơ.", at=at(2026, 3, 2, 11))
    with pytest.raises(DomainError) as err:
        routing.handover_acknowledge(handover=h, actor=route.dept_desk)
    assert err.value.code == "dossier_closed" and not d.events.filter(type=EventType.HANDOVER_ACKNOWLEDGED).exists()
    assert routing.handovers_alert_overdue(now=h.due_at + dt.timedelta(hours=1)) == 0  # nothing to chase


def test_an_agency_without_a_desk_cannot_be_routed_to(route, demo):
    justice = demo.agency("H21.11")
    StaffRole.objects.filter(agency=route.department, role=Role.RECEPTION).delete()
    error = _refused(route, "no_desk", handling_agency=route.department)
    assert error.field == "handling_agency" and "chưa có cán bộ Bộ phận Một cửa" in error.message
    assert justice == route.department


def _worklist_page(client, queue) -> tuple[int, str]:
    """(statements run, HTML) of the worklist page's `queue`, which must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ho-so/can-xu-ly/", {"queue": queue})
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_the_worklist_page_reads_the_same_statements_for_one_row_or_many(route, client):
    """The rows and the hand-overs above them are loaded with only the columns they show (issue #21): a column
    left out would cost a statement per row. One forwarded dossier or four: the same statements, and each row and
    hand-over shows its code, procedure, applicant, status and the two desks."""
    def forwarded():
        d = _received(route)
        routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
        return d

    client.force_login(route.dept_desk)
    first = [forwarded()]
    _worklist_page(client, "agency")  # the session and the caches warmed
    one, _html = _worklist_page(client, "agency")
    more = first + [forwarded() for _ in range(3)]
    many, html = _worklist_page(client, "agency")
    assert one == many
    assert html.count('data-testid="pending-handover"') == 4
    for d in more:
        assert f">{d.code}</a>" in html
    assert f"{route.pleiku.name} → {route.department.name}" in html
    assert route.version.procedure.name[:60] in html and APPLICANT["applicant_name"] in html
    assert str(Dossier.objects.get(pk=more[0].pk).get_status_display()) in html


def test_the_returning_desk_lists_results_without_a_statement_per_row(route, client):
    """The desk where the citizen collects results sees their applicants once the result was sent there: the list
    reads whether it was sent with its rows (issue #21), not once per row; one result or three, the same
    statements, each row with the applicant's full name."""
    def arrived():
        d = _to_result_ready(route)
        h = routing.handover_send(dossier=d, actor=route.dept_desk, kind="result", at=at(2026, 3, 3, 15))
        routing.handover_acknowledge(handover=h, actor=route.return_desk, at=at(2026, 3, 4, 8))
        return d

    client.force_login(route.return_desk)
    arrived()
    _worklist_page(client, "to_return")
    one, html = _worklist_page(client, "to_return")
    assert html.count(APPLICANT["applicant_name"]) == 1
    arrived(), arrived()
    three, html = _worklist_page(client, "to_return")
    assert one == three and html.count(APPLICANT["applicant_name"]) == 3
