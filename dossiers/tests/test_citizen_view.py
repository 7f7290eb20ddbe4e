"""One selector decides what a citizen sees of their dossier: the page, the API and the file URLs
(page and API) agree. The draft result (file and summary) stays internal until the workflow
releases it; internal events (uploads, deadline alerts, PIN locks) never reach the citizen."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import events, selectors, services
from dossiers.attachments import attachment_add
from dossiers.models import AttachmentKind, DossierEvent, EventType
from dossiers.workflow import RESULT_RELEASED, Status

from .conftest import APPLICANT, PDF, at, attach_required

pytestmark = pytest.mark.django_db
RESULT = b"%PDF-1.4\n% draft result\n%%EOF\n"


@pytest.fixture
def proposed(world):
    """An's online dossier, proposed with a draft result the head has not signed yet."""
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      **APPLICANT)
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
    d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve",
                                 result_summary="Dự thảo: cấp giấy chứng nhận đăng ký hộ kinh doanh")
    result = attachment_add(dossier=d, actor=world.appraiser, kind=AttachmentKind.RESULT,
                            upload=SimpleUploadedFile("ket-qua.pdf", RESULT, content_type="application/pdf"))
    events.bulk_record([DossierEvent(dossier=d, type=EventType.OVERDUE, from_status=d.status, to_status=d.status,
                                     at=at(2026, 3, 3))])  # as the deadline sweep writes it
    events.pin_locked(dossier=d, at=at(2026, 3, 3), failures=10, until=at(2026, 3, 3, 11))
    return d, result


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


INTERNAL = {"attachment_added", "track_overdue", "pin_locked"}


def test_the_draft_result_is_hidden_from_the_citizen_on_every_channel(world, proposed):
    d, result = proposed
    assert d.status == Status.AWAITING_APPROVAL
    body = _api(world.citizen).get(f"/api/dossiers/{d.pk}/").json()
    assert result.pk not in [a["id"] for a in body["attachments"]]
    assert [a["kind"] for a in body["attachments"]] == ["component"]
    assert body["result_summary"] == "" and body["assignee"] is None
    assert not INTERNAL & {e["type"] for e in body["events"]}
    assert all(e["actor"] is None for e in body["events"])  # no officer names, as on the page
    assert _api(world.citizen).get(f"/api/attachments/{result.pk}/download/").status_code == 404
    citizen = _page(world.citizen)
    assert citizen.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 404
    page = citizen.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="result-file"' not in page and "ket-qua.pdf" not in page
    assert "Hồ sơ quá hạn" not in page and "Khóa tra cứu" not in page and "Tải lên" not in page.split(
        'data-testid="timeline"')[1]
    # The page and the API list the same files and the same timeline for the citizen.
    assert [a["id"] for a in body["attachments"]] == list(
        selectors.dossier_attachments_for(world.citizen, d).values_list("pk", flat=True))
    assert [e["type"] for e in body["events"]] == list(
        selectors.dossier_events_for(world.citizen, d).values_list("type", flat=True))


def test_staff_of_the_agency_see_the_draft_result_and_the_whole_timeline(world, proposed):
    d, result = proposed
    body = _api(world.approver).get(f"/api/dossiers/{d.pk}/").json()
    assert result.pk in [a["id"] for a in body["attachments"]]
    assert body["result_summary"].startswith("Dự thảo") and INTERNAL <= {e["type"] for e in body["events"]}
    response = _api(world.approver).get(f"/api/attachments/{result.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == RESULT
    assert _page(world.approver).get(reverse("dossiers:attachment", args=[result.pk])).status_code == 200


def test_the_result_reaches_the_citizen_when_the_workflow_releases_it(world, proposed):
    d, result = proposed
    d = services.dossier_approve(dossier=d, actor=world.approver)
    assert d.status not in RESULT_RELEASED
    assert _api(world.citizen).get(f"/api/attachments/{result.pk}/download/").status_code == 404
    d = services.dossier_resolve(dossier=d, actor=world.appraiser)
    assert d.status == Status.RESULT_READY
    body = _api(world.citizen).get(f"/api/dossiers/{d.pk}/").json()
    assert result.pk in [a["id"] for a in body["attachments"]] and body["result_summary"].startswith("Dự thảo")
    response = _api(world.citizen).get(f"/api/attachments/{result.pk}/download/")
    assert b"".join(response.streaming_content) == RESULT
    page = _page(world.citizen)
    assert b"".join(page.get(reverse("dossiers:attachment", args=[result.pk])).streaming_content) == RESULT
    assert 'data-testid="result-file"' in page.get(reverse("dossiers:detail", args=[d.pk])).content.decode()


def test_tracking_by_code_and_pin_shows_the_citizen_timeline_only(world, proposed):
    d, _result = proposed
    body = APIClient().get("/api/dossiers/track/", {"code": d.code, "pin": d.pin}).json()
    types = [e["type"] for e in body["events"]]
    assert types == list(selectors.citizen_events(d).values_list("type", flat=True))
    assert "propose" in types and not INTERNAL & set(types)
    page = Client().get(reverse("dossiers:track"), {"code": d.code, "pin": d.pin}).content.decode()
    assert "Hồ sơ quá hạn" not in page and "Khóa tra cứu" not in page and "Tải lên" not in page


def test_a_component_of_another_dossier_is_not_reachable(world, proposed, demo):
    d, _result = proposed
    component = d.attachments.get(kind=AttachmentKind.COMPONENT)
    stranger = demo.user("binh.tran@example.com")
    assert _api(stranger).get(f"/api/attachments/{component.pk}/download/").status_code == 404
    assert _page(stranger).get(reverse("dossiers:attachment", args=[component.pk])).status_code == 404
    assert b"".join(_api(world.citizen).get(f"/api/attachments/{component.pk}/download/").streaming_content) == PDF
