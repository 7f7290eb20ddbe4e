"""Who may add which kind of file in which state is declared once (policies.UPLOAD_RULES); the
service, the page and the API all ask it. A result can no longer be attached to a returned dossier."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.errors import DomainError
from dossiers import attachments, policies, services
from dossiers.models import Attachment, AttachmentKind, Dossier, DossierEvent, FeeStatus
from dossiers.workflow import CITIZEN, TERMINAL, Status

from .conftest import APPLICANT, PDF, at, attach_required

S = Status
RECEPTION, APPRAISER, APPROVER = Role.RECEPTION, Role.APPRAISER, Role.APPROVER
PREPARING = {S.DRAFT, S.GUIDED, S.SUPPLEMENT_REQUESTED}
DESK_SCANS = {S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED, S.CONSULTING}
ASKED = {S.GUIDED, S.SUPPLEMENT_REQUESTED}
DRAFTING = {S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED, S.REFUSED}
DESK_RESULT = {S.APPROVED, S.REFUSED, S.RESULT_READY}


def expected(kind: str, state: str) -> set[str]:
    """The rule as the one-stop shop states it, written out independently of the table."""
    who = set()
    if kind == AttachmentKind.COMPONENT:
        who |= {CITIZEN} if state in PREPARING else set()
        who |= {RECEPTION} if state in DESK_SCANS else set()
    elif kind == AttachmentKind.SUPPLEMENT:
        who |= {CITIZEN, RECEPTION} if state in ASKED else set()
    elif kind == AttachmentKind.RESULT:
        who |= {APPRAISER, APPROVER} if state in DRAFTING else set()
        who |= {RECEPTION} if state in DESK_RESULT else set()
    return who


@pytest.mark.parametrize("state", Status.values)
@pytest.mark.parametrize("kind", AttachmentKind.values)
def test_the_table_for_every_kind_and_state(kind, state):
    assert policies.allowed_actors(kind, state) == expected(kind, state)
    if state in TERMINAL:
        assert policies.allowed_actors(kind, state) == set()  # a closed dossier takes no file


def test_the_table_names_only_known_kinds_states_and_actors():
    for rule in policies.UPLOAD_RULES:
        assert rule.kind in AttachmentKind.values and rule.states <= set(Status.values)
        assert set(rule.actors) <= {CITIZEN, RECEPTION, APPRAISER, APPROVER}
    table = policies.rules_as_markdown()
    assert table.count("\n") == len(policies.UPLOAD_RULES) + 1 and "| result | reception |" in table


def _upload(name="ket-qua.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def returned(world):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      **APPLICANT)
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
    d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve")
    attachments.attachment_add(dossier=d, actor=world.appraiser, kind=AttachmentKind.RESULT, upload=_upload())
    d = services.dossier_approve(dossier=d, actor=world.approver)
    d = services.dossier_resolve(dossier=d, actor=world.appraiser)
    Dossier.objects.filter(pk=d.pk).update(fee_status=FeeStatus.PAID)  # paid at the desk
    return services.dossier_return(dossier=d, actor=world.reception, how="online")


def _counts(d):
    return Attachment.objects.filter(dossier=d).count(), DossierEvent.objects.filter(
        dossier=d, type="attachment_added").count()


@pytest.mark.django_db
def test_real_users_map_onto_the_table(world, demo):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      **APPLICANT)
    stranger = demo.user("binh.tran@example.com")
    people = {CITIZEN: world.citizen, RECEPTION: world.reception, APPRAISER: world.appraiser,
              APPROVER: world.approver}
    for state in (S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.AWAITING_APPROVAL, S.RESULT_READY, S.RETURNED):
        Dossier.objects.filter(pk=d.pk).update(status=state)
        d.refresh_from_db()
        for kind in AttachmentKind.values:
            for actor, user in people.items():
                assert policies.can_add_attachment(user, d, kind) == (actor in expected(kind, state)), (
                    kind, state, actor)
            assert not policies.can_add_attachment(world.other_reception, d, kind)
            assert not policies.can_add_attachment(stranger, d, kind)


@pytest.mark.django_db
def test_the_service_refuses_a_result_on_a_returned_dossier(world, returned):
    before = _counts(returned)
    for user in (world.appraiser, world.approver, world.reception):
        with pytest.raises(DomainError) as caught:
            attachments.attachment_add(dossier=returned, actor=user, kind=AttachmentKind.RESULT, upload=_upload())
        assert caught.value.code == "upload_not_allowed_now" and caught.value.http_status == 409
        assert "Đã trả kết quả" in caught.value.message
    with pytest.raises(DomainError) as caught:
        attachments.attachment_add(dossier=returned, actor=world.citizen, kind=AttachmentKind.RESULT,
                                   upload=_upload())
    assert caught.value.code == "upload_forbidden" and caught.value.http_status == 403
    assert _counts(returned) == before


@pytest.mark.django_db
def test_the_api_refuses_with_a_vietnamese_message_and_writes_nothing(world, returned, tmp_path):
    before = _counts(returned)
    api = APIClient()
    api.force_authenticate(world.appraiser)
    response = api.post(f"/api/dossiers/{returned.pk}/attachments/", {"file": _upload(), "kind": "result"},
                        format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "upload_not_allowed_now"
    assert "Không thể tải lên “Kết quả giải quyết”" in response.json()["detail"]
    api.force_authenticate(world.citizen)
    response = api.post(f"/api/dossiers/{returned.pk}/attachments/", {"file": _upload(), "kind": "result"},
                        format="multipart")
    assert response.status_code == 403 and response.json()["code"] == "upload_forbidden"
    response = api.post(f"/api/dossiers/{returned.pk}/attachments/", {"file": _upload(), "kind": "magic"},
                        format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "invalid"  # the one API error body
    assert "Loại tệp “magic” không hợp lệ" in response.json()["errors"]["kind"][0]
    assert _counts(returned) == before
    stored = list((tmp_path / "media").rglob("*.pdf"))
    assert len(stored) == before[0]  # no file left behind in storage either


@pytest.mark.django_db
def test_the_page_refuses_with_a_vietnamese_message_and_writes_nothing(world, returned):
    before = _counts(returned)
    client = Client()
    client.force_login(world.appraiser)
    page = client.get(reverse("dossiers:detail", args=[returned.pk])).content.decode()
    assert 'name="kind" value="result"' not in page  # the page asks the table: no result form
    response = client.post(reverse("dossiers:upload", args=[returned.pk]), {"kind": "result", "file": _upload()})
    assert response.status_code == 409
    assert "Không thể tải lên “Kết quả giải quyết” khi hồ sơ đang ở trạng thái “Đã trả kết quả”" in (
        response.content.decode())
    assert _counts(returned) == before


@pytest.mark.django_db
def test_the_page_offers_the_result_form_where_the_table_allows_it(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    client = Client()
    client.force_login(world.appraiser)
    assert 'name="kind" value="result"' in client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    client.force_login(world.reception)  # the desk scans the paper result only once it is decided
    assert 'name="kind" value="result"' not in client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()


POLYGLOT = (b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
            b"1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_a_pdf_uploaded_as_html_downloads_as_pdf_from_the_page_and_the_api(world):
    """The served name carries the extension of the type detected at upload (as feedback files do): a
    PDF named "x.html" is offered as "x.pdf", never as the .html a browser would render."""
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      **APPLICANT)
    document = d.procedure_version.documents.filter(requirement="required").first()
    attachment = attachments.attachment_add(dossier=d, actor=world.citizen, document=document,
                                            upload=SimpleUploadedFile("x.html", POLYGLOT, content_type="text/html"))
    assert attachment.content_type == "application/pdf" and attachment.original_name == "x.html"
    page, api = Client(), APIClient()
    page.force_login(world.citizen)
    api.force_authenticate(world.citizen)
    for response in (page.get(reverse("dossiers:attachment", args=[attachment.pk])),
                     api.get(f"/api/attachments/{attachment.pk}/download/")):
        disposition = response["Content-Disposition"]
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert disposition.startswith("attachment;") and 'filename="x.pdf"' in disposition
        assert ".html" not in disposition and response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == POLYGLOT
