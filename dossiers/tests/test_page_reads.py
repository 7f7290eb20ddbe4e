"""The dossier pages and the API read through dossiers.selectors, which start from what the user may see: a task,
a file or a dossier the user may not reach does not exist for them (404), and an id that is not a number is a 404
too, not a 500."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import selectors, services
from dossiers.models import ConsultationTask
from dossiers.workflow import Status

from .conftest import attach_required
from .transitions_helper import drive, online_draft

pytestmark = pytest.mark.django_db


def test_a_consultation_task_is_answered_only_by_the_agency_asked(client, world, demo):
    d = drive(world, Status.CONSULTING)
    task = ConsultationTask.objects.get(dossier=d)
    mine = {world.quynhon.pk}
    assert selectors.consultation_task_get(mine, task.pk) == task
    assert [t.pk for t in selectors.consultation_task_list(mine)] == [task.pk]
    assert selectors.consultation_task_list({world.pleiku.pk}) == []
    client.force_login(world.approver)  # an approver of Pleiku: not the agency asked
    for value in (task.pk, "abc", "²", ""):
        response = client.post(reverse("dossiers:consultations"), {"task": value, "answer": "Đồng ý."})
        assert response.status_code == 404, value
    task.refresh_from_db()
    assert task.answered_at is None


def test_a_file_of_a_dossier_one_may_not_see_cannot_be_removed(client, world):
    draft = attach_required(online_draft(world), world.citizen)
    attachment = draft.attachments.first()
    client.force_login(world.other_reception)
    assert client.post(reverse("dossiers:attachment_remove", args=[attachment.pk])).status_code == 404
    attachment.refresh_from_db()
    assert attachment.is_active
    assert not draft.events.filter(type="attachment_removed").exists()  # refused: nothing on the record


def test_a_file_taken_back_is_on_the_record(client, world):
    draft = attach_required(online_draft(world), world.citizen)
    attachment = draft.attachments.first()
    client.force_login(world.citizen)
    client.post(reverse("dossiers:attachment_remove", args=[attachment.pk]))
    attachment.refresh_from_db()
    assert not attachment.is_active
    event = draft.events.get(type="attachment_removed")
    assert event.actor == world.citizen and event.payload == {
        "attachment": attachment.pk, "name": attachment.original_name, "reused": False}
    # on the staff's timeline, as an upload is: the file's name where the officer sees personal data
    for personal, text in ((True, f"Gỡ “{attachment.original_name}”"), (False, "Gỡ một tệp")):
        html = render_to_string("dossiers/_timeline.html", {"events": [event], "personal": personal,
                                                             "show_staff": True, "dossier": draft})
        assert text in html
        assert (attachment.original_name in html) is personal
    assert client.get(reverse("dossiers:detail", args=[draft.pk])).status_code == 200
    assert selectors.removable_attachment_get(world.citizen, attachment.pk) == attachment


def test_the_api_list_is_what_the_user_may_see_filtered(world):
    received = drive(world, Status.RECEIVED)
    draft = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                          applicant_name="Nguyễn Văn An")
    assert set(selectors.dossier_list(world.reception)) >= {received, draft}
    assert list(selectors.dossier_list(world.reception, status="received", procedure="2.000575",
                                       agency="H21.65", channel="in_person")) == [received]
    assert list(selectors.dossier_list(world.other_reception)) == []
    assert list(selectors.dossier_list(world.citizen)) == [draft]
    api = APIClient()
    api.force_authenticate(world.reception)
    assert [r["id"] for r in api.get("/api/dossiers/", {"status": "draft"}).json()["results"]] == [draft.pk]
