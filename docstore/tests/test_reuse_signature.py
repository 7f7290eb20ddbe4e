"""A document reused from the citizen's store enters the dossier through the same upload path, so its digital
signatures are checked as any uploaded PDF's are (dossiers.attachments.signature_check)."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from docstore.models import StoredDocument
from docstore.services import document_reuse
from dossiers import services as dossier_services
from dossiers.models import SignatureCheckState
from dossiers.tests.conftest import APPLICANT
from dossiers.tests.test_attachment_signatures import blank_form
from signing import testing

pytestmark = pytest.mark.django_db


def test_a_signed_pdf_reused_from_the_store_is_checked(world, pki):
    draft = dossier_services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                                  **APPLICANT)
    component = draft.procedure_version.documents.get(requirement="required")
    cert, key = pki.person("Nguyễn Văn An")
    data = testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert])
    stored = StoredDocument(owner=world.citizen, title="Tờ khai đăng ký khai sinh", source="component",
                            original_name="to-khai.pdf", content_type="application/pdf", size=len(data),
                            sha256=hashlib.sha256(data).hexdigest())
    stored.file.save("to-khai.pdf", ContentFile(data), save=False)
    stored.save()
    attachment = document_reuse(dossier=draft, component=component, document_id=stored.pk, actor=world.citizen)
    assert attachment.reused and attachment.signature_state == SignatureCheckState.VALID
    assert [s["signer_name"] for s in attachment.signature_report] == ["Nguyễn Văn An"]
