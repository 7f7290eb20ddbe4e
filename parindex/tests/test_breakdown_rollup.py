"""The breakdown page (by field, procedure, officer) reads the monthly rollup MonthlyBreakdown, refreshed with the
monthly tables: every number it shows equals a direct count over the dossiers, a refresh picks up what happened
since, and recomputing a closed month gives identical rows."""

import datetime as dt
import re

import pytest
from django.db.models import Q
from django.utils import timezone

from dossiers import services
from dossiers.models import Dossier, MonthlyBreakdown
from dossiers.stats import monthly_stats_refresh
from dossiers.tasks import refresh_monthly_stats_task
from dossiers.tests.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
FEB, MARCH = at(2026, 2, 1).date(), at(2026, 3, 1).date()
KEYS = {"linh-vuc": "procedure_version__procedure__field__name", "thu-tuc": "procedure_version__procedure__name",
        "can-bo": "assignee__full_name"}


def _desk(world, version, when, agency=None, actor=None, appraiser=None):
    d = services.dossier_create_at_desk(actor=actor or world.reception, version=version,
                                        agency=agency or world.pleiku, at=when, **APPLICANT)
    if appraiser:
        d = services.dossier_assign(dossier=d, actor=actor or world.reception, appraiser=appraiser,
                                    at=when + dt.timedelta(minutes=1))
    return d


def _finish(world, d, when):
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=when)
    d = services.dossier_approve(dossier=d, actor=world.approver, at=when.replace(minute=20))
    return services.dossier_resolve(dossier=d, actor=world.appraiser, at=when.replace(minute=40))


@pytest.fixture
def spring(world):
    """Pleiku in February and March 2026, two procedures of two fields, assigned or not: finished early and late,
    still open (overdue at the end of March, or not), one of February still open; one dossier of Quy Nhơn."""
    _finish(world, _desk(world, world.birth, at(2026, 2, 9, 9), appraiser=world.appraiser), at(2026, 2, 9, 10))
    feb_open = _desk(world, world.household, at(2026, 2, 16, 9), appraiser=world.appraiser)
    _finish(world, _desk(world, world.birth, at(2026, 3, 2, 9), appraiser=world.appraiser), at(2026, 3, 2, 10))
    _finish(world, _desk(world, world.birth, at(2026, 3, 2, 9), appraiser=world.appraiser), at(2026, 3, 12, 10))
    _finish(world, _desk(world, world.household, at(2026, 3, 3, 9), appraiser=world.appraiser), at(2026, 3, 6, 10))
    _desk(world, world.birth, at(2026, 3, 5, 9))  # never assigned, overdue at the end of March
    _desk(world, world.household, at(2026, 3, 31, 16), appraiser=world.appraiser)  # within time on 31/3
    _desk(world, world.birth, at(2026, 3, 4, 9), agency=world.quynhon, actor=world.other_reception)
    return feb_open


def _direct(world, by, first, last, end_cutoff):
    """{name: counts} of Pleiku over [first month, end of last month), counted on the dossier table directly."""
    start = at(first.year, first.month, 1, 0)
    end = at(last.year, last.month + 1, 1, 0) if last.month < 12 else at(last.year + 1, 1, 1, 0)
    key = KEYS[by]
    dossiers = Dossier.objects.all()
    received = dossiers.filter(receiving_agency=world.pleiku, received_at__gte=start, received_at__lt=end)
    finished = dossiers.filter(handling_agency=world.pleiku, resolved_at__gte=start, resolved_at__lt=end)
    open_late = dossiers.filter(Q(handling_agency=world.pleiku, received_at__lt=end_cutoff),
                                Q(resolved_at__isnull=True) | Q(resolved_at__gte=end_cutoff),
                                Q(closed_at__isnull=True) | Q(closed_at__gte=end_cutoff),
                                Q(extended_from__lt=end_cutoff) | Q(extended_from__isnull=True, due_at__lt=end_cutoff))
    names = set(received.values_list(key, flat=True)) | set(finished.values_list(key, flat=True)) | set(
        open_late.values_list(key, flat=True))
    out = {}
    for name in names:
        mine = Q(**{key: name}) if name is not None else Q(**{f"{key}__isnull": True})
        out[name or ("(chưa phân công)" if by == "can-bo" else "—")] = {
            "received": received.filter(mine).count(), "online": received.filter(mine, channel="online").count(),
            "early": finished.filter(mine, punctuality="early").count(),
            "on_time": finished.filter(mine, punctuality="on_time").count(),
            "late": finished.filter(mine, punctuality__in=("late", "late_twice")).count(),
            "overdue": open_late.filter(mine).count()}
    return out


