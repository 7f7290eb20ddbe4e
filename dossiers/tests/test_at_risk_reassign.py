"""One-click reassignment from the at-risk page: `services.dossier_reassign` (an event naming both appraisers,
the new one told) for a dossier being appraised, the workflow's `assign` for one waiting for its first
appraiser; refused for who may not assign and for a form shown before the dossier moved, changing nothing."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import Conflict, DomainError
from dossiers import policies, services
from dossiers.models import Dossier, EventType
from dossiers.workflow import Status
from notifications.models import EmailMessage, InboxItem

from .at_risk_helper import (
    before_the_appointment,  # noqa: F401 - the tests' clock (autouse)
    colleague,
    risky,
)
from .transitions_helper import snapshot

pytestmark = pytest.mark.django_db
S = Status


def _post(client, d, appraiser, follow=False, **extra):
    data = {"move": "reassign", "expected_status": d.status, "expected_assignee": d.assignee_id or "",
            "appraiser": appraiser.pk, **extra}
    return client.post(reverse("dossiers:at_risk_assign", args=[d.pk]), data, follow=follow)


def test_the_head_reassigns_and_the_new_appraiser_is_told(client, world, django_capture_on_commit_callbacks):
    d = risky(world, S.IN_APPRAISAL, 0.82)
    other = colleague(world)
    before = Dossier.objects.get(pk=d.pk)
    client.force_login(world.approver)  # the head of Pleiku
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, d, other)
    assert response.status_code == 302
    assert response.url == f"{reverse('dossiers:at_risk')}?agency={world.pleiku.code}"
    d.refresh_from_db()
    assert d.assignee == other
    assert (d.status, d.step, d.step_due_at, d.due_at) == (before.status, before.step, before.step_due_at,
                                                           before.due_at)
    event = d.events.get(type=EventType.REASSIGN)
    assert event.actor == world.approver
    assert (event.from_status, event.to_status, event.step) == (S.IN_APPRAISAL, S.IN_APPRAISAL, "appraisal")
    assert event.payload["from_assignee"] == world.appraiser.pk and event.payload["to_assignee"] == other.pk
    assert event.payload["from_name"] == world.appraiser.full_name and event.payload["to_name"] == other.full_name
    told = InboxItem.objects.get(key=f"reassign:{event.pk}:{other.pk}")
    assert told.user == other and d.code in told.text and told.url == reverse("dossiers:detail", args=[d.pk])
    email = EmailMessage.objects.get(key=f"reassign:{event.pk}:{other.pk}")
    assert email.to == other.email and d.code in email.subject and world.approver.full_name in email.body_text
    assert InboxItem.objects.filter(key=f"reassign:{event.pk}:{world.appraiser.pk}", user=world.appraiser).exists()
    # the staff timeline names both appraisers
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert f"{world.appraiser.full_name} → {other.full_name}" in page


def test_a_dossier_waiting_for_its_first_appraiser_is_assigned_by_the_workflow(client, world):
    d = risky(world, S.RECEIVED, 0.7)
    other = colleague(world)
    client.force_login(world.approver)
    _post(client, d, other, move="assign")
    d.refresh_from_db()
    assert (d.status, d.assignee) == (S.IN_APPRAISAL, other)
    assert d.events.filter(type=EventType.ASSIGN, actor=world.approver).count() == 1
    assert not d.events.filter(type=EventType.REASSIGN).exists()


def test_refused_for_an_appraiser_who_is_not_the_head(client, world):
    d = risky(world, S.IN_APPRAISAL, 0.82)
    other = colleague(world)
    before = snapshot(d)
    client.force_login(world.appraiser)
    response = _post(client, d, other)
    assert response.status_code == 403
    assert "Chỉ thủ trưởng hoặc lãnh đạo" in response.content.decode()
    assert snapshot(d) == before
    assert not InboxItem.objects.filter(user=other).exists()


def test_an_officer_of_another_agency_does_not_find_the_dossier(client, world, demo):
    d = risky(world, S.IN_APPRAISAL, 0.82)
    before = snapshot(d)
    client.force_login(demo.user("lanhdao.quynhon@demo.gov.vn"))
    assert _post(client, d, colleague(world)).status_code == 404
    assert snapshot(d) == before


def test_a_stale_form_changes_nothing_and_says_what_happened(client, world):
    d = risky(world, S.IN_APPRAISAL, 0.82)
    shown = Dossier.objects.get(pk=d.pk)  # what the head's page showed
    second, third = colleague(world), colleague(world, "thamdinh3.pleiku@demo.gov.vn", "Đinh Thẩm Ba")
    services.dossier_reassign(dossier=d, actor=world.approver, appraiser=second)  # meanwhile, in another tab
    before = snapshot(d)
    client.force_login(world.approver)
    response = _post(client, shown, third, follow=True)
    message = re.search(r'class="message message-error"[^>]*>([^<]+)<', response.content.decode()).group(1)
    assert "vừa thay đổi" in message and second.full_name in message and "chưa chuyển gì" in message
    assert snapshot(d) == before
    assert Dossier.objects.get(pk=d.pk).assignee == second
    # the dossier went to the head for approval meanwhile: the status no longer matches either
    d = risky(world, S.AWAITING_APPROVAL, 0.82)
    with pytest.raises(Conflict):
        services.dossier_reassign(dossier=d, actor=world.approver, appraiser=third, expected_status=S.IN_APPRAISAL)
    with pytest.raises(DomainError) as refused:
        services.dossier_reassign(dossier=d, actor=world.approver, appraiser=third)
    assert refused.value.code == "not_in_appraisal"
    assert Dossier.objects.get(pk=d.pk).assignee == world.appraiser


def test_only_an_appraiser_of_the_agency_other_than_the_holder(world, demo):
    d = risky(world, S.IN_APPRAISAL, 0.82)
    for appraiser, code in ((world.appraiser, "same_appraiser"),
                            (demo.user("thamdinh.quynhon@demo.gov.vn"), "not_an_appraiser")):
        with pytest.raises(DomainError) as refused:
            services.dossier_reassign(dossier=d, actor=world.approver, appraiser=appraiser)
        assert refused.value.code == code
    assert not d.events.filter(type=EventType.REASSIGN).exists()


def test_who_may_reassign(world, demo):
    d = risky(world, S.IN_APPRAISAL, 0.82)
    assert policies.can_reassign(world.approver, d)
    assert policies.can_reassign(world.reception, d)  # the competent agency's desk assigns, so it reassigns
    assert not policies.can_reassign(world.appraiser, d)
    assert not policies.can_reassign(demo.user("lanhdao.quynhon@demo.gov.vn"), d)
    world.pleiku.head = world.appraiser  # the head of the agency, whatever role they hold
    world.pleiku.save(update_fields=["head"])
    assert policies.can_reassign(world.appraiser, d)
    with pytest.raises(PermissionDenied):
        services.dossier_reassign(dossier=d, actor=demo.user("lanhdao.quynhon@demo.gov.vn"),
                                  appraiser=colleague(world))


def test_the_control_sheet_names_the_reassignment(world):
    from dossiers.printing import control_sheet_rows

    d = risky(world, S.IN_APPRAISAL, 0.82)
    other = colleague(world)
    services.dossier_reassign(dossier=d, actor=world.approver, appraiser=other)
    rows = [r for r in control_sheet_rows(Dossier.objects.get(pk=d.pk)) if r["event"].type == EventType.REASSIGN]
    assert len(rows) == 1
    assert (rows[0]["officer"], rows[0]["agency"], rows[0]["step"]) == (world.approver, world.pleiku, "Thẩm định")
    assert rows[0]["what"] == f"Chuyển chuyên viên thẩm định: {world.appraiser.full_name} → {other.full_name}"
