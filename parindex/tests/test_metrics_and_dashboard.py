"""Monthly metric snapshots (idempotent, province totals), the dashboards, and the drill-down returning
exactly the dossiers counted."""

import pytest
from django.core.management import call_command

from dossiers import services
from dossiers.models import Dossier, MonthlyAgencyStats
from dossiers.stats import monthly_stats_refresh
from dossiers.tests.conftest import APPLICANT, at
from parindex import selectors
from parindex.metrics import period_values, rate, snapshots_refresh
from parindex.models import MetricSnapshot
from satisfaction.stats import monthly_satisfaction_refresh

pytestmark = pytest.mark.django_db
MARCH = at(2026, 3, 1).date()


def _month(world):
    """Pleiku in March 2026: 1 finished on time (the same day), 1 late, 1 overdue in progress, 1 within
    time; Quy Nhơn: 1."""
    def desk(agency=None, actor=None, when=None):
        return services.dossier_create_at_desk(actor=actor or world.reception, version=world.birth,
                                               agency=agency or world.pleiku, at=when or at(2026, 3, 2, 9),
                                               **APPLICANT)

    early = desk()
    early = services.dossier_assign(dossier=early, actor=world.reception, appraiser=world.appraiser,
                                    at=at(2026, 3, 2, 9, 30))
    early = services.dossier_propose(dossier=early, actor=world.appraiser, proposal="approve", at=at(2026, 3, 2, 10))
    early = services.dossier_approve(dossier=early, actor=world.approver, at=at(2026, 3, 2, 10, 30))
    services.dossier_resolve(dossier=early, actor=world.appraiser, at=at(2026, 3, 2, 11))
    late = desk()
    late = services.dossier_assign(dossier=late, actor=world.reception, appraiser=world.appraiser,
                                   at=at(2026, 3, 2, 9, 30))
    late = services.dossier_propose(dossier=late, actor=world.appraiser, proposal="approve", at=at(2026, 3, 10))
    late = services.dossier_approve(dossier=late, actor=world.approver, at=at(2026, 3, 10, 11))
    services.dossier_resolve(dossier=late, actor=world.appraiser, at=at(2026, 3, 10, 14))
    overdue = desk(when=at(2026, 3, 5, 9))  # birth registration: same day; still open on 31/3
    within = desk(when=at(2026, 3, 31, 16))  # after the 15:00 cut-off: due the next working day
    other = desk(agency=world.quynhon, actor=world.other_reception)
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    monthly_satisfaction_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    return {"early": early, "late": late, "overdue": overdue, "within": within, "other": other}


def test_snapshots_per_agency_and_province_and_idempotent(world):
    _month(world)
    written = snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    assert written > 0
    snap = {s.metric: (s.numerator, s.denominator)
            for s in MetricSnapshot.objects.filter(agency=world.pleiku, scope="agency", month=MARCH)}
    assert snap["received"] == (4, None) and snap["finished_on_time"] == (1, None)
    assert snap["finished_late"] == (1, None) and snap["in_progress_overdue"] == (1, None)
    assert snap["in_progress_on_time"] == (1, None) and snap["received_online"] == (0, None)
    province = world.pleiku.province
    total = MetricSnapshot.objects.get(agency=province, scope="province", month=MARCH, metric="received")
    assert total.numerator == 5  # Pleiku 4 + Quy Nhơn 1
    values = period_values(first=MARCH, last=MARCH, agency_ids=[world.pleiku.pk])[world.pleiku.pk]
    assert rate(values, "on_time_rate") == (2, 4)  # on time + within time / finished + in progress
    before = sorted(MetricSnapshot.objects.values_list("agency_id", "scope", "month", "metric", "numerator",
                                                       "denominator"))
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 3))
    after = sorted(MetricSnapshot.objects.values_list("agency_id", "scope", "month", "metric", "numerator",
                                                      "denominator"))
    assert after == before  # re-running gives identical rows
    MonthlyAgencyStats.objects.filter(agency=world.quynhon).delete()  # Quy Nhơn no longer counted
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 3))
    assert not MetricSnapshot.objects.filter(agency=world.quynhon, month=MARCH, metric="received").exists()


