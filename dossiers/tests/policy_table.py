"""Shared set-up of the policy tables (dossiers, payments, docstore): everyone who may come near a dossier,
and one dossier of the citizen's account, received at the Pleiku ward, put in any state of the workflow.

The people, by key:
- anonymous; the applicant (the account that filed it); another citizen;
- reception, appraiser, approver, admin: of the receiving (and handling) agency, Pleiku;
- other reception, other appraiser, other approver, other admin: the same roles at Quy Nhơn;
- home affairs: the province's Department of Home Affairs (reads every agency of the province);
- superuser.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import access
from accounts.models import Role, StaffRole, User
from dossiers import services
from dossiers.models import Dossier
from dossiers.workflow import Status

from .conftest import APPLICANT, at, attach_required

S = Status
EVERY = frozenset(Status.values)
PEOPLE = ("anonymous", "applicant", "other citizen", "reception", "appraiser", "approver", "admin",
          "other reception", "other appraiser", "other approver", "other admin", "home affairs", "superuser")
# States in which the dossier has no code yet (not received, or refused at the desk).
BEFORE_RECEPTION = frozenset({S.DRAFT, S.SUBMITTED, S.GUIDED, S.REFUSED_AT_RECEPTION})


@pytest.fixture
def people(world, demo):
    other_admin = User.objects.create_user("admin.quynhon@demo.gov.vn", full_name="Quản Trị Quy Nhơn")
    StaffRole.objects.create(user=other_admin, agency=world.quynhon, role=Role.ADMIN)
    found = {
        "anonymous": AnonymousUser(),
        "applicant": world.citizen,
        "other citizen": demo.user("binh.tran@example.com"),
        "reception": world.reception,
        "appraiser": world.appraiser,
        "approver": world.approver,
        "admin": demo.user("admin.pleiku@demo.gov.vn"),
        "other reception": world.other_reception,
        "other appraiser": demo.user("thamdinh.quynhon@demo.gov.vn"),
        "other approver": demo.user("lanhdao.quynhon@demo.gov.vn"),
        "other admin": other_admin,
        "home affairs": demo.user("noivu@demo.gov.vn"),
        "superuser": demo.user("admin@demo.gov.vn"),
    }
    assert set(found) == set(PEOPLE) and found["superuser"].is_superuser
    for user in found.values():
        if user.is_authenticated:
            access.forget(user)
    return found


@pytest.fixture
def dossier_in(world):
    """dossier_in(state) -> the citizen's dossier in that state (with a code once received)."""
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      at=at(2026, 3, 2, 9), **APPLICANT)
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 9, 30))
    code = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 10)).code
    assert code and d.receiving_agency_id == d.handling_agency_id == world.pleiku.pk

    def put(state: str) -> Dossier:
        Dossier.objects.filter(pk=d.pk).update(status=state, code=None if state in BEFORE_RECEPTION else code)
        return Dossier.objects.get(pk=d.pk)

    return put


def mismatches(expected: dict[str, dict[str, frozenset]], ask, people, dossier_in) -> list[str]:
    """Every (policy, person, state) whose answer differs from the table (`ask(policy, user, dossier)`)."""
    out = []
    for state in Status.values:
        dossier = dossier_in(state)
        for policy, allowed in expected.items():
            for key in PEOPLE:
                want = state in allowed.get(key, frozenset())
                got = ask(policy, people[key], dossier)
                if got is not want:
                    out.append(f"{policy}: {key} in {state}: {got}, expected {want}")
    return out
