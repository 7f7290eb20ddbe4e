"""Paying at the desk: cash, transfer or the post; an e-receipt with a number; refunds."""

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from core.errors import Conflict, DomainError
from dossiers.models import Dossier
from notifications.models import EmailMessage
from payments import services
from payments.models import Payment

from .conftest import at

pytestmark = pytest.mark.django_db


def test_cash_at_the_desk_issues_a_numbered_e_receipt(world, received, client, django_capture_on_commit_callbacks):
    d = received()
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.payment_record_desk(dossier=d, actor=world.reception, method="cash",
                                               at=at(2026, 3, 2, 9, 5))
    d.refresh_from_db()
    assert (d.fee_status, d.fee_paid_via, d.fee_paid_at) == ("paid", "cash", at(2026, 3, 2, 9, 5))
    assert (payment.status, payment.amount, payment.receipt_number) == ("paid", 100000, "BL26-H21.65-000001")
    event = d.events.get(type="fee_paid")
    assert event.payload["receipt"] == "BL26-H21.65-000001" and event.actor == world.reception
    payment.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(payment.receipt_pdf.open("rb")).pages)
    for expected in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "000001", "100.000 đồng", "Một trăm nghìn đồng", d.code):
        assert expected in text, expected
    assert EmailMessage.objects.filter(key=f"fee-paid:{payment.pk}", to="an.nguyen@example.com").exists()
    second = services.payment_record_desk(dossier=received(), actor=world.reception, method="transfer",
                                          reference="FT26061", at=at(2026, 3, 2, 10))
    assert second.receipt_number == "BL26-H21.65-000002" and second.reference == "FT26061"
    client.force_login(world.citizen)  # the citizen's own dossier? no: a desk dossier has no account
    assert client.get(f"/thanh-toan/bien-lai/{payment.pk}.pdf").status_code == 404
    client.force_login(world.reception)
    page = client.get(f"/thanh-toan/bien-lai/{payment.pk}.pdf")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"


def test_bad_desk_payments_change_nothing(world, received):
    d = received()
    with pytest.raises(DomainError) as err:
        services.payment_record_desk(dossier=d, actor=world.reception, method="bitcoin")
    assert err.value.code == "invalid_method"
    with pytest.raises(DomainError) as err:
        services.payment_record_desk(dossier=d, actor=world.reception, method="transfer", reference=" ")
    assert err.value.code == "reference_required"
    with pytest.raises(PermissionDenied):
        services.payment_record_desk(dossier=d, actor=world.other_reception, method="cash")
    with pytest.raises(PermissionDenied):
        services.payment_record_desk(dossier=d, actor=world.appraiser, method="cash")
    assert not Payment.objects.exists() and Dossier.objects.get(pk=d.pk).fee_status == "unpaid"
    services.payment_record_desk(dossier=d, actor=world.reception, method="cash")
    with pytest.raises(Conflict):  # never paid twice
        services.payment_record_desk(dossier=d, actor=world.reception, method="cash")
    assert Payment.objects.count() == 1


def test_the_desk_pays_through_the_page_then_returns(world, received, client):
    from dossiers import services as dossier_services

    d = received()
    d = dossier_services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = dossier_services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve")
    d = dossier_services.dossier_approve(dossier=d, actor=world.approver)
    d = dossier_services.dossier_resolve(dossier=d, actor=world.appraiser)
    client.force_login(world.reception)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="pay-desk"' in page and "chưa trả kết quả được" in page
    reply = client.post(f"/ho-so/{d.pk}/return_result/", {"expected_status": "result_ready", "how": "desk"},
                        follow=True)
    assert "chưa nộp 100.000 đồng" in reply.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == "result_ready"
    client.post(f"/thanh-toan/ho-so/{d.pk}/tai-quay/", {"method": "cash", "payer_name": "Nguyễn Văn An"})
    client.post(f"/ho-so/{d.pk}/return_result/", {"expected_status": "result_ready", "how": "desk"})
    assert Dossier.objects.get(pk=d.pk).status == "returned"


def test_a_refund_is_recorded_once(world, received):
    from dossiers import services as dossier_services

    d = received()
    services.payment_record_desk(dossier=d, actor=world.reception, method="cash")
    with pytest.raises(DomainError):
        services.refund_record(dossier=d, actor=world.reception, note="Tiền mặt")  # nothing is due yet
    d = dossier_services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = dossier_services.dossier_stop(dossier=d, actor=world.approver, reason="Cơ quan dừng xử lý theo đề nghị.")
    assert d.fee_status == "refund_due"
    with pytest.raises(DomainError) as err:
        services.refund_record(dossier=d, actor=world.reception, note="")
    assert err.value.code == "note_required"
    services.refund_record(dossier=d, actor=world.reception, note="Chuyển khoản hoàn trả FT999")
    d.refresh_from_db()
    assert d.fee_status == "refunded" and d.events.get(type="fee_refunded").payload == {"amount": 100000}
    assert Payment.objects.get(dossier=d).refund_note == "Chuyển khoản hoàn trả FT999"
    with pytest.raises(DomainError):
        services.refund_record(dossier=d, actor=world.reception, note="again")
