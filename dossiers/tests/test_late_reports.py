"""Late-dossier reports (per agency / officer / procedure, XLSX) and the stored monthly counts."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dossiers import services
from dossiers.lateness import letters
from dossiers.lateness.report import late_counted_at, late_summary
from dossiers.lateness.sweep import late_tally_refresh, sweep_deadlines
from dossiers.models import LateTally, MonthlyAgencyStats, PersonalDataAccess
from dossiers.stats import monthly_stats_refresh
from dossiers.tasks import refresh_monthly_stats_task

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _received(world, when, assign=True):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    if assign:
        d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)
    return d


def _finish(world, d, when):
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=when)
    d = services.dossier_approve(dossier=d, actor=world.approver, at=when)
    return services.dossier_resolve(dossier=d, actor=world.appraiser, at=when)


@pytest.fixture
def march(world):
    """Six dossiers of Pleiku received in March 2026, seen on Mon 9/3 at 9:00."""
    early = _finish(world, _received(world, at(2026, 3, 2, 10)), at(2026, 3, 3, 10))  # due Thu 5/3
    on_time = _finish(world, _received(world, at(2026, 3, 2, 10)), at(2026, 3, 5, 16))
    overdue = _received(world, at(2026, 3, 2, 10))  # still open on 9/3 -> overdue
    due_soon = _received(world, at(2026, 3, 5, 10), assign=False)  # due Tue 10/3 -> due soon
    stuck = _received(world, at(2026, 3, 2, 10))  # overdue, its drafted letter never signed
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = overdue.apology_letters.get()
    letters.apology_letter_issue(letter=letter, actor=world.approver, reason_kind="complex",
                                   new_due="2026-03-11", at=at(2026, 3, 9, 10))
    late = _received(world, at(2026, 3, 2, 10))
    _finish(world, late, at(2026, 3, 6, 9))  # after Thu 5/3: late
    return {"early": early, "on_time": on_time, "overdue": overdue, "due_soon": due_soon, "late": late,
            "stuck": stuck}


def test_summary_by_agency_officer_and_procedure(world, march, client):
    march_ = {"start": at(2026, 3, 1).date(), "end": at(2026, 3, 31).date()}
    # The counts are those of the last sweep (9/3 9:00): the letter issued at 10:00 re-appointed one of the two
    # overdue dossiers, which the summary counts until the next sweep, and says when it counted.
    counted = late_counted_at()
    assert counted is not None and LateTally.objects.exists()
    assert late_summary(world.approver, group="agency", **march_)[0]["overdue"] == 2
    # Counted now (the next sweep; or counted=False): the re-appointed one (to 11/3) is on track again; the
    # finished ones are not counted.
    live = late_summary(world.approver, group="agency", counted=False, **march_)
    assert late_tally_refresh() == 2  # (Pleiku, the appraiser, household) overdue, (Pleiku, nobody, household) due soon
    assert late_counted_at() > counted
    by_agency = late_summary(world.approver, group="agency", **march_)
    assert by_agency == live == [{"key": world.pleiku.pk, "name": world.pleiku.name, "overdue": 1, "due_soon": 1,
                                  "letters": 1, "letters_late": 1}]
    for group in ("officer", "procedure"):
        assert late_summary(world.approver, group=group, **march_) == \
            late_summary(world.approver, group=group, counted=False, **march_)
    by_officer = {r["name"]: r for r in late_summary(world.approver, group="officer", start=at(2026, 3, 1).date(),
                                                     end=at(2026, 3, 31).date())}
    assert by_officer[world.appraiser.full_name]["letters"] == 1
    assert by_officer["(chưa phân công)"]["due_soon"] == 1
    # Another commune's officer sees nothing of Pleiku.
    assert late_summary(world.other_reception, group="agency", start=at(2026, 3, 1).date(),
                        end=at(2026, 3, 31).date()) == []
    client.force_login(world.approver)
    page = client.get("/ho-so/bao-cao/tre-han/", {"by": "procedure", "from": "2026-03-01", "to": "2026-03-31"})
    assert page.status_code == 200 and world.household.procedure.name in page.content.decode()
    stamp = timezone.localtime(late_counted_at()).strftime("%H:%M %d/%m/%Y")
    assert f"đếm lúc {stamp}, khi rà soát hạn xử lý (5 phút một lần)" in page.content.decode()
    assert client.get("/ho-so/bao-cao/tre-han/", {"from": "hôm qua"}).status_code == 302


def test_xlsx_export_is_complete_and_logged(world, march, client):
    from openpyxl import load_workbook

    late_tally_refresh()  # the next sweep counts the re-appointed dossier out
    client.force_login(world.approver)
    response = client.get("/ho-so/bao-cao/tre-han/", {"format": "xlsx", "from": "2026-03-01", "to": "2026-03-31"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Theo cơ quan", "Theo cán bộ", "Theo thủ tục", "Danh sách hồ sơ"]
    rows = list(book["Danh sách hồ sơ"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [march["stuck"].code, march["due_soon"].code]  # by due date
    assert list(book["Theo cơ quan"].iter_rows(values_only=True))[2] == (world.pleiku.name, 1, 1, 1, 1)
    stamp = timezone.localtime(late_counted_at()).strftime("%H:%M %d/%m/%Y")
    assert f"số hồ sơ đếm lúc {stamp} (rà soát hạn xử lý)" in book["Theo cơ quan"]["A1"].value
    assert PersonalDataAccess.objects.filter(user=world.approver, action="export").exists()
    client.force_login(world.citizen)
    assert client.get("/ho-so/bao-cao/tre-han/").status_code == 403


def test_monthly_counts_are_stored_and_recomputed_identically(world, march):
    assert monthly_stats_refresh(first=at(2026, 3, 1).date(), last=at(2026, 3, 1).date(), now=at(2026, 4, 2)) == 1
    row = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=at(2026, 3, 1).date())
    got = {f: getattr(row, f) for f in ("received", "finished_early", "finished_on_time", "finished_late",
                                        "finished_late_twice", "in_progress_on_time", "in_progress_overdue",
                                        "apologies_issued", "apologies_issued_late")}
    # At the end of March the re-appointed dossier is still open and past its legal time (5/3): overdue.
    assert got == {"received": 6, "finished_early": 1, "finished_on_time": 1, "finished_late": 1,
                   "finished_late_twice": 0, "in_progress_on_time": 0, "in_progress_overdue": 3,
                   "apologies_issued": 1, "apologies_issued_late": 1}
    before = list(MonthlyAgencyStats.objects.values())
    monthly_stats_refresh(first=at(2026, 3, 1).date(), last=at(2026, 3, 1).date(), now=at(2026, 4, 2))
    after = list(MonthlyAgencyStats.objects.values())
    assert [{k: v for k, v in r.items() if k != "computed_at"} for r in before] == \
           [{k: v for k, v in r.items() if k != "computed_at"} for r in after]


def test_the_command_and_the_task(world, march):
    out = io.StringIO()
    call_command("refresh_dossier_stats", "--from", "2026-02", "--to", "2026-03", stdout=out)
    assert "02/2026" in out.getvalue() and MonthlyAgencyStats.objects.filter(agency=world.pleiku).count() == 1
    for bad in (["--from", "tháng 3"], ["--from", "2026-04", "--to", "2026-03"], ["--to", "2099-01"]):
        with pytest.raises(CommandError):
            call_command("refresh_dossier_stats", *bad, stdout=io.StringIO())
    with pytest.raises(ValueError, match="months_back"):
        refresh_monthly_stats_task.run(months_back="ba")
    assert refresh_monthly_stats_task.run(months_back=0) >= 0


def test_digitised_dossiers_and_electronic_results_are_counted(world, pki):
    from dossiers.attachments import attachment_add

    from .conftest import attach_required
    from .results_helper import result_upload

    pki.add_agency(world.pleiku)  # the agency signs the result with its certificate when the head approves

    def result_pdf(d):
        return attachment_add(dossier=d, actor=world.appraiser, kind="result", upload=result_upload())

    def finished(with_scans: bool, with_result: bool, scanned_after_signing: bool = False):
        d = _received(world, at(2026, 3, 2, 10))
        if with_scans:
            attach_required(d, world.reception)
        d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 9))
        result = result_pdf(d) if with_result else None  # the electronic result the head signs
        d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 3, 10))
        if result is not None:
            document = d.e_result_document
            assert (document.signature, d.e_result_signed_by) == ("agency", world.approver)
            assert d.e_result_sha256 == document.sha256 != result.sha256  # the signed file, not the draft
            assert d.events.get(type="approve").payload["e_result"]["sha256"] == document.sha256
        else:
            assert d.e_result_sha256 == ""
        if scanned_after_signing:
            result_pdf(d)  # a scan of the paper result is not an electronic result
        return services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 3, 14))

    finished(True, True)  # digitised and an electronic result
    finished(False, True)  # electronic result, paper components
    finished(True, False)  # scans but a paper result
    finished(True, False, scanned_after_signing=True)  # a paper result scanned afterwards
    monthly_stats_refresh(first=at(2026, 3, 1).date(), last=at(2026, 3, 1).date(), now=at(2026, 4, 2))
    row = MonthlyAgencyStats.objects.get(agency=world.pleiku)
    assert (row.finished, row.dossiers_e_result, row.dossiers_digitized) == (4, 2, 1)
