"""Files of a dossier filed on the national portal are stored through the same upload path as a citizen's, so
the desk sees their digital signatures checked before receiving (dossiers.attachments.signature_check)."""

import base64

import pytest

from dossiers.models import Dossier, SignatureCheckState
from dossiers.tests.conftest import PDF
from dossiers.tests.test_attachment_signatures import blank_form
from nationalportal import mapping
from signing import testing

from .test_intake import post, request_body

pytestmark = pytest.mark.django_db


def test_intake_files_carry_the_signature_check(client, world, pki):
    mapping.map_version(world.birth)
    [document] = [d for d in world.birth.documents.all() if d.requirement == "required"]
    cert, key = pki.person("Trần Thị Bình")
    signed = testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert])
    files = [{"document_type": mapping.default_type(document), "name": "to-khai.pdf",
              "content_base64": base64.b64encode(signed).decode()},
             {"document_type": mapping.default_type(document), "name": "hong.pdf",
              "content_base64": base64.b64encode(PDF).decode()}]
    answer = post(client, request_body(world.birth, files=files))
    assert answer.status_code == 201, answer.content
    dossier = Dossier.objects.get(pk=answer.json()["dossier_id"])
    states = {a.original_name: (a.signature_state, [s["signer_name"] for s in a.signature_report])
              for a in dossier.attachments.all()}
    assert states == {"to-khai.pdf": (SignatureCheckState.VALID, ["Trần Thị Bình"]),
                      "hong.pdf": (SignatureCheckState.UNREADABLE, [])}
    client.force_login(world.reception)
    html = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Có chữ ký số hợp lệ: Trần Thị Bình" in html and 'data-testid="sig-unreadable"' in html
