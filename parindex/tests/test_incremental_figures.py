"""The every-few-minutes refresh counts again only the agencies touched since its last run (#21): what arrived
(dossier events of both agencies of a dossier, feedback, survey records) and what changed with time alone (an open
dossier passing its legal appointment, a status delivered to the national portal). Its rows equal those of a full
count at the same moment, and the other agencies' rows are not rewritten."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models.functions import Coalesce

from dossiers.models import Dossier, DossierEvent, MonthlyAgencyStats, MonthlyBreakdown
from dossiers.tests.conftest import at
from dossiers.tests.test_reception_anywhere import _received, route  # noqa: F401 (a fixture)
from feedback import services as feedback_services
from nationalportal.models import MonthlySyncStats, SyncItem, SyncStatus
from parindex.models import FiguresRun, MetricSnapshot, PeriodTotal, RankedScore
from parindex.services import figures_refresh_current
from satisfaction.models import MonthlySatisfactionStats

pytestmark = pytest.mark.django_db
T0 = at(2026, 3, 16, 10)  # a Monday
T1 = T0 + dt.timedelta(minutes=5)
RUNNING = ("received", "in_appraisal")


def _tables():
    """Every row the dashboards read, without the time it was written."""
    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields), key=repr)

    stats = [f.name for f in MonthlyAgencyStats._meta.concrete_fields if f.name not in ("id", "computed_at")]
    breakdown = [f.name for f in MonthlyBreakdown._meta.concrete_fields if f.name not in ("id", "computed_at")]
    sync = [f.name for f in MonthlySyncStats._meta.concrete_fields if f.name not in ("id", "computed_at")]
    satisfaction = [f.name for f in MonthlySatisfactionStats._meta.concrete_fields
                    if f.name not in ("id", "computed_at")]
    return {
        "stats": rows(MonthlyAgencyStats, *stats),
        "breakdown": rows(MonthlyBreakdown, *breakdown),
        "sync": rows(MonthlySyncStats, *sync),
        "satisfaction": rows(MonthlySatisfactionStats, *satisfaction),
        "snapshots": rows(MetricSnapshot, "agency_id", "scope", "month", "metric", "numerator", "denominator"),
        "totals": rows(PeriodTotal, "agency_id", "scope", "kind", "start", "metric", "numerator", "denominator",
                       "last_month"),
        "ranked": sorted((s.period.preset, s.period.first, s.period.last, s.agency_id, repr(s.row))
                         for s in RankedScore.objects.select_related("period")),
    }


def _running(**filters) -> Dossier:
    return (Dossier.objects.filter(status__in=RUNNING, resolved_at__isnull=True, closed_at__isnull=True, **filters)
            .order_by("pk").first())


@pytest.fixture
def province(route):  # noqa: F811 (the fixture imported above)
    """The demo province extended to 12 agencies with generated dossiers over the last 45 days."""
    with time_machine.travel(T0 - dt.timedelta(hours=20), tick=False):
        call_command("generate_province", "--agencies", "12", "--count", "600", "--days", "45", "--seed", "3",
                     stdout=io.StringIO())
    # no generated appointment near the runs: the tests place the ones that pass between them
    near = (Dossier.objects.annotate(legal=Coalesce("extended_from", "due_at"))
            .filter(legal__gte=T0 - dt.timedelta(hours=2), legal__lt=T0 + dt.timedelta(hours=2)))
    for d in near:
        Dossier.objects.filter(pk=d.pk).update(due_at=d.due_at + dt.timedelta(hours=4),
                                               extended_from=d.extended_from and d.extended_from
                                               + dt.timedelta(hours=4))
    return route


def test_the_touched_agencies_only_and_the_same_rows_as_a_full_count(province):
    r = province
    generated = set(Dossier.objects.values_list("handling_agency", flat=True))
    assert len(generated) >= 8
    # Two open dossiers whose legal appointment falls between the runs (no record says so): one by its due date,
    # one re-appointed (judged against the appointment before the apology letter).
    late_by_time = _running(handling_agency__in=generated - {r.pleiku.pk, r.department.pk})
    Dossier.objects.filter(pk=late_by_time.pk).update(due_at=T0 + dt.timedelta(minutes=2), extended_from=None)
    reappointed = _running(handling_agency__in=generated - {r.pleiku.pk, r.department.pk,
                                                            late_by_time.handling_agency_id})
    Dossier.objects.filter(pk=reappointed.pk).update(extended_from=T0 + dt.timedelta(minutes=3),
                                                     due_at=T0 + dt.timedelta(days=3))
    # A status change waiting to reach the national portal (delivered between the runs: no new record).
    untouched = generated - {r.pleiku.pk, r.department.pk, late_by_time.handling_agency_id,
                             reappointed.handling_agency_id}
    synced = _running(handling_agency__in=untouched)
    event = DossierEvent.objects.filter(dossier=synced).order_by("pk").first()
    item = SyncItem.objects.create(dossier=synced, event=event, created_at=T0 - dt.timedelta(hours=1),
                                   next_attempt_at=T0 - dt.timedelta(hours=1))
    with time_machine.travel(T0, tick=False):
        assert figures_refresh_current()["agencies"] == "all"  # the first run counts every agency
    before = _tables()

    # Between the runs: a dossier received at the Pleiku desk for Sở Tư pháp, feedback about another agency's
    # dossier, the status delivered, two appointments passed.
    routed = _received(r, when=T0 + dt.timedelta(minutes=1))
    about = _running(handling_agency__in=untouched - {synced.handling_agency_id})
    feedback_services.feedback_submit(actor=None, topic="dossier", title="Hồ sơ chậm trả",
                                      content="Hồ sơ của tôi đã quá hẹn mà chưa có kết quả.", dossier_code=about.code,
                                      name="Trần Thị Bình", phone="0905123456", at=T0 + dt.timedelta(minutes=2))
    SyncItem.objects.filter(pk=item.pk).update(status=SyncStatus.SENT, sent_at=T0 + dt.timedelta(minutes=2))
    with time_machine.travel(T1, tick=False):
        run = figures_refresh_current()
    touched = {r.pleiku.pk, r.department.pk, late_by_time.handling_agency_id, reappointed.handling_agency_id,
               synced.handling_agency_id, about.handling_agency_id}
    assert run["skipped"] is False and run["agencies"] == len(touched)
    partial = _tables()
    assert partial != before
    march = T0.date().replace(day=1)
    rewritten = set(MonthlyAgencyStats.objects.filter(month=march, computed_at=T1).values_list("agency", flat=True))
    assert rewritten <= touched and routed.receiving_agency_id in rewritten  # the others kept as they were
    stats = {s.agency_id: s for s in MonthlyAgencyStats.objects.filter(month=march)}
    assert stats[late_by_time.handling_agency_id].in_progress_overdue >= 1
    assert stats[r.department.pk].received_from_others >= 1 and stats[r.pleiku.pk].received_for_others >= 1

    # The same moment counted in full: identical rows.
    FiguresRun.objects.update(full_at=None)
    with time_machine.travel(T1, tick=False):
        assert figures_refresh_current()["agencies"] == "all"
    assert _tables() == partial


def test_a_record_committed_after_a_run_with_a_lower_id_is_counted_by_the_next(province):
    r = province
    with time_machine.travel(T0, tick=False):
        figures_refresh_current()
    received = _received(r, when=T0 + dt.timedelta(minutes=1))
    with time_machine.travel(T1, tick=False):
        figures_refresh_current()
    # As if the run at T1 had read the highest ids after this dossier's events were numbered but counted before
    # their transaction committed: it stored the ids, not the dossier.
    assert FiguresRun.objects.get().seen["dossier_events"] >= received.events.order_by("-pk").first().pk
    MonthlyAgencyStats.objects.filter(agency=r.pleiku).update(received=0)
    with time_machine.travel(T1 + dt.timedelta(minutes=5), tick=False):
        again = figures_refresh_current()
    assert again["skipped"] is False
    assert MonthlyAgencyStats.objects.get(agency=r.pleiku, month=T0.date().replace(day=1)).received >= 1


def test_nothing_new_and_nothing_passing_skips_then_time_alone_counts_one_agency(province):
    r = province
    with time_machine.travel(T0, tick=False):
        figures_refresh_current()
    with time_machine.travel(T1, tick=False):
        assert figures_refresh_current() == {"skipped": True}
    # A dossier received before T0 whose appointment passes at T1 + 2 min, with no record written.
    d = _received(r, when=T0 - dt.timedelta(days=1))
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        figures_refresh_current()  # counts the reception
    Dossier.objects.filter(pk=d.pk).update(due_at=T1 + dt.timedelta(minutes=2))
    with time_machine.travel(T1 + dt.timedelta(minutes=1), tick=False):
        figures_refresh_current()  # the second look at the reception's records
        assert figures_refresh_current() == {"skipped": True}
    with time_machine.travel(T1 + dt.timedelta(minutes=6), tick=False):
        run = figures_refresh_current()
    assert run["agencies"] == 1
    march = T0.date().replace(day=1)
    assert MonthlyAgencyStats.objects.get(agency=r.department, month=march).in_progress_overdue >= 1


def test_an_hour_after_the_last_full_count_everything_is_counted_again(province, settings):
    settings.FIGURES_REFRESH_IDLE_MINUTES = 60
    with time_machine.travel(T0, tick=False):
        figures_refresh_current()
    _received(province, when=T0 + dt.timedelta(minutes=1))
    with time_machine.travel(T1, tick=False):
        assert figures_refresh_current()["agencies"] == 2
    with time_machine.travel(T0 + dt.timedelta(minutes=61), tick=False):
        assert figures_refresh_current()["agencies"] == "all"
    assert FiguresRun.objects.get().full_at == T0 + dt.timedelta(minutes=61)


def test_the_benchmark_times_the_job_as_it_runs_all_day(province):
    out = io.StringIO()
    with time_machine.travel(T0, tick=True):
        call_command("bench_dashboard", "--repeat", "1", stdout=out)
    text = out.getvalue()
    for touched in (0, 1, 20):
        assert f"5-minute job, {touched} touched" in text
    assert not FiguresRun.objects.exists() or FiguresRun.objects.get().ran_at < T0  # measured, then rolled back


def test_feedback_forwarded_and_voted_counts_with_both_agencies(province, demo):
    """A feedback forwarded from Pleiku to Quy Nhơn leaves Pleiku's counts; a dislike on a published answer (the
    vote row changed in place, no event) reaches the agency's "satisfied" petitions."""
    r = province
    head = demo.user("lanhdao.pleiku@demo.gov.vn")

    def filed(when):
        return feedback_services.feedback_submit(actor=None, topic="regulation", title="Thủ tục còn rườm rà",
                                                 content="Đề nghị bỏ yêu cầu nộp bản sao giấy khai sinh.",
                                                 agency=r.pleiku, name="Trần Thị Bình", phone="0905123456", at=when)
    moved = filed(T0 - dt.timedelta(days=5))
    answered = filed(T0 - dt.timedelta(days=5))
    feedback_services.feedback_accept(feedback=answered, actor=head, classification="rules",
                                      at=T0 - dt.timedelta(days=4))
    feedback_services.feedback_answer(feedback=answered, actor=head, answer="Đã bỏ yêu cầu bản sao.",
                                      at=T0 - dt.timedelta(days=3))
    feedback_services.feedback_publish(feedback=answered, actor=head, at=T0 - dt.timedelta(days=2))
    feedback_services.feedback_vote(feedback=answered, voter="u:1", value=1, at=T0 - dt.timedelta(days=1))
    with time_machine.travel(T0, tick=False):
        figures_refresh_current()
    march = T0.date().replace(day=1)
    assert MonthlySatisfactionStats.objects.get(agency=r.pleiku, month=march).petitions_total == 2

    feedback_services.feedback_forward(feedback=moved, actor=head, agency=r.quynhon, note="Thuộc Quy Nhơn",
                                       at=T0 + dt.timedelta(minutes=1))
    with time_machine.travel(T1, tick=False):
        assert figures_refresh_current()["agencies"] == 2  # the forward: the agency it left and the one it reached
        assert figures_refresh_current()["agencies"] == 2  # records are looked at by two runs
    with time_machine.travel(T1 + dt.timedelta(minutes=1), tick=False):
        feedback_services.feedback_vote(feedback=answered, voter="u:1", value=-1)  # changed to a dislike
        feedback_services.feedback_vote(feedback=answered, voter="u:2", value=-1)
    with time_machine.travel(T1 + dt.timedelta(minutes=5), tick=False):
        run = figures_refresh_current()
    assert run["agencies"] == 1  # the votes: Pleiku only
    pleiku = MonthlySatisfactionStats.objects.get(agency=r.pleiku, month=march)
    assert pleiku.petitions_total == 1 and pleiku.petitions_satisfied == 0
    assert MonthlySatisfactionStats.objects.get(agency=r.quynhon, month=march).petitions_total == 1
    partial = _tables()
    FiguresRun.objects.update(full_at=None)
    with time_machine.travel(T1 + dt.timedelta(minutes=5), tick=False):
        figures_refresh_current()
    assert _tables() == partial
