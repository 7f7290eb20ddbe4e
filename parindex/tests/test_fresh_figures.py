"""The current month's figures within one run of the every-few-minutes refresh, and closed months kept as they
were counted: recomputing one gives identical rows whatever happened to its dossiers since."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from core.errors import DomainError
from dossiers import services
from dossiers.lateness import letters
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import ApologyReason, ClosedMonth, Dossier, LetterStatus, MonthlyAgencyStats
from dossiers.stats import months_close
from dossiers.tests.conftest import APPLICANT, at
from parindex.models import FiguresRun, MetricSnapshot, PeriodKind, PeriodTotal, RankedPeriod
from parindex.services import figures_refresh_current
from parindex.tasks import refresh_current_month

pytestmark = pytest.mark.django_db
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def _snap(agency, month, metric):
    row = MetricSnapshot.objects.filter(agency=agency, scope="agency", month=month, metric=metric).first()
    return row.numerator if row else 0


def _received(world, when):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)


def test_a_late_dossier_and_an_apology_letter_reach_the_dashboard_within_one_run(world, client, demo):
    with time_machine.travel(at(2026, 3, 9, 8), tick=False):
        first = figures_refresh_current()
    assert first["skipped"] is False and RankedPeriod.objects.filter(preset="thang", first=MARCH).exists()
    d = _received(world, at(2026, 3, 9, 9))  # household registration: 3 working days, due Thu 12/3 17:00
    with time_machine.travel(at(2026, 3, 9, 9, 5), tick=False):
        figures_refresh_current()
    assert _snap(world.pleiku, MARCH, "received") == 1 and _snap(world.pleiku, MARCH, "in_progress_overdue") == 0
    # Friday morning the sweep marks it overdue and drafts the letter; the head issues it at 9:30.
    with time_machine.travel(at(2026, 3, 13, 9), tick=False):
        sweep_deadlines()
    letter = d.apology_letters.get(status=LetterStatus.DRAFT)
    letters.apology_letter_issue(letter=letter, actor=world.approver, reason_kind=ApologyReason.CONSULTATION,
                                 at=at(2026, 3, 13, 9, 30))
    with time_machine.travel(at(2026, 3, 13, 9, 35), tick=False):
        run = figures_refresh_current()
        client.force_login(demo.user("noivu@demo.gov.vn"))
        page = client.get(f"/chi-so/co-quan/{world.pleiku.pk}/", {"ky": "thang"})
        overview = client.get("/chi-so/", {"ky": "thang"})
    assert run["skipped"] is False
    assert _snap(world.pleiku, MARCH, "in_progress_overdue") == 1
    assert _snap(world.pleiku, MARCH, "apologies_issued") == 1
    rows = {r["code"]: r["num"] for r in page.context["rows"]}
    assert rows["apologies_issued"] == 1 and rows["in_progress_overdue"] == 1
    year = PeriodTotal.objects.get(agency=world.pleiku, kind=PeriodKind.YEAR, start=dt.date(2026, 1, 1),
                                   metric="apologies_issued")
    assert year.numerator == 1  # the year's total follows the month in the same run
    assert "09:35 13/03/2026" in overview.content.decode()  # the page says how fresh its figures are
    pleiku = next(r for r in overview.context["rows"] if r["agency_id"] == world.pleiku.pk)
    assert pleiku["received"] == 1 and pleiku["score"] is not None


def test_a_run_with_nothing_new_reads_and_writes_nothing(world, django_assert_max_num_queries):
    _received(world, at(2026, 3, 9, 9))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        figures_refresh_current()
    ran = FiguresRun.objects.get()
    # the run's row, the highest id of four kinds of record, the month closed or not, three range scans of what
    # changes with time alone (dossiers passing their appointment, feedback deadlines, statuses delivered)
    with time_machine.travel(at(2026, 3, 9, 10, 5), tick=False), django_assert_max_num_queries(12):
        assert refresh_current_month() == {"skipped": True}
    assert FiguresRun.objects.get().ran_at == ran.ran_at
    _received(world, at(2026, 3, 9, 10, 6))  # something new: the next run counts it
    with time_machine.travel(at(2026, 3, 9, 10, 10), tick=False):
        assert figures_refresh_current()["skipped"] is False
    assert _snap(world.pleiku, MARCH, "received") == 2
    with time_machine.travel(at(2026, 3, 9, 11, 20), tick=False):  # an hour with nothing new: counted anyway
        assert figures_refresh_current()["skipped"] is False


def _rows():
    return (sorted(MonthlyAgencyStats.objects.filter(month=MARCH).values_list(
                "agency_id", "received", "in_progress_on_time", "in_progress_overdue", "finished_late",
                "dossiers_766", "dossiers_766_on_time")),
            sorted(MetricSnapshot.objects.filter(month=MARCH).values_list("agency_id", "scope", "metric", "numerator",
                                                                          "denominator")))


def test_the_month_that_ended_is_counted_once_more_then_closed_and_kept(world):
    d = _received(world, at(2026, 3, 30, 9))  # due Thu 2/4: open and within time at the end of March
    with time_machine.travel(at(2026, 3, 31, 12), tick=False):
        figures_refresh_current()
    assert list(ClosedMonth.objects.values_list("month", flat=True)) == [dt.date(2026, 2, 1)]  # the month before
    with time_machine.travel(at(2026, 4, 1, 0, 5), tick=False):
        run = figures_refresh_current()
    assert run["closed"] == ["2026-03-01"] and ClosedMonth.objects.filter(month=MARCH).exists()
    before = _rows()
    assert ("in_progress_on_time", 1) in {(m, n) for a, s, m, n, _d in before[1] if a == world.pleiku.pk
                                          and s == "agency"}
    # Afterwards its appointment moves back (a correction) and it is finished late in April: March stays as counted.
    Dossier.objects.filter(pk=d.pk).update(due_at=at(2026, 3, 30, 17))
    out = io.StringIO()
    call_command("recompute_metrics", "--from", "2026-03", "--to", "2026-03", stdout=out)
    assert "Các tháng đã chốt số liệu được giữ nguyên: 03/2026" in out.getvalue()
    with time_machine.travel(at(2026, 4, 2, 9), tick=False):
        assert figures_refresh_current()["months"] == ["2026-04-01", "2026-04-01"]  # March is not counted again
    assert _rows() == before
    # Deleting the closed month (the admin) lets the next recount use today's records.
    ClosedMonth.objects.filter(month=MARCH).delete()
    call_command("recompute_metrics", "--from", "2026-03", "--to", "2026-03")
    assert _rows() != before


def test_a_month_not_yet_ended_cannot_be_closed(world):
    with pytest.raises(DomainError, match="chưa kết thúc"):
        months_close(months=[APRIL], now=at(2026, 4, 30, 23, 59))
    assert not ClosedMonth.objects.exists()
