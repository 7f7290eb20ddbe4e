"""The late-dossier report reads a page of late dossiers by keyset (earliest appointment first) and counts them per
agency, officer and procedure on the late index: what it shows is what a direct count over the dossiers gives."""

import re
from urllib.parse import parse_qsl

import pytest
from django.db.models import Count, Q

from dossiers import services
from dossiers.lateness import report
from dossiers.lateness.report import late_page, late_summary
from dossiers.lateness.sweep import RUNNING, sweep_deadlines
from dossiers.models import RUNNING_STATES, ApologyLetter, DeadlineState, Dossier, LetterStatus

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
LATE = (DeadlineState.OVERDUE, DeadlineState.DUE_SOON)


@pytest.fixture
def late(world):
    """Seven dossiers of Pleiku received on different days of March 2026 (some assigned), one of Quy Nhơn, one of
    Pleiku finished; swept on Mon 16/3 at 9:00: the open ones of Pleiku are overdue or due soon."""
    made = []
    for n, day in enumerate((2, 3, 3, 4, 5, 6, 13)):
        version = world.household if n % 2 else world.birth
        d = services.dossier_create_at_desk(actor=world.reception, version=version, agency=world.pleiku,
                                            at=at(2026, 3, day, 9 + n), **APPLICANT)
        if n % 3:
            d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                        at=at(2026, 3, day, 11 + n))
        made.append(d)
    services.dossier_create_at_desk(actor=world.other_reception, version=world.birth, agency=world.quynhon,
                                    at=at(2026, 3, 2, 9), **APPLICANT)
    done = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                           at=at(2026, 3, 2, 8), **APPLICANT)
    done = services.dossier_assign(dossier=done, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 9))
    done = services.dossier_propose(dossier=done, actor=world.appraiser, proposal="approve", at=at(2026, 3, 2, 10))
    done = services.dossier_approve(dossier=done, actor=world.approver, at=at(2026, 3, 2, 11))
    services.dossier_resolve(dossier=done, actor=world.appraiser, at=at(2026, 3, 2, 12))
    sweep_deadlines(now=at(2026, 3, 16, 9))
    return made


def _direct(world):
    """The late dossiers of Pleiku, counted and ordered without the report's code."""
    return Dossier.objects.filter(handling_agency=world.pleiku, status__in=RUNNING, track__in=LATE,
                                  due_at__isnull=False)


