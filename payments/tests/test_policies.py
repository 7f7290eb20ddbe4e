"""The fee policy table (payments.policies) for everyone near a dossier, in every state of the workflow.
Who may act does not depend on the state; whether anything is owed is the fee's state (the services say
"already paid", "nothing to pay", "not payable" on their own)."""

from __future__ import annotations

import pytest

from dossiers.tests import policy_table
from dossiers.tests.policy_table import EVERY, mismatches
from payments import policies

pytestmark = pytest.mark.django_db
people, dossier_in = policy_table.people, policy_table.dossier_in  # the shared fixtures

TABLE = {
    "can_record_payment": {"reception": EVERY, "superuser": EVERY},
    "can_record_refund": {"reception": EVERY, "superuser": EVERY},
    "can_pay_online": {"applicant": EVERY},
}


def test_the_fee_policies_for_everyone_in_every_state(people, dossier_in):
    problems = mismatches(TABLE, lambda policy, user, dossier: getattr(policies, policy)(user, dossier),
                          people, dossier_in)
    assert not problems, "\n".join(problems)
