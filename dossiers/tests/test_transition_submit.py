"""submit: draft or guided -> submitted, by the dossier's own citizen; starts the reception step, no message."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import assert_not_notified, last_event, message_counts, online_draft, snapshot

pytestmark = pytest.mark.django_db


def test_citizen_submits_a_draft(world, django_capture_on_commit_callbacks):
    d = online_draft(world)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.submitted_at == at(2026, 3, 2, 8)
    assert d.step == Step.RECEPTION and d.step_started_at == at(2026, 3, 2, 8)
    assert d.step_due_at is None  # the online channel of this procedure allots no hours to its steps
    event = last_event(d, "submit")
    assert (event.from_status, event.to_status) == (Status.DRAFT, Status.SUBMITTED)
    assert event.actor == world.citizen and event.at == at(2026, 3, 2, 8) and event.reason == ""
    assert event.step == "" and event.step_due_at is None and event.punctuality == ""  # no step was running
    assert_not_notified(d, before)


def test_citizen_resubmits_a_guided_dossier(world, django_capture_on_commit_callbacks):
    d = services.dossier_submit(dossier=online_draft(world), actor=world.citizen, at=at(2026, 3, 2, 8))
    d = services.dossier_guide(dossier=d, actor=world.reception, reason="Thiếu giấy chứng sinh.", at=at(2026, 3, 2, 9))
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 3, 8))
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.submitted_at == at(2026, 3, 3, 8) and d.step == Step.RECEPTION
    event = last_event(d, "submit")
    assert (event.from_status, event.to_status, event.at) == (Status.GUIDED, Status.SUBMITTED, at(2026, 3, 3, 8))
    assert event.actor == world.citizen and event.punctuality == ""
    assert_not_notified(d, before)


def test_another_citizen_cannot_submit(world, demo):
    d = online_draft(world)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_submit(dossier=d, actor=demo.user("binh.tran@example.com"), at=at(2026, 3, 2, 8))
    assert snapshot(d) == before


def test_a_submitted_dossier_cannot_be_submitted_again(world):
    d = services.dossier_submit(dossier=online_draft(world), actor=world.citizen, at=at(2026, 3, 2, 8))
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 9))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before


def test_submitting_without_the_required_components_is_refused(world):
    from core.errors import DomainError
    from dossiers.models import Dossier

    draft = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                          applicant_name="Nguyễn Văn An")
    with pytest.raises(DomainError) as err:
        services.dossier_submit(dossier=draft, actor=world.citizen)
    assert err.value.code == "missing_documents" and "Tờ khai đăng ký khai sinh" in err.value.message
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT
