"""The document-store policy table (docstore.policies): the store's owner (here the applicant) and the desk
of the receiving agency may take its documents into the dossier, while they may add a component to it;
only the owner opens or deletes a stored document."""

from __future__ import annotations

import pytest

from docstore import policies
from docstore.models import StoredDocument
from dossiers.tests import policy_table
from dossiers.tests.policy_table import EVERY, PEOPLE, S, mismatches

pytestmark = pytest.mark.django_db
people, dossier_in = policy_table.people, policy_table.dossier_in  # the shared fixtures

CITIZEN_ADDS = frozenset({S.DRAFT, S.GUIDED, S.SUPPLEMENT_REQUESTED})
DESK_SCANS = frozenset({S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED, S.CONSULTING})

TABLE = {
    "may_use_store_of": {"applicant": EVERY, "reception": EVERY, "superuser": EVERY},
    "can_reuse_from_store": {"applicant": CITIZEN_ADDS, "reception": DESK_SCANS,
                             "superuser": CITIZEN_ADDS | DESK_SCANS},
}


def test_the_store_policies_for_everyone_in_every_state(world, people, dossier_in):
    def ask(policy, user, dossier):
        if policy == "may_use_store_of":
            return policies.may_use_store_of(user, dossier, world.citizen.pk)
        return policies.can_reuse_from_store(user, dossier, world.citizen)

    problems = mismatches(TABLE, ask, people, dossier_in)
    assert not problems, "\n".join(problems)


def test_only_the_owner_manages_a_stored_document(world, people, dossier_in):
    document = StoredDocument(owner=world.citizen, title="CCCD")
    assert [key for key in PEOPLE if policies.can_manage_document(people[key], document)] == ["applicant"]
    assert not policies.can_reuse_from_store(world.citizen, dossier_in(S.DRAFT), None)  # no store to pick from