@pytest.mark.parametrize(("metric", "expected"), [
    ("received", {"early", "late", "overdue", "within"}), ("finished_on_time", {"early"}),
    ("finished_late", {"late"}), ("in_progress_overdue", {"overdue"}), ("in_progress_on_time", {"within"}),
])
def test_the_drill_down_lists_exactly_the_dossiers_counted(world, metric, expected):
    made = _month(world)
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    counted = MetricSnapshot.objects.get(agency=world.pleiku, scope="agency", month=MARCH, metric=metric).numerator
    listed = selectors.dossiers_behind(metric, [world.pleiku.pk], MARCH, MARCH, now=at(2026, 4, 2))
    assert {d.pk for d in listed} == {made[k].pk for k in expected} and listed.count() == counted


def test_the_dashboard_pages(world, client, demo):
    _month(world)
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    home_affairs = demo.user("noivu@demo.gov.vn")
    client.force_login(home_affairs)
    page = client.get("/chi-so/", {"from": "2026-03", "to": "2026-03"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="ranking"' in html and world.pleiku.name in html
    assert 'title="2 / 4"' in html  # every rate shows numerator / denominator on hover
    page = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/", {"from": "2026-03", "to": "2026-03"})
    assert page.status_code == 200 and 'data-testid="drill-finished_late"' in page.content.decode()
    page = client.get("/chi-so/ho-so/", {"chi-so": "finished_late", "co-quan": world.pleiku.pk,
                                         "from": "2026-03", "to": "2026-03"})
    assert page.status_code == 200 and Dossier.objects.get(punctuality="late").code in page.content.decode()
    root = world.pleiku.province
    page = client.get(f"/chi-so/co-quan/{root.pk}/", {"tinh": 1, "from": "2026-03", "to": "2026-03"})
    assert page.status_code == 200 and page.context["province"]
    assert page.context["score"]["indicators"][4]["denominator"] == 5  # PROGRESS_ON_TIME over the 5 dossiers
    xlsx = client.get("/chi-so/", {"from": "2026-03", "to": "2026-03", "xuat": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get("/chi-so/", {"from": "2026-03", "to": "2026-03", "xuat": "csv"}).content.decode("utf-8-sig")
    assert world.pleiku.name in csv
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(f"/chi-so/co-quan/{world.pleiku.pk}/", {
        "from": "2026-03", "to": "2026-03", "xuat": "xlsx"}).content))
    assert book.sheetnames == ["Chi so", "766", "Theo thang"]
    listed = client.get("/chi-so/ho-so/", {"chi-so": "finished_late", "co-quan": world.pleiku.pk, "from": "2026-03",
                                           "to": "2026-03", "xuat": "csv"}).content.decode("utf-8-sig")
    late = Dossier.objects.get(punctuality="late")
    assert late.code in listed and "064090000123" not in listed  # the ID number masked in exports too
    from dossiers.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(action="export", detail__startswith="finished_late").exists()
    breakdown = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/phan-tich/", {"from": "2026-03", "to": "2026-03",
                                                                              "xuat": "csv"})
    assert "Hộ tịch" in breakdown.content.decode("utf-8-sig")
    # an agency head sees their own agency only; a citizen nothing
    client.force_login(world.approver)
    assert client.get(f"/chi-so/co-quan/{world.quynhon.pk}/").status_code == 403
    assert client.get(f"/chi-so/co-quan/{world.pleiku.pk}/").status_code == 200
    client.force_login(world.citizen)
    assert client.get("/chi-so/").status_code == 403
    client.force_login(home_affairs)
    assert client.get("/chi-so/ho-so/", {"chi-so": "DROP TABLE"}).status_code == 404
    reply = client.get("/chi-so/", {"from": "2026-13"})  # a bad period: a message and this year, not an error page
    assert reply.status_code == 200 and "Kỳ không hợp lệ" in reply.content.decode()
    ranking = client.get("/chi-so/", {"ky": "thang"}).context["rows"]
    assert {r["name"] for r in ranking if r["score"] is None}  # agencies without dossiers are listed, unranked