def test_the_index_and_the_sweep_agree_on_which_states_run():
    assert RUNNING_STATES == RUNNING


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_pages_by_keyset_list_every_late_dossier_once_in_due_order(world, late, vendor, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", vendor)  # "sqlite": the one-query path of `make run`, same pages
    expected = list(_direct(world).order_by("due_at", "id").values_list("pk", flat=True))
    assert len(expected) >= 5 and Dossier.objects.filter(handling_agency=world.quynhon, track__in=LATE).exists()
    seen, after = [], None
    while True:
        rows, after = late_page(world.approver, after=after, size=2)
        assert len(rows) <= 2
        seen += [d.pk for d in rows]
        if after is None:
            break
    assert seen == expected  # each once, earliest appointment first, only the agencies the leader sees
    theirs = late_page(world.other_reception, size=50)[0]
    assert theirs and {d.handling_agency_id for d in theirs} == {world.quynhon.pk}
    assert late_page(world.citizen)[0] == []


def test_the_page_walks_its_list_with_the_next_link(world, late, client, monkeypatch):
    monkeypatch.setattr(report, "PAGE", 3)
    expected = list(_direct(world).order_by("due_at", "id").values_list("code", flat=True))
    client.force_login(world.approver)
    params, shown = {}, []
    for _page in range(10):
        html = client.get("/ho-so/bao-cao/tre-han/", params).content.decode()
        table = html.split('data-testid="late-dossiers"')[1].split("</table>")[0]
        shown += re.findall(r'<a href="/ho-so/\d+/">([^<]+)</a>', table)
        link = re.search(r'data-testid="late-next" href="\?([^"]*)"', html)
        if not link:
            break
        params = dict(parse_qsl(link.group(1).replace("&amp;", "&")))
        assert 'data-testid="late-first"' in client.get("/ho-so/bao-cao/tre-han/", params).content.decode()
    assert shown == expected
    # a hand-edited cursor starts from the first page, never an error
    for bad in ("x|1", "2026-03-02T10:00:00+07:00|abc", "2026-03-02T10:00:00|5", "9999-01-01T00:00:00+07:00|5",
                "2026-03-02T10:00:00+07:00|-4"):
        response = client.get("/ho-so/bao-cao/tre-han/", {"sau": bad})
        assert response.status_code == 200 and f">{expected[0]}<" in response.content.decode()


def test_each_row_counts_its_issued_letters_only(world, late):
    overdue = _direct(world).filter(track=DeadlineState.OVERDUE).order_by("due_at", "id")
    drafted = {letter.dossier_id for letter in ApologyLetter.objects.filter(dossier__in=overdue)}
    assert drafted  # the sweep drafted letters for the overdue dossiers
    letter = ApologyLetter.objects.filter(dossier__in=overdue, status=LetterStatus.DRAFT).order_by("pk").first()
    from dossiers.lateness import letters

    letters.apology_letter_issue(letter=letter, actor=world.approver, reason_kind="complex", new_due=None,
                                 extend=False, at=at(2026, 3, 16, 10))
    rows, _after = late_page(world.approver, size=50)
    assert {d.pk: d.letters for d in rows} == {
        d.pk: d.apology_letters.filter(status=LetterStatus.ISSUED).count() for d in _direct(world)}
    assert sum(d.letters for d in rows) == 1


@pytest.mark.parametrize("group,field", [("agency", "handling_agency__name"), ("officer", "assignee__full_name"),
                                         ("procedure", "procedure_version__procedure__name")])
def test_the_summary_equals_a_direct_count(world, late, group, field, client):
    direct = {}
    for r in (Dossier.objects.filter(handling_agency=world.pleiku, status__in=RUNNING, track__in=LATE)
              .values(field, "track").annotate(n=Count("id"))):
        name = r[field] or "(chưa phân công)"
        direct.setdefault(name, {"overdue": 0, "due_soon": 0})[r["track"]] = r["n"]
    rows = late_summary(world.approver, group=group, start=at(2026, 3, 1).date(), end=at(2026, 3, 31).date())
    assert {r["name"]: {"overdue": r["overdue"], "due_soon": r["due_soon"]} for r in rows} == direct
    assert [r["overdue"] for r in rows] == sorted((r["overdue"] for r in rows), reverse=True)
    client.force_login(world.approver)
    html = client.get("/ho-so/bao-cao/tre-han/", {"by": group}).content.decode()
    table = html.split('data-testid="late-summary"')[1].split("</table>")[0]
    for name, counts in direct.items():
        assert name in table and f">{counts['due_soon']}<" in table


def test_bench_late_report_times_the_checked_page(world, late):
    """The benchmark refreshes the late counts as the sweep does, and times pages it checks (a 200 listing the
    first late dossier and the biggest group's overdue count): it runs here on a small province."""
    import io

    from django.core.management import call_command

    from dossiers.models import LateTally

    LateTally.objects.all().delete()  # what the bench finds: counts to refresh first
    out = io.StringIO()
    call_command("bench_late_report", "--user", world.approver.email, "--repeat", "2", stdout=out)
    text = out.getvalue()
    groups = (Dossier.objects.filter(status__in=RUNNING, track__in=LATE)  # the whole province, Quy Nhơn's too
              .values_list("handling_agency", "assignee", "procedure_version").distinct().count())
    assert groups >= 4 and f"late tally (end of each sweep): {groups} rows" in text
    for label in ("by agency", "by procedure", "by officer"):
        assert re.search(label + r"\s+median [\d.]+ ms, p95 [\d.]+ ms \(n=2\)", text), text
    assert LateTally.objects.count() == groups


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_ending_at_once_leave_one_count(world, late):
    """Two workers finishing a sweep at the same moment take turns on the run row: the counts are written once,
    not twice."""
    import threading

    from django.db import connection

    from dossiers.lateness.sweep import late_tally_refresh
    from dossiers.models import LateTally

    def ordered(rows):
        return sorted(rows, key=lambda row: tuple(-1 if v is None else v for v in row))  # no officer: None

    expected = ordered(
        (a, u, v, o, s) for a, u, v, o, s in Dossier.objects.filter(status__in=RUNNING, track__in=LATE)
        .values_list("handling_agency", "assignee", "procedure_version")
        .annotate(o=Count("id", filter=Q(track=DeadlineState.OVERDUE)),
                  s=Count("id", filter=Q(track=DeadlineState.DUE_SOON))).order_by())
    start, errors = threading.Barrier(2), []

    def run():
        try:
            start.wait()
            late_tally_refresh()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = ordered(LateTally.objects.values_list("agency", "assignee", "procedure_version", "overdue", "due_soon"))
    assert got == expected and len(expected) >= 4
