"""Fees fixed at reception from the channel's fee items, with the exemption the officer applies."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.models import Dossier, DossierFee
from procedures.models import FeeExemption, FeeItem

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _item(world):
    return FeeItem.objects.get(channel__version=world.household, channel__channel="in_person")


def test_the_fee_is_fixed_at_reception_and_printed_on_the_receipt(world, received, client):
    d = received()
    line = DossierFee.objects.get(dossier=d)
    assert (line.name, line.amount, line.amount_due, line.exemption) == ("Lệ phí đăng ký hộ kinh doanh", 100000,
                                                                         100000, None)
    assert (d.fee_total, d.fee_status) == (100000, "unpaid")
    assert d.events.get(type="receive").payload["fee_total"] == 100000
    FeeItem.objects.filter(pk=_item(world).pk).update(amount=999000)  # a later catalogue change
    d.refresh_from_db()
    assert d.fee_total == 100000 and DossierFee.objects.get(dossier=d).amount_due == 100000
    client.force_login(world.reception)
    pdf = client.get(f"/ho-so/{d.pk}/giay-hen.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("code", "due"), [("ho-ngheo", 0), ("can-ngheo", 50000)])
def test_an_exemption_chosen_by_the_officer(world, received, code, due):
    ground = FeeExemption.objects.get(code=code)
    d = received(exemptions={_item(world).pk: {"exemption": ground.pk, "note": "Sổ hộ nghèo số 12/2026"}})
    line = DossierFee.objects.get(dossier=d)
    assert (line.exemption, line.exemption_percent, line.exemption_note, line.amount_due) == (
        ground, ground.percent, "Sổ hộ nghèo số 12/2026", due)
    assert d.fee_total == due and d.fee_status == ("unpaid" if due else "")
    assert "Sổ hộ nghèo số 12/2026" in d.events.get(type="receive").payload["exemptions"][0]


def test_bad_exemptions_are_refused_and_nothing_is_received(world, received):
    item = _item(world)
    poor = FeeExemption.objects.get(code="ho-ngheo")
    elderly = FeeExemption.objects.get(code="cao-tuoi")
    item.allowed_exemptions.set([poor])  # this fee allows only poor households
    cases = [
        ({item.pk: {"exemption": elderly.pk, "note": "CCCD"}}, "exemption_not_allowed"),
        ({item.pk: {"exemption": poor.pk, "note": "  "}}, "exemption_proof_required"),
        ({item.pk + 999: {"exemption": poor.pk, "note": "x"}}, "wrong_fee"),
    ]
    for exemptions, code in cases:
        with pytest.raises(DomainError) as err:
            received(exemptions=exemptions)
        assert err.value.code == code
    assert not Dossier.objects.exists() and not DossierFee.objects.exists()
    FeeExemption.objects.filter(pk=poor.pk).update(is_active=False)  # a ground no longer in force
    with pytest.raises(DomainError) as err:
        received(exemptions={item.pk: {"exemption": poor.pk, "note": "Sổ 1"}})
    assert err.value.code == "exemption_not_allowed"


def test_the_desk_form_applies_an_exemption(world, client):
    item = _item(world)
    ground = FeeExemption.objects.get(code="nguoi-co-cong")
    client.force_login(world.reception)
    page = client.get(f"/ho-so/tiep-nhan/?version={world.household.pk}")
    assert f'name="exemption_{item.pk}"' in page.content.decode()
    doc = world.household.documents.get(requirement="required")
    data = {"version": world.household.pk, "agency": world.pleiku.pk, "channel": "in_person", "return_channel": "desk",
            "applicant_kind": "person", "components": [doc.pk], f"exemption_{item.pk}": ground.pk,
            f"exemption_note_{item.pk}": "", **APPLICANT}
    page = client.post("/ho-so/tiep-nhan/", data)
    assert page.status_code == 200 and "giấy tờ chứng minh" in page.content.decode()  # the proof is missing
    assert not Dossier.objects.exists()
    data[f"exemption_note_{item.pk}"] = "QĐ 123/QĐ-LĐTBXH"
    page = client.post("/ho-so/tiep-nhan/", data)
    d = Dossier.objects.get()
    assert page.status_code == 302 and d.fee_total == 0 and d.fee_status == ""
    assert DossierFee.objects.get(dossier=d).exemption_note == "QĐ 123/QĐ-LĐTBXH"


def test_refusal_flags_the_refundable_fee_and_cancels_an_unpaid_one(world, received):
    from payments.services import payment_record_desk

    def refuse(d):
        d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 10))
        d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="refuse", at=at(2026, 3, 3, 9))
        return services.dossier_refuse(dossier=d, actor=world.approver, reason="Ngành nghề cấm kinh doanh.",
                                       at=at(2026, 3, 3, 10))

    paid = received()
    payment_record_desk(dossier=paid, actor=world.reception, method="cash", at=at(2026, 3, 2, 9, 5))
    paid = refuse(paid)
    assert (paid.fee_status, paid.refund_amount) == ("refund_due", 100000)
    unpaid = refuse(received())
    assert (unpaid.fee_status, unpaid.refund_amount) == ("cancelled", 0)
    FeeItem.objects.filter(pk=_item(world).pk).update(refundable=False)
    kept = received()
    payment_record_desk(dossier=kept, actor=world.reception, method="cash", at=at(2026, 3, 2, 9, 5))
    assert refuse(kept).fee_status == "paid"  # a non-refundable fee stays collected


def test_an_exemption_on_another_channels_fee_is_refused_not_dropped(world, client):
    online_item = FeeItem.objects.get(channel__version=world.household, channel__channel="online")
    ground = FeeExemption.objects.get(code="ho-ngheo")
    client.force_login(world.reception)
    doc = world.household.documents.get(requirement="required")
    page = client.post("/ho-so/tiep-nhan/", {
        "version": world.household.pk, "agency": world.pleiku.pk, "channel": "in_person", "return_channel": "desk",
        "applicant_kind": "person", "components": [doc.pk], f"exemption_{online_item.pk}": ground.pk,
        f"exemption_note_{online_item.pk}": "Sổ hộ nghèo 1", **APPLICANT})
    assert page.status_code == 200 and "hình thức nộp khác" in page.content.decode()
    assert not Dossier.objects.exists()
