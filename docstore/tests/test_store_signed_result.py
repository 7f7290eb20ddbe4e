"""The citizen's store receives the signed result (the file as issued, not the draft it was signed from)."""

import hashlib

import pytest

from docstore.models import StoredDocument
from dossiers import services as dossier_services
from dossiers.attachments import attachment_add
from dossiers.tests.conftest import APPLICANT, at, attach_required
from dossiers.tests.results_helper import result_upload

pytestmark = pytest.mark.django_db


def test_the_signed_result_enters_the_store(world, pki, django_capture_on_commit_callbacks):
    pki.add_agency(world.pleiku)
    with django_capture_on_commit_callbacks(execute=True):
        d = dossier_services.dossier_create_draft(citizen=world.citizen, version=world.household,
                                                  agency=world.pleiku, **APPLICANT)
        attach_required(d, world.citizen)
        d = dossier_services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
        d = dossier_services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))
    with django_capture_on_commit_callbacks(execute=True):
        d = dossier_services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
        d = dossier_services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve")
        draft = attachment_add(dossier=d, actor=world.appraiser, kind="result", upload=result_upload())
        d = dossier_services.dossier_approve(dossier=d, actor=world.approver)
        d = dossier_services.dossier_resolve(dossier=d, actor=world.appraiser)
    stored = StoredDocument.objects.get(owner=world.citizen, source="result")
    issued = d.e_result_document
    assert stored.sha256 == issued.sha256 == d.e_result_sha256 != draft.sha256
    with stored.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == issued.sha256
