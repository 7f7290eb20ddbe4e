"""The monthly counts of a dossier received at one desk for another competent agency (Decree 118/2025): the
reception counts (received, channel share, fees, reuse) go to the receiving desk, which also counts it as
received for others; the processing counts (finished, on time, the Decision-766 progress population, e-results,
in progress) go to the competent agency, which counts it as received from others and not as received."""

from __future__ import annotations

import pytest

from dossiers import services
from dossiers.models import MonthlyAgencyStats
from dossiers.stats import FIELDS, compute_month, monthly_stats_refresh

from . import test_reception_anywhere as anywhere
from .conftest import APPLICANT, at
from .test_reception_anywhere import _received, _to_result_ready

route = anywhere.route  # the fixture of the reception-anywhere tests (a ward desk receives for Sở Tư pháp)

pytestmark = pytest.mark.django_db

MARCH = at(2026, 3, 1).date()
NOW = at(2026, 4, 2)


def _own(world, when):
    """A dossier of Pleiku received at its own desk (3 working days)."""
    return services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                           at=when, **APPLICANT)


def _row(agency) -> MonthlyAgencyStats:
    return MonthlyAgencyStats.objects.get(agency=agency, month=MARCH)


def test_a_routed_dossier_counts_reception_at_the_desk_and_processing_at_the_department(route, world):
    routed = _to_result_ready(route)  # received 2/3 at the Pleiku desk, resolved by the department on 3/3
    assert routed.punctuality in ("early", "on_time")
    _own(world, at(2026, 3, 2, 9))  # Pleiku's own, still open at the end of March (due 5/3: overdue)
    monthly_stats_refresh(first=MARCH, last=MARCH, now=NOW)

    ward, department = _row(route.pleiku), _row(route.department)
    # The receiving desk: both dossiers received, one of them for another agency; none of its own finished.
    assert (ward.received, ward.received_for_others, ward.received_from_others) == (2, 1, 0)
    assert (ward.finished, ward.in_progress_overdue, ward.dossiers_766, ward.dossiers_766_on_time) == (0, 1, 1, 0)
    # The competent agency: finished on time, in the 766 progress population and on time there; not received.
    assert (department.received, department.received_for_others, department.received_from_others) == (0, 0, 1)
    assert department.finished_early + department.finished_on_time == 1 and department.finished_late == 0
    assert (department.dossiers_766, department.dossiers_766_on_time) == (1, 1)
    assert department.in_progress_on_time + department.in_progress_overdue == 0
    assert department.received_online_766 == 0 and department.dossiers_reusing_data == 0


def test_fees_and_online_payment_count_with_the_desk_that_collected_them(route):
    routed = _received(route)
    type(routed).objects.filter(pk=routed.pk).update(fee_total=50_000, fee_paid_via="online")
    rows = compute_month(MARCH, now=NOW)
    ward, department = rows[route.pleiku.pk], rows[route.department.pk]
    assert (ward["dossiers_fee_obligation"], ward["dossiers_paid_online"], ward["procedures_paid_online"]) == (1, 1, 1)
    assert (department["dossiers_fee_obligation"], department["dossiers_paid_online"],
            department["procedures_paid_online"]) == (0, 0, 0)
    # Each ratio keeps its numerator and denominator on one side.
    assert department["received"] == 0 and ward["received"] == 1


def test_an_online_routed_dossier_counts_in_the_desk_channel_share(route):
    type(route.version).objects.filter(pk=route.version.pk).update(result_kind="electronic")
    routed = _received(route)
    type(routed).objects.filter(pk=routed.pk).update(channel="online")
    rows = compute_month(MARCH, now=NOW)
    assert rows[route.pleiku.pk]["received_online_766"] == 1
    assert rows[route.department.pk]["received_online_766"] == 0


def test_same_agency_dossiers_are_counted_as_before(world):
    _own(world, at(2026, 3, 2, 9))
    _own(world, at(2026, 3, 3, 9))
    rows = compute_month(MARCH, now=NOW)
    assert set(rows) == {world.pleiku.pk}
    mine = rows[world.pleiku.pk]
    assert set(mine) == set(FIELDS)
    assert (mine["received"], mine["received_for_others"], mine["received_from_others"]) == (2, 0, 0)
    assert (mine["dossiers_766"], mine["in_progress_overdue"]) == (2, 2)


def test_a_rerun_zeroes_an_agency_no_longer_counted(route):
    routed = _received(route)
    monthly_stats_refresh(first=MARCH, last=MARCH, now=NOW)
    assert _row(route.pleiku).received_for_others == 1
    type(routed).objects.filter(pk=routed.pk).update(receiving_agency=route.department)  # as if received there
    monthly_stats_refresh(first=MARCH, last=MARCH, now=NOW)
    assert (_row(route.pleiku).received, _row(route.pleiku).received_for_others) == (0, 0)
    assert (_row(route.department).received, _row(route.department).received_from_others) == (1, 0)
