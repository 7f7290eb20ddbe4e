"""The self-assessment and dashboard policy table (parindex.policies) for everyone, about the Pleiku ward:
its leaders score it, the Home Affairs officers whose role covers it appraise it, every Home Affairs officer
imports points and reads all results; the dashboards show Home Affairs and administrators their scope (the
province view), an agency head their own agency."""

from __future__ import annotations

import pytest

from accounts import access
from accounts.models import Agency
from dossiers.tests import policy_table
from dossiers.tests.policy_table import PEOPLE
from parindex import policies

pytestmark = pytest.mark.django_db
people = policy_table.people  # the shared fixture

#                    self-assess, appraise, home affairs, reads assessments
TABLE = {
    "anonymous":        (False, False, False, False),
    "applicant":        (False, False, False, False),
    "other citizen":    (False, False, False, False),
    "reception":        (False, False, False, False),
    "appraiser":        (False, False, False, False),
    "approver":         (True, False, False, True),
    "admin":            (True, False, False, False),
    "other reception":  (False, False, False, False),
    "other appraiser":  (False, False, False, False),
    "other approver":   (False, False, False, True),
    "other admin":      (False, False, False, False),
    "home affairs":     (False, True, True, True),
    "superuser":        (True, True, True, True),
}


def test_the_assessment_policies_for_everyone(world, people):
    assert set(TABLE) == set(PEOPLE)
    for key, expected in TABLE.items():
        user = people[key]
        got = (policies.can_self_assess(user, world.pleiku), policies.can_appraise(user, world.pleiku),
               policies.is_home_affairs(user), policies.reads_assessments(user))
        assert got == expected, key
        assert policies.can_import_survey_points(user) is expected[2] is policies.can_import_external_results(user)


def test_a_ward_home_affairs_officer_appraises_that_ward_only(world, demo):
    ward = demo.user("noivu.quynhon@demo.gov.vn")
    assert policies.can_appraise(ward, world.quynhon) and not policies.can_appraise(ward, world.pleiku)
    assert policies.is_home_affairs(ward)  # imports points and reads every result all the same


def test_the_dashboard_scope(world, people):
    every = sorted(Agency.objects.values_list("pk", flat=True))
    province = sorted(access.visible_agency_ids(people["home affairs"]))
    expected = {
        "approver": ([world.pleiku.pk], False),
        "other approver": ([world.quynhon.pk], False),
        "admin": ([world.pleiku.pk], True),
        "other admin": ([world.quynhon.pk], True),
        "home affairs": (province, True),
    }
    for key in PEOPLE:
        scope = policies.dashboard_scope(people[key])
        if key == "superuser":
            assert (sorted(scope[0]), scope[1]) == (every, True)
        else:
            assert scope == expected.get(key), key