def test_the_recompute_command_and_the_task(world):
    _month(world)
    call_command("recompute_metrics", "--from", "2026-03", "--to", "2026-03")
    assert MetricSnapshot.objects.filter(month=MARCH, metric="received", agency=world.pleiku).exists()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("recompute_metrics", "--from", "2026-3x")
    from parindex.tasks import refresh_metrics

    with pytest.raises(ValueError):
        refresh_metrics.delay("many")


def test_breakdown_by_field_procedure_and_officer_and_the_public_page(world, client, demo):
    _month(world)
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    client.force_login(demo.user("noivu@demo.gov.vn"))
    url = f"/chi-so/co-quan/{world.pleiku.pk}/phan-tich/"
    page = client.get(url, {"theo": "linh-vuc", "from": "2026-03", "to": "2026-03"})
    assert page.status_code == 200 and "Hộ tịch" in page.content.decode()
    row = next(r for r in page.context["rows"] if r["name"] == "Hộ tịch")
    assert (row["received"], row["on_time"], row["late"], row["online"], row["fee_due"], row["e_result"]) == (
        4, 1, 1, 0, 0, 0)
    assert page.context["total"]["received"] == 4
    from satisfaction.models import Invitation, SurveyResponse
    from satisfaction.services import published_questionnaire

    for n, satisfied in enumerate((True, False)):  # two answers about the appraiser in March
        dossier = Dossier.objects.filter(handling_agency=world.pleiku).order_by("pk")[n]
        invitation = Invitation.objects.create(dossier=dossier, token=f"t{n}", agency=world.pleiku,
                                               officer=world.appraiser, created_at=at(2026, 3, 20),
                                               expires_at=at(2026, 4, 3), answered_at=at(2026, 3, 20))
        SurveyResponse.objects.create(
            invitation=invitation, questionnaire=published_questionnaire(), agency=world.pleiku,
            officer=world.appraiser, procedure=world.birth.procedure, submitted_at=at(2026, 3, 20),
            satisfied=satisfied, overall=4)
    officer = client.get(url, {"theo": "can-bo", "from": "2026-03", "to": "2026-03"}).context["rows"]
    row = next(r for r in officer if r["name"] == world.appraiser.full_name)
    assert (row["responses"], row["satisfied"]) == (2, 1)
    assert client.get(url, {"theo": "x"}).status_code == 404
    client.logout()
    import time_machine

    with time_machine.travel(at(2026, 4, 2)):
        page = client.get("/chi-so/cong-khai/")
    html = page.content.decode()
    assert page.status_code == 200 and world.pleiku.name in html and 'title="2 / 4"' in html


def test_the_periodic_report_in_html_xlsx_and_pdf(world, client, demo):
    _month(world)
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get("/chi-so/bao-cao/", {"from": "2026-03", "to": "2026-03"})
    summary = page.context["summary"]
    assert summary["counts"][0] == 5 and summary["rates"][0] == "40,0%"  # Pleiku 2 of 4, Quy Nhơn 0 of 1
    from io import BytesIO

    from openpyxl import load_workbook
    from pypdf import PdfReader

    xlsx = client.get("/chi-so/bao-cao/", {"from": "2026-03", "to": "2026-03", "xuat": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet.cell(row=sheet.max_row, column=2).value == 5
    pdf = client.get("/chi-so/bao-cao/", {"from": "2026-03", "to": "2026-03", "xuat": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "BÁO CÁO KẾT QUẢ GIẢI QUYẾT" in text.upper() and "Pleiku" in text and "Tổng cộng" in text


def test_what_a_period_is_compared_with():
    import datetime as dt

    d = dt.date
    assert selectors.previous_period(d(2026, 10, 1), d(2026, 11, 1), "quy") == (d(2026, 7, 1), d(2026, 9, 1))
    assert selectors.previous_period(d(2026, 1, 1), d(2026, 2, 1), "quy") == (d(2025, 10, 1), d(2025, 12, 1))
    assert selectors.previous_period(d(2026, 1, 1), d(2026, 11, 1), "nam") == (d(2025, 1, 1), d(2025, 11, 1))
    assert selectors.previous_period(d(2026, 3, 1), d(2026, 3, 1), "thang") == (d(2026, 2, 1), d(2026, 2, 1))
    assert selectors.previous_period(d(2026, 2, 1), d(2026, 4, 1)) == (d(2025, 11, 1), d(2026, 1, 1))