def _shown(client, world, by, **period):
    page = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/phan-tich/", {"theo": by, **period})
    assert page.status_code == 200
    html = page.content.decode()
    rows = {r["name"]: {k: r[k] for k in ("received", "online", "early", "on_time", "late", "overdue")}
            for r in page.context["rows"]}
    for name, r in rows.items():  # the numbers are on the page, in the row of their name
        assert re.search(rf'<tr><td data-label="[^"]+">{re.escape(str(name))}</td><td data-label="Tiếp nhận">'
                         rf"{r['received']}</td>", html)
    table = html.split('data-testid="breakdown"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td[^>]*>", table)  # on a phone each cell is a card line: it says what it counts
    assert cells and all('data-label="' in cell for cell in cells if 'colspan' not in cell)
    return rows, page.context["total"], html


@pytest.mark.parametrize("by", ["linh-vuc", "thu-tuc", "can-bo"])
def test_the_page_shows_what_a_direct_count_gives(world, spring, client, demo, by):
    monthly_stats_refresh(first=FEB, last=MARCH, now=at(2026, 4, 2))
    client.force_login(demo.user("noivu@demo.gov.vn"))
    rows, total, html = _shown(client, world, by, **{"from": "2026-03", "to": "2026-03"})
    expected = _direct(world, by, MARCH, MARCH, at(2026, 4, 1, 0))
    assert rows == expected and len(rows) >= 2
    assert total["received"] == 5 and total["finished"] == 3 and total["late"] == 1
    assert "Số liệu hồ sơ tính lúc 10:00 02/04/2026" in html
    # two months: flows summed, "overdue" at the end of the last month (February's open one is still open)
    rows, total, _html = _shown(client, world, by, **{"from": "2026-02", "to": "2026-03"})
    assert rows == _direct(world, by, FEB, MARCH, at(2026, 4, 1, 0))
    assert total["received"] == 7 and total["overdue"] == 2
    # February alone: its own end
    rows, _total, _html = _shown(client, world, by, **{"from": "2026-02", "to": "2026-02"})
    assert rows == _direct(world, by, FEB, FEB, at(2026, 3, 1, 0))


def test_a_refresh_brings_what_happened_since_and_a_closed_month_recomputes_identically(world, spring, client, demo):
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    rows = list(MonthlyBreakdown.objects.order_by("agency", "procedure", "officer").values())
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 3))
    again = list(MonthlyBreakdown.objects.order_by("agency", "procedure", "officer").values())
    assert [{k: v for k, v in r.items() if k not in ("id", "computed_at")} for r in rows] == \
        [{k: v for k, v in r.items() if k not in ("id", "computed_at")} for r in again]
    assert {r["agency_id"] for r in again} == {world.pleiku.pk, world.quynhon.pk}
    client.force_login(demo.user("noivu@demo.gov.vn"))
    period = {"from": "2026-03", "to": "2026-03"}
    _desk(world, world.birth, at(2026, 3, 20, 9))  # entered afterwards (a correction): counted at the next refresh
    assert _shown(client, world, "thu-tuc", **period)[1]["received"] == 5
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 4))
    rows, total, html = _shown(client, world, "thu-tuc", **period)
    assert total["received"] == 6 and rows == _direct(world, "thu-tuc", MARCH, MARCH, at(2026, 4, 1, 0))
    assert "tính lúc 10:00 04/04/2026" in html


