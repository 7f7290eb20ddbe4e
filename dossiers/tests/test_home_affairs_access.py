"""Decree 13/2023 (only what the task needs): a Home Affairs officer opens any agency's dossier as a
control sheet — steps, dates, officers, on time or late — with the applicant masked, no contact data, no
ID number and no files (403), on the page, in the API, in the printed forms and in the ledger; the
reception officer of the agency sees everything."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from dossiers import services
from dossiers.models import PersonalDataAccess

from .conftest import APPLICANT, at, attach_required

pytestmark = pytest.mark.django_db
PERSONAL = ("Nguyễn Văn An", "064090000123", "12 Trần Phú", "0912345678", "091 234 5678", "0912 345 678",
            "an.nguyen@example.com")


@pytest.fixture
def received(world):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      at=at(2026, 3, 2, 9), **APPLICANT)
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 9, 30))
    d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 10))
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                   at=at(2026, 3, 2, 11))


def _pdf_text(response) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_page_shows_home_affairs_the_control_sheet_without_the_applicant(client, world, demo, received):
    from payments.services import payment_record_desk

    attachment = received.attachments.filter(is_active=True).first()
    paid = payment_record_desk(dossier=received, actor=world.reception, method="cash", at=at(2026, 3, 2, 11, 30))
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get(reverse("dossiers:detail", args=[received.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and received.code in html
    assert "N. V. A." in html and 'data-testid="personal-hidden"' in html
    assert world.appraiser.full_name in html  # the control sheet: who handled which step
    for value in PERSONAL:
        assert value not in html, value
    assert reverse("dossiers:attachment", args=[attachment.pk]) not in html and attachment.original_name not in html
    assert reverse("dossiers:receipt", args=[received.pk]) not in html
    assert reverse("payments:receipt", args=[paid.pk]) not in html  # the e-receipt answers 403 below
    assert 'data-testid="receipt-link"' not in html and paid.receipt_number in html
    assert client.get(reverse("dossiers:attachment", args=[attachment.pk])).status_code == 403
    assert client.get(reverse("dossiers:receipt", args=[received.pk])).status_code == 403
    assert client.get(reverse("payments:receipt", args=[paid.pk])).status_code == 403  # names the payer
    control = client.get(reverse("dossiers:form", args=[received.pk, "05"]))
    text = _pdf_text(control)
    assert control.status_code == 200 and "N. V. A." in text and "Nguyễn Văn An" not in text
    assert not PersonalDataAccess.objects.exists()  # nothing personal was seen

    client.force_login(world.reception)
    html = client.get(reverse("dossiers:detail", args=[received.pk])).content.decode()
    assert all(v in html for v in ("Nguyễn Văn An", "064090000123", "12 Trần Phú", "an.nguyen@example.com"))
    assert reverse("dossiers:attachment", args=[attachment.pk]) in html
    assert reverse("payments:receipt", args=[paid.pk]) in html
    download = client.get(reverse("dossiers:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "Nguyễn Văn An" in _pdf_text(client.get(reverse("dossiers:form", args=[received.pk, "05"])))
    assert PersonalDataAccess.objects.filter(user=world.reception, action="view").exists()
    assert client.get(reverse("payments:receipt", args=[paid.pk])).status_code == 200


def test_the_api_masks_the_applicant_and_refuses_files_to_home_affairs(client, world, demo, received):
    attachment = received.attachments.filter(is_active=True).first()
    client.force_login(demo.user("noivu@demo.gov.vn"))
    data = client.get(f"/api/dossiers/{received.pk}/").json()
    assert data["code"] == received.code and data["applicant_name"] == "N. V. A."
    assert data["applicant_id_number"] == "********0123"
    assert data["applicant_address"] == data["applicant_phone"] == data["applicant_email"] == ""
    assert data["attachments"] == []
    assert {"create", "submit", "receive", "assign"} <= {e["type"] for e in data["events"]}
    assert not {e["actor"] for e in data["events"]} & {"Nguyễn Văn An", world.citizen.full_name}
    listed = client.get("/api/dossiers/", {"agency": "H21.65"}).json()["results"]
    assert [r["applicant_name"] for r in listed] == ["N. V. A."]
    assert client.get(f"/api/attachments/{attachment.pk}/download/").status_code == 403

    client.force_login(world.reception)
    data = client.get(f"/api/dossiers/{received.pk}/").json()
    assert data["applicant_name"] == "Nguyễn Văn An" and data["applicant_id_number"] == "064090000123"
    assert data["applicant_address"] == "12 Trần Phú" and data["attachments"]
    assert client.get("/api/dossiers/", {"agency": "H21.65"}).json()["results"][0]["applicant_name"] == "Nguyễn Văn An"
    assert client.get(f"/api/attachments/{attachment.pk}/download/").status_code == 200


def test_the_worklist_and_the_ledger_mask_the_applicant_for_home_affairs(client, world, demo, received):
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get(reverse("dossiers:worklist")).content.decode()
    assert received.code in page and "N. V. A." in page and "Nguyễn Văn An" not in page
    query = {"agency": "H21.65", "from": "2026-03-01", "to": "2026-03-31", "format": "xlsx"}
    rows = list(load_workbook(io.BytesIO(client.get(reverse("dossiers:ledger"), query).content)).active
                .iter_rows(values_only=True))
    assert rows[2][1] == received.code and rows[2][4] == "N. V. A." and rows[2][5] in ("", None)
    assert not PersonalDataAccess.objects.exists()
    client.force_login(world.reception)
    rows = list(load_workbook(io.BytesIO(client.get(reverse("dossiers:ledger"), query).content)).active
                .iter_rows(values_only=True))
    assert rows[2][4] == "Nguyễn Văn An" and rows[2][5].startswith("12 Trần Phú")
