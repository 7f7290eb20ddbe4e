"""The dossier policy table: for everyone who may come near a dossier (policy_table.PEOPLE) and for every
state of the workflow, what each rule of dossiers.policies answers. Read a row as "who may, and in which
states"; anyone or any state not listed is refused.

The superuser acts on everything; a Home Affairs officer and the staff of another agency act on nothing;
an administrator administers agencies and staff, not dossiers (but sees the applicant of the dossiers of
their agency)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import policies
from dossiers.models import AttachmentKind, Dossier
from dossiers.workflow import BY_NAME, TRANSITIONS, Status

from . import policy_table
from .policy_table import EVERY, PEOPLE, S, mismatches

people, dossier_in = policy_table.people, policy_table.dossier_in  # the shared fixtures

pytestmark = pytest.mark.django_db

RECEIVED_ON = EVERY - {S.DRAFT, S.SUBMITTED, S.GUIDED, S.REFUSED_AT_RECEPTION}  # the dossier has a code


def only(*keys: str, states=EVERY) -> dict[str, frozenset]:
    """These people (and the superuser) in these states."""
    return {key: frozenset(states) for key in (*keys, "superuser")}


# -- who may fire each transition, and from which states -----------------------------------------------
TRANSITION_TABLE = {
    "submit": only("applicant", states={S.DRAFT, S.GUIDED}),
    "create_at_desk": only("reception", states=()),  # fired by its service on a dossier being created only
    "receive": only("reception", states={S.SUBMITTED}),
    "guide": only("reception", states={S.SUBMITTED}),
    "refuse_at_reception": only("reception", states={S.SUBMITTED}),
    "assign": only("reception", "approver", states={S.RECEIVED}),
    "request_supplement": only("appraiser", states={S.IN_APPRAISAL}),
    "supplement_received": only("reception", states={S.SUPPLEMENT_REQUESTED}),
    "consult": only("appraiser", states={S.IN_APPRAISAL}),
    "consultation_answered": only("appraiser", states={S.CONSULTING}),
    "propose": only("appraiser", states={S.IN_APPRAISAL}),
    "approve": only("approver", states={S.AWAITING_APPROVAL}),
    "refuse": only("approver", states={S.AWAITING_APPROVAL}),
    "send_back": only("approver", states={S.AWAITING_APPROVAL}),
    "resolve": only("appraiser", "reception", states={S.APPROVED, S.REFUSED}),
    "return_result": only("reception", states={S.RESULT_READY}),
    "withdraw": only("applicant", "reception", states={S.DRAFT, S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL,
                                                       S.SUPPLEMENT_REQUESTED, S.CONSULTING}),
    "stop": only("approver", states={S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED, S.CONSULTING,
                                     S.AWAITING_APPROVAL}),
}

# -- every other rule ----------------------------------------------------------------------------------
POLICY_TABLE = {
    "can_receive": only("reception", states={S.SUBMITTED}),
    "can_assign": only("reception", "approver", states={S.RECEIVED}),
    "is_receiving_desk": only("reception"),
    "can_be_assigned": only("appraiser"),
    "can_see_applicant": {**only("applicant", "reception", "appraiser", "approver", "admin")},
    "can_unlock_pin": only("reception", states=RECEIVED_ON),
    "can_draft_apology": only("appraiser", "approver"),
    "can_issue_apology": only("approver"),
    "can_declare_cases": {"applicant": frozenset({S.DRAFT, S.GUIDED, S.SUPPLEMENT_REQUESTED})},
    "can_add_attachment(component)": {
        "applicant": frozenset({S.DRAFT, S.GUIDED, S.SUPPLEMENT_REQUESTED}),
        "reception": frozenset({S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED,
                                S.CONSULTING}),
        "superuser": frozenset({S.DRAFT, S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED,
                                S.CONSULTING}),
    },
    "can_add_attachment(supplement)": only("applicant", "reception", states={S.GUIDED, S.SUPPLEMENT_REQUESTED}),
    "can_add_attachment(result)": {
        "appraiser": frozenset({S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED, S.REFUSED}),
        "approver": frozenset({S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED, S.REFUSED}),
        "reception": frozenset({S.APPROVED, S.REFUSED, S.RESULT_READY}),
        "superuser": frozenset({S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED, S.REFUSED, S.RESULT_READY}),
    },
}


def ask(policy: str, user, dossier) -> bool:
    if policy in TRANSITION_TABLE:
        return policies.can_fire(user, dossier, policy)
    if policy.startswith("can_add_attachment("):
        return policies.can_add_attachment(user, dossier, policy[len("can_add_attachment("):-1])
    return getattr(policies, policy)(user, dossier)


def test_every_transition_for_everyone_in_every_state(people, dossier_in):
    problems = mismatches(TRANSITION_TABLE, ask, people, dossier_in)
    assert not problems, "\n".join(problems)


def test_every_other_policy_for_everyone_in_every_state(people, dossier_in):
    problems = mismatches(POLICY_TABLE, ask, people, dossier_in)
    assert not problems, "\n".join(problems)


def test_may_fire_is_who_whatever_the_state(people, dossier_in):
    """`may_fire` is the "who" of the table (the workflow's actors read by the policy); the state is the machine's."""
    dossier = dossier_in(S.RETURNED)
    for name, allowed in TRANSITION_TABLE.items():
        for key in PEOPLE:
            assert policies.may_fire(people[key], dossier, name) is (key in allowed), (name, key)


def test_the_actions_offered_are_the_transitions_one_may_fire(people, dossier_in):
    """`available_actions` (what the detail page and the API offer) and `can_fire` (what the services check)
    read the same machine and the same actors, for everyone in every state; the machine itself carries no
    permission of its own."""
    assert not any(t._django_fsm.transitions[s].permission for t in (getattr(Dossier, n) for n in BY_NAME)
                   for s in t._django_fsm.transitions)
    for state in Status.values:
        dossier = dossier_in(state)
        for key in PEOPLE:
            offered = [a.name for a in policies.available_actions(people[key], dossier)]
            firable = [t.name for t in TRANSITIONS if t.manual and policies.can_fire(people[key], dossier, t.name)]
            assert offered == firable, (state, key)


def test_the_tables_name_every_transition_kind_person_and_state():
    assert set(TRANSITION_TABLE) == set(BY_NAME), "a new transition needs its row in TRANSITION_TABLE"
    assert {p[len("can_add_attachment("):-1] for p in POLICY_TABLE if p.startswith("can_add_attachment(")} == set(
        AttachmentKind.values)
    for table in (TRANSITION_TABLE, POLICY_TABLE):
        for allowed in table.values():
            assert set(allowed) <= set(PEOPLE)
            assert all(states <= set(Status.values) for states in allowed.values())


# -- where the page and the service disagreed before the rules were written once ----------------------

def test_the_assign_form_offers_only_appraisers_the_service_accepts(client, world, dossier_in):
    """Behaviour change (#16): the page listed every account holding the appraiser role at the handling agency,
    also a deactivated one, which `dossier_assign` refuses ("not_an_appraiser"). Both now ask
    `policies.can_be_assigned` / `assignable_appraisers`."""
    from accounts.models import Role, StaffRole, User
    from core.errors import DomainError
    from dossiers import services

    gone = User.objects.create_user("nghi.viec@demo.gov.vn", full_name="Đã Nghỉ Việc", is_active=False)
    StaffRole.objects.create(user=gone, agency=world.pleiku, role=Role.APPRAISER)
    dossier = dossier_in(S.RECEIVED)
    assert list(policies.assignable_appraisers(dossier)) == [world.appraiser]
    assert not policies.can_be_assigned(gone, dossier)
    with pytest.raises(DomainError) as refused:
        services.dossier_assign(dossier=dossier, actor=world.reception, appraiser=gone)
    assert refused.value.code == "not_an_appraiser"
    client.force_login(world.reception)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert f'<option value="{world.appraiser.pk}">' in html and f'<option value="{gone.pk}">' not in html