def test_the_nightly_task_refreshes_the_rollup_and_an_uncomputed_period_says_so(world, client, demo):
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/phan-tich/", {"theo": "can-bo", "ky": "thang"})
    assert page.status_code == 200 and "chưa được tính" in page.content.decode()
    _desk(world, world.birth, timezone.now() - dt.timedelta(minutes=3), appraiser=world.appraiser)
    refresh_monthly_stats_task.run(months_back=0)
    page = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/phan-tich/", {"theo": "can-bo", "ky": "thang"})
    row = next(r for r in page.context["rows"] if r["name"] == world.appraiser.full_name)
    assert row["received"] == 1 and "Số liệu hồ sơ tính lúc" in page.content.decode()


def test_an_agency_without_dossiers_in_a_counted_month_shows_the_count_time_not_never_counted(world, client, demo):
    _desk(world, world.birth, timezone.now() - dt.timedelta(minutes=3), appraiser=world.appraiser)  # at Pleiku
    refresh_monthly_stats_task.run(months_back=0)
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get(f"/chi-so/co-quan/{world.quynhon.pk}/phan-tich/", {"ky": "thang"})
    html = page.content.decode()
    assert page.status_code == 200 and not page.context["rows"]
    assert "Số liệu hồ sơ tính lúc" in html and "chưa được tính" not in html


def test_a_long_table_is_paged_worst_first_with_the_total_of_every_row(world, spring, client, demo, monkeypatch):
    """A provincial centre handles over a thousand procedures: the page shows one page of rows, the most overdue
    first, the total row over all of them, and a pager that keeps the breakdown and the period; the exports keep
    every row."""
    monkeypatch.setattr("parindex.views.BREAKDOWN_PAGE", 1)
    monthly_stats_refresh(first=FEB, last=MARCH, now=at(2026, 4, 2))
    client.force_login(demo.user("noivu@demo.gov.vn"))
    url = f"/chi-so/co-quan/{world.pleiku.pk}/phan-tich/"
    period = {"theo": "thu-tuc", "from": "2026-02", "to": "2026-03"}
    expected = _direct(world, "thu-tuc", FEB, MARCH, at(2026, 4, 1, 0))
    assert len(expected) == 2
    worst = max(expected, key=lambda n: (expected[n]["late"] + expected[n]["overdue"], [-ord(c) for c in n]))
    first = client.get(url, period)
    second = client.get(url, {**period, "trang": "2"})
    shown = [first.context["rows"], second.context["rows"]]
    assert [len(rows) for rows in shown] == [1, 1]
    assert shown[0][0]["name"] == worst  # the most overdue first
    assert {r["name"] for rows in shown for r in rows} == set(expected)
    for page in (first, second):
        assert page.context["total"]["received"] == 7 and page.context["total"]["overdue"] == 2  # all rows
        assert "Dòng" in page.content.decode() and "trong 2" in page.content.decode()
    html = first.content.decode()
    assert 'href="?theo=thu-tuc&amp;from=2026-02&amp;to=2026-03&amp;trang=2"' in html
    assert 'trang=1"' in second.content.decode()
    # a page number out of range or not a number: the nearest page, never an error
    assert client.get(url, {**period, "trang": "99"}).context["rows"] == second.context["rows"]
    assert client.get(url, {**period, "trang": "abc"}).context["rows"] == first.context["rows"]
    export = client.get(url, {**period, "xuat": "csv"}).content.decode("utf-8-sig")
    assert all(name in export for name in expected)
    # an agency that does not exist is not found (not "out of your scope")
    assert client.get("/chi-so/co-quan/999999/phan-tich/", period).status_code == 404
    # a short table has no pager
    monkeypatch.setattr("parindex.views.BREAKDOWN_PAGE", 50)
    assert "trang=" not in client.get(url, period).content.decode()
