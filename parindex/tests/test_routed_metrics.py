"""A dossier received at a ward desk for a department (Decree 118/2025) on the dashboards: the channel shares and
the reception count with the ward's desk, "received for other agencies" as a line of its own, the processing
time, punctuality and the 766 progress with the department; the drill-downs list exactly what is counted."""

import pytest
import time_machine

from dossiers import services
from dossiers.models import Dossier
from dossiers.stats import monthly_stats_refresh
from dossiers.tests import test_reception_anywhere as anywhere
from dossiers.tests.conftest import APPLICANT, at
from parindex import selectors
from parindex.metrics import period_values, rate, snapshots_refresh
from parindex.models import MetricSnapshot

pytestmark = pytest.mark.django_db
MARCH = at(2026, 3, 1).date()
NOW = at(2026, 4, 2)
route = anywhere.route  # the fixture: Pleiku ward desk receives the judicial record for Sở Tư pháp


@pytest.fixture
def counted(route, world):
    routed = anywhere._to_result_ready(route)  # received 2/3 at Pleiku, resolved by the department 3/3
    Dossier.objects.filter(pk=routed.pk).update(channel="postal")  # sent by post to the ward desk
    own = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                          at=at(2026, 3, 2, 9), **APPLICANT)
    monthly_stats_refresh(first=MARCH, last=MARCH, now=NOW)
    snapshots_refresh(first=MARCH, last=MARCH, now=NOW)
    return {"routed": routed, "own": own}


def _snap(agency, scope="agency"):
    return {s.metric: (s.numerator, s.denominator)
            for s in MetricSnapshot.objects.filter(agency=agency, scope=scope, month=MARCH)}


def test_reception_at_the_desk_processing_at_the_competent_agency(route, counted):
    ward, department = _snap(route.pleiku), _snap(route.department)
    assert ward["received"] == (2, None) and ward["received_for_others"] == (1, None)
    assert ward["received_postal"] == (1, None) and ward["received_from_others"] == (0, None)
    assert department.get("received", (0, None)) == (0, None) and department.get("received_postal", (0, None)) == (
        0, None)
    assert department["received_from_others"] == (1, None)
    assert department["finished_early"][0] + department["finished_on_time"][0] == 1
    assert department["progress_766"] == (1, 1) and department["processing_minutes"][1] == 1
    assert ward.get("processing_minutes", (0, None)) == (0, None)
    values = period_values(first=MARCH, last=MARCH, agency_ids=[route.pleiku.pk, route.department.pk])
    assert rate(values[route.pleiku.pk], "postal_share") == (1, 2)  # channel share of the desk
    assert rate(values[route.department.pk], "finished_on_time_rate") == (1, 1)
    province = _snap(route.pleiku.province, scope="province")
    assert province["received"] == (2, None) and province["received_for_others"] == (1, None)  # each dossier once


@pytest.mark.parametrize(("metric", "side", "expected"), [
    ("received", "pleiku", {"routed", "own"}), ("received_for_others", "pleiku", {"routed"}),
    ("received_postal", "pleiku", {"routed"}), ("received", "department", set()),
    ("received_from_others", "department", {"routed"}), ("received_from_others", "pleiku", set()),
])
def test_the_drill_downs_list_the_dossiers_counted(route, counted, metric, side, expected):
    agency = getattr(route, side)
    listed = selectors.dossiers_behind(metric, [agency.pk], MARCH, MARCH, now=NOW)
    snap = MetricSnapshot.objects.filter(agency=agency, scope="agency", month=MARCH, metric=metric).first()
    assert {d.pk for d in listed} == {counted[k].pk for k in expected}
    assert listed.count() == (snap.numerator if snap else 0)


def test_the_dashboards_show_received_for_others_as_its_own_line(route, counted, client, demo):
    client.force_login(demo.user("noivu@demo.gov.vn"))
    period = {"from": "2026-03", "to": "2026-03"}
    page = client.get("/chi-so/", period)
    assert page.status_code == 200 and page.context["received"] == 2 and page.context["received_for_others"] == 1
    assert 'data-testid="received-for-others">1<' in page.content.decode()
    row = next(r for r in page.context["rows"] if r["agency_id"] == route.pleiku.pk)
    assert (row["received"], row["received_for_others"]) == (2, 1)
    page = client.get(f"/chi-so/co-quan/{route.pleiku.pk}/", period)
    lines = {r["code"]: r["num"] for r in page.context["rows"]}
    assert (lines["received"], lines["received_for_others"]) == (2, 1)
    assert 'data-testid="drill-received_for_others"' in page.content.decode()
    page = client.get(f"/chi-so/co-quan/{route.department.pk}/", period)
    lines = {r["code"]: r["num"] for r in page.context["rows"]}
    assert (lines["received"], lines["received_from_others"], lines["finished_late"]) == (0, 1, 0)
    ward = client.get(f"/chi-so/co-quan/{route.pleiku.pk}/phan-tich/", {"theo": "thu-tuc", **period}).context
    assert (ward["total"]["received"], ward["total"]["for_others"], ward["total"]["finished"]) == (2, 1, 0)
    dept = client.get(f"/chi-so/co-quan/{route.department.pk}/phan-tich/", {"theo": "thu-tuc", **period}).context
    assert (dept["total"]["received"], dept["total"]["for_others"], dept["total"]["finished"]) == (0, 0, 1)
    report = client.get("/chi-so/bao-cao/", period).context
    assert report["summary"]["counts"][:2] == [2, 1]
    client.logout()
    with time_machine.travel(at(2026, 4, 2)):  # the public page shows this year
        rows = client.get("/chi-so/cong-khai/").context["rows"]
    ward = next(r for r in rows if r["agency"] == route.pleiku)
    assert (ward["received"], ward["received_for_others"]) == (2, 1)
