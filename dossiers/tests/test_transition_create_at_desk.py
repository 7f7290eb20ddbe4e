"""create_at_desk: a walk-in or postal dossier enters the machine already submitted (draft -> submitted, by the
reception officer of the receiving agency), through its declared row of the workflow table: not a status written
beside the machine. It is fired by the desk's service only, never offered as an action on a stored dossier."""

import pytest
from django.urls import reverse
from django_fsm.signals import post_transition
from rest_framework.test import APIClient

from dossiers import policies
from dossiers.models import Dossier
from dossiers.workflow import BY_NAME, CITIZEN, Status, Step, as_markdown

from .transitions_helper import RECEPTION_DUE, SUBMITTED_AT, desk_submitted, online_draft

pytestmark = pytest.mark.django_db


def test_the_workflow_table_declares_it():
    spec = BY_NAME["create_at_desk"]
    assert (spec.sources, spec.target, spec.actors, spec.manual) == ((Status.DRAFT,), Status.SUBMITTED,
                                                                      ("reception",), False)
    assert "| `create_at_desk` (Nộp hồ sơ tại Bộ phận Một cửa) | draft | submitted | reception | receiving |  |  |" \
        in as_markdown()


def test_the_desk_creation_goes_through_the_declared_transition(world):
    fired = []

    def on_transition(sender, instance, name, source, target, **kwargs):
        fired.append((name, source, target, instance.pk))

    post_transition.connect(on_transition, sender=Dossier)
    try:
        d = desk_submitted(world)
    finally:
        post_transition.disconnect(on_transition, sender=Dossier)
    spec = BY_NAME["create_at_desk"]
    # fired on the dossier being created (not yet stored), before anything else moved it
    assert fired == [("create_at_desk", spec.sources[0], spec.target, None)]
    assert d.status == spec.target and d.step == Step.RECEPTION and d.step_started_at == SUBMITTED_AT
    assert d.step_due_at == RECEPTION_DUE
    event = d.events.get(type="create_at_desk")
    assert (event.from_status, event.to_status) == (spec.sources[0], spec.target)
    assert event.actor == world.reception and event.to_agency == world.pleiku and event.step == ""


def test_it_is_never_offered_on_a_stored_dossier(world, client):
    draft = online_draft(world)
    for user in (world.reception, world.citizen):
        assert "create_at_desk" not in [a.name for a in policies.available_actions(user, draft)]
    client.force_login(world.reception)
    assert client.post(reverse("dossiers:action", args=[draft.pk, "create_at_desk"]),
                       {"expected_status": "draft"}).status_code == 404
    api = APIClient()
    api.force_authenticate(world.citizen)
    assert api.post(f"/api/dossiers/{draft.pk}/transitions/create_at_desk/", {}, format="json").status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and CITIZEN not in BY_NAME["create_at_desk"].actors
