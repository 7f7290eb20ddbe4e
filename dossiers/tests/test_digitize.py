"""Số hóa at reception: the officer scans each component handed in; the dossier records which are
digitised, in one event; a bad scan leaves nothing behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from dossiers import services
from dossiers.models import Attachment, Dossier, DossierEvent

from .conftest import APPLICANT, PDF, at

pytestmark = pytest.mark.django_db


def _scan(name="scan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_scans_at_the_desk_are_recorded_as_digitised(world, client):
    doc = world.birth.documents.get(requirement="required")
    optional = world.birth.documents.get(requirement="conditional")
    d = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                        at=at(2026, 3, 2, 9), components=[doc.pk], scans={doc.pk: _scan()},
                                        **APPLICANT)
    scan = Attachment.objects.get(dossier=d)
    assert (scan.document, scan.scanned_at_reception, scan.uploaded_by) == (doc, True, world.reception)
    event = d.events.get(type="digitize")
    assert event.payload["components"] == [doc.name] and event.payload["complete"] is True
    assert event.payload["attachments"] == [scan.pk] and d.status == "received"
    # a scan of a component the officer forgot to tick counts as handed in
    d2 = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                         components=[doc.pk], scans={optional.pk: _scan(), doc.pk: _scan()},
                                         **APPLICANT)
    assert d2.events.get(type="create_at_desk").payload["components"] == [doc.name, optional.name]


def test_a_bad_scan_leaves_nothing_behind(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doc = world.birth.documents.get(requirement="required")
    optional = world.birth.documents.get(requirement="conditional")
    with pytest.raises(DomainError) as err:  # the second scan is not a PDF: the whole reception is refused
        services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                        components=[doc.pk], scans={doc.pk: _scan(),
                                                                    optional.pk: _scan("x.pdf", b"MZ\x90\x00 exe")},
                                        **APPLICANT)
    assert err.value.code == "file_type"
    assert not Dossier.objects.exists() and not Attachment.objects.exists() and not DossierEvent.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_desk_form_takes_the_scans(world, client):
    doc = world.birth.documents.get(requirement="required")
    client.force_login(world.reception)
    page = client.get(f"/ho-so/tiep-nhan/?version={world.birth.pk}").content.decode()
    assert f'name="scan_{doc.pk}"' in page and 'enctype="multipart/form-data"' in page
    client.post("/ho-so/tiep-nhan/", {
        "version": world.birth.pk, "agency": world.pleiku.pk, "channel": "in_person", "return_channel": "desk",
        "applicant_kind": "person", "components": [doc.pk], f"scan_{doc.pk}": _scan(), **APPLICANT})
    d = Dossier.objects.get()
    assert d.attachments.get().scanned_at_reception and d.events.filter(type="digitize").exists()
