"""The dossier page's first read and the transitions' lock (#21): the page reads the dossier by its key with its
version and procedure, then its three agencies and two people by key (the seven-table join cost PostgreSQL more
to plan than the page's other statements together); a transition locks the dossier's row alone, so transitions
of one agency or procedure do not queue behind each other on the agency's or the version's row."""

import pytest
from django.db import connection
from django.http import Http404

from accounts.models import User
from core.tests.concurrency import held_open
from dossiers import selectors, services
from dossiers.models import Dossier, Status
from dossiers.tests.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _received(world, **extra):
    return services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                           at=at(2026, 3, 2, 9), **{**APPLICANT, **extra})


def test_the_dossier_comes_with_its_agencies_and_people_in_three_statements(world, django_assert_num_queries):
    d = services.dossier_assign(dossier=_received(world), actor=world.reception, appraiser=world.appraiser,
                                at=at(2026, 3, 2, 10))
    citizen = User.objects.get(email="an.nguyen@example.com")
    Dossier.objects.filter(pk=d.pk).update(citizen=citizen)
    with django_assert_num_queries(3):  # the dossier (with version, procedure), its agencies, its people
        got = selectors.access_dossier(world.reception, d.pk)
    with django_assert_num_queries(0):  # everything the page reads of it is there
        seen = (got.procedure_version.procedure.code, got.receiving_agency.code, got.handling_agency.code,
                got.returning_agency.code, got.assignee.email, got.citizen.email)
    fresh = Dossier.objects.get(pk=d.pk)
    assert seen == (fresh.procedure_version.procedure.code, fresh.receiving_agency.code,
                    fresh.handling_agency.code, fresh.returning_agency.code, world.appraiser.email, citizen.email)


def test_a_dossier_without_assignee_or_account_and_one_out_of_sight(world, django_assert_num_queries):
    d = _received(world)
    assert d.assignee_id is None and d.citizen_id is None
    got = selectors.access_dossier(world.reception, d.pk)
    with django_assert_num_queries(0):
        assert got.assignee is None and got.citizen is None and got.handling_agency == world.pleiku
    with pytest.raises(Http404):  # another agency's desk: it does not exist for them
        selectors.access_dossier(world.other_reception, d.pk)
    with pytest.raises(Http404):
        selectors.access_dossier(world.reception, d.pk + 10_000)


@pytest.mark.django_db(transaction=True)
def test_a_transition_does_not_wait_for_another_of_the_same_agency_and_procedure(world):
    """Another officer's transition of another dossier of the same agency and procedure has not committed yet: this
    one goes through (it queued behind it when FOR UPDATE locked the joined agency and version rows too)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    d, other = _received(world), _received(world)
    with held_open(lambda: services.dossier_assign(dossier=other, actor=world.reception, appraiser=world.appraiser,
                                                   at=at(2026, 3, 2, 10))):  # the other transition, still running
        d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                    at=at(2026, 3, 2, 10))
    assert Dossier.objects.get(pk=d.pk).status == Status.IN_APPRAISAL
    assert Dossier.objects.get(pk=other.pk).status == Status.IN_APPRAISAL
