import datetime as dt
from pathlib import Path

import pytest

from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures
from workcalendar.calendar import TZ

SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
APPLICANT = {"applicant_name": "Nguyễn Văn An", "applicant_id_number": "064090000123",
             "applicant_phone": "0912345678", "applicant_email": "an.nguyen@example.com",
             "applicant_address": "12 Trần Phú", "applicant_commune": "Phường Pleiku"}


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def world(demo):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))

    class World:
        pleiku = demo.agency("H21.65")
        quynhon = demo.agency("H21.66")
        reception = demo.user("tiepnhan.pleiku@demo.gov.vn")
        appraiser = demo.user("thamdinh.pleiku@demo.gov.vn")
        approver = demo.user("lanhdao.pleiku@demo.gov.vn")
        other_reception = demo.user("tiepnhan.quynhon@demo.gov.vn")
        citizen = demo.user("an.nguyen@example.com")
        household = Procedure.objects.get(code="2.000575").versions.get(status=VersionStatus.PUBLISHED)
        birth = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)

    return World()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach_required(dossier, user):
    """Upload a small PDF for every required component (what a citizen does before submitting)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers.attachments import attachment_add

    for document in dossier.procedure_version.documents.filter(requirement="required"):
        attachment_add(dossier=dossier, actor=user, document=document,
                       upload=SimpleUploadedFile(f"{document.pk}.pdf", PDF, content_type="application/pdf"))
    return dossier
