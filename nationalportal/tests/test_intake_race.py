"""The national portal retries before its first request was answered: two identical requests at once make one
dossier, both answered with it; no file is left behind by the one that lost."""

import base64
import threading

import pytest
from django.db import connections

from dossiers import services
from dossiers.models import Attachment, AttachmentKind, Dossier
from dossiers.tests.conftest import PDF
from nationalportal import intake, mapping
from nationalportal.models import NationalDossier, NationalSupplement
from nationalportal.tests.test_intake import request_body


@pytest.mark.django_db(transaction=True)
def test_two_identical_intakes_at_once_make_one_dossier(world):
    mapping.map_version(world.birth)
    data = request_body(world.birth)
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait(timeout=10)
            outcome = intake.intake(data)
            outcomes.append((outcome.created, outcome.record.dossier_id))
        except Exception as exc:  # noqa: BLE001 - a failure is an outcome the test reports
            outcomes.append(("error", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(o[0] for o in outcomes) == [False, True], outcomes
    assert len({o[1] for o in outcomes}) == 1
    assert Dossier.objects.count() == 1 and NationalDossier.objects.count() == 1
    dossier = Dossier.objects.get()
    files = sorted(a.file.name for a in Attachment.objects.filter(dossier=dossier))
    storage = Attachment._meta.get_field("file").storage
    folder = f"dossiers/{dossier.pk}"
    on_disk = sorted(f"{folder}/{name}" for name in storage.listdir(folder)[1]) if storage.exists(folder) else []
    assert on_disk == files  # the losing request wrote nothing it did not remove


@pytest.mark.django_db(transaction=True)
def test_two_identical_supplements_at_once_store_it_once(world):
    mapping.map_version(world.birth)
    d = Dossier.objects.get(pk=intake.intake(request_body(world.birth)).record.dossier_id)
    d = services.dossier_receive(dossier=d, actor=world.reception)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung giấy chứng sinh.")
    document = world.birth.documents.filter(requirement="required").order_by("order").first()
    data = {"supplement_id": "BS-1", "files": [{"document_type": mapping.default_type(document), "name": "b.pdf",
                                                "content_base64": base64.b64encode(PDF).decode()}]}
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait(timeout=10)
            outcomes.append(intake.supplement(d.national_code, data)[1])
        except Exception as exc:  # noqa: BLE001 - a failure is an outcome the test reports
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes, key=str) == [False, True], outcomes
    assert NationalSupplement.objects.count() == 1
    assert d.attachments.filter(kind=AttachmentKind.SUPPLEMENT).count() == 1
