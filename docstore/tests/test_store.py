"""The citizen's document store: intake at reception and at the result, reuse in a new dossier,
refusals (another citizen's document, a deleted or expired one), deletion that never takes a file
away from a dossier."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from docstore import selectors, services
from docstore.models import DocumentReuse, StoredDocument
from dossiers import services as dossier_services
from dossiers.models import Attachment
from dossiers.tests.conftest import APPLICANT, at, attach_required

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_dossier(world, django_capture_on_commit_callbacks):
    """An's online dossier, received (its components go to An's store), then signed with an e-result."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers.attachments import attachment_add

    with django_capture_on_commit_callbacks(execute=True):
        d = dossier_services.dossier_create_draft(citizen=world.citizen, version=world.household,
                                                  agency=world.pleiku, **APPLICANT)
        attach_required(d, world.citizen)
        d = dossier_services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
        d = dossier_services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))
    with django_capture_on_commit_callbacks(execute=True):
        d = dossier_services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
        d = dossier_services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve")
        attachment_add(dossier=d, actor=world.appraiser, kind="result", upload=SimpleUploadedFile(
            "giay-chung-nhan.pdf", b"%PDF-1.4\n% result\n%%EOF\n", content_type="application/pdf"))
        d = dossier_services.dossier_approve(dossier=d, actor=world.approver)
        d = dossier_services.dossier_resolve(dossier=d, actor=world.appraiser)
    return d


def _new_draft(world, citizen=None):
    return dossier_services.dossier_create_draft(citizen=citizen or world.citizen, version=world.household,
                                                 agency=world.pleiku, **APPLICANT)


def test_verified_components_and_the_e_result_enter_the_store(world, first_dossier):
    docs = StoredDocument.objects.filter(owner=world.citizen).order_by("id")
    assert [(d.source, d.title) for d in docs] == [("component", "Giấy đề nghị đăng ký hộ kinh doanh"),
                                                   ("result", docs[1].title)]
    component, result = docs
    assert component.issuing_agency == world.pleiku.name and component.source_dossier == first_dossier
    assert result.sha256 == first_dossier.e_result_sha256 and result.issued_on is not None
    assert services.store_intake(dossier_id=first_dossier.pk, kind="component") == 0  # idempotent


def test_reusing_a_stored_document_in_a_new_dossier(world, first_dossier, client):
    component = StoredDocument.objects.get(owner=world.citizen, source="component")
    draft = _new_draft(world)
    required = world.household.documents.get(requirement="required")
    client.force_login(world.citizen)
    page = client.get(f"/ho-so/{draft.pk}/").content.decode()
    assert 'data-testid="reuse"' in page and component.title in page
    client.post(f"/kho-du-lieu/dung-lai/{draft.pk}/", {"component": required.pk, "document": component.pk})
    attachment = Attachment.objects.get(dossier=draft, document=required)
    assert attachment.reused and attachment.sha256 == component.sha256
    reuse = DocumentReuse.objects.get()
    assert (reuse.document, reuse.dossier, reuse.attachment, reuse.actor) == (component, draft, attachment,
                                                                              world.citizen)
    assert draft.events.get(type="attachment_added").payload["reused"] is True
    dossier_services.dossier_submit(dossier=draft, actor=world.citizen)  # nothing missing any more
    # deleting it from the store never takes it away from the dossier
    client.post(f"/kho-du-lieu/{component.pk}/xoa/")
    component.refresh_from_db()
    assert component.deleted_at is not None and not component.file
    attachment.refresh_from_db()
    assert attachment.file.open("rb").read().startswith(b"%PDF")
    another = _new_draft(world)
    with pytest.raises(DomainError) as err:  # a deleted document cannot be used again
        services.document_reuse(dossier=another, component=required, document_id=component.pk, actor=world.citizen)
    assert err.value.code == "document_deleted"
    client.get("/kho-du-lieu/")  # (shows the flash message once)
    listing = client.get("/kho-du-lieu/").content.decode()
    assert "Giấy đề nghị" not in listing and "giay-chung-nhan.pdf" in listing


def test_another_citizens_document_is_refused(world, first_dossier, client, demo):
    binh = demo.user("binh.tran@example.com")
    mine = StoredDocument.objects.get(owner=world.citizen, source="component")
    required = world.household.documents.get(requirement="required")
    draft = _new_draft(world, citizen=binh)
    with pytest.raises(DomainError) as err:
        services.document_reuse(dossier=draft, component=required, document_id=mine.pk, actor=binh)
    assert err.value.code == "not_your_document"
    client.force_login(binh)
    reply = client.post(f"/kho-du-lieu/dung-lai/{draft.pk}/", {"component": required.pk, "document": mine.pk},
                        follow=True)
    assert "không thuộc kho dữ liệu" in reply.content.decode()
    assert client.get(f"/kho-du-lieu/{mine.pk}/tep/").status_code == 404
    assert client.post(f"/kho-du-lieu/{mine.pk}/xoa/").status_code == 404
    assert not Attachment.objects.filter(dossier=draft).exists() and not DocumentReuse.objects.exists()
    with pytest.raises(PermissionDenied):  # An may not push her documents into Bình's dossier either
        services.document_reuse(dossier=_new_draft(world), component=required, document_id=mine.pk, actor=binh)


def test_an_expired_document_is_refused(world, first_dossier):
    doc = StoredDocument.objects.get(owner=world.citizen, source="component")
    StoredDocument.objects.filter(pk=doc.pk).update(valid_until=dt.date(2020, 1, 1))
    with pytest.raises(DomainError) as err:
        services.document_reuse(dossier=_new_draft(world), component=world.household.documents.first(),
                                document_id=doc.pk, actor=world.citizen)
    assert err.value.code == "document_expired" and "01/01/2020" in err.value.message


def test_the_desk_officer_reuses_from_the_applicants_store(world, first_dossier):
    """A walk-in applicant with an account: the officer finds the store by the citizen ID."""
    world.citizen.citizen_id = APPLICANT["applicant_id_number"]
    world.citizen.save()
    d = dossier_services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                                **APPLICANT)
    assert selectors.store_owner(d) == world.citizen
    doc = StoredDocument.objects.get(owner=world.citizen, source="result")
    attachment = services.document_reuse(dossier=d, component=world.household.documents.first(), document_id=doc.pk,
                                         actor=world.reception)
    assert attachment.reused and attachment.uploaded_by == world.reception
    with pytest.raises(PermissionDenied):  # an officer of another commune may not
        services.document_reuse(dossier=d, component=world.household.documents.first(), document_id=doc.pk,
                                actor=world.other_reception)
