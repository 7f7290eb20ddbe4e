"""The deadline sweep across the due-soon and overdue boundaries (with a holiday in between),
its notifications, and two sweeps at once."""

import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connections

from dossiers import services
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import DeadlineState, Dossier, DossierEvent
from notifications.models import InboxDigest, InboxItem

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _received(world, when):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)


def test_a_dossier_walks_from_on_track_to_due_soon_to_overdue(world, django_capture_on_commit_callbacks):
    # Received Wed 11/2/2026, 3 working days: Thu 12, Fri 13, then Tết (16-20/2) -> due Mon 23/2 17:00.
    d = _received(world, at(2026, 2, 11, 10))
    assert d.due_at == at(2026, 2, 23, 17)
    with time_machine.travel(at(2026, 2, 12, 9), tick=False):
        sweep_deadlines()
    d.refresh_from_db()
    assert d.track == DeadlineState.ON_TRACK
    with time_machine.travel(at(2026, 2, 13, 9), tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines()  # Friday before Tết: the next working day is Mon 23/2, the due day
    d.refresh_from_db()
    assert d.track == DeadlineState.DUE_SOON
    event = d.events.get(type="track_due_soon")
    assert event.at == at(2026, 2, 13, 9)
    head = world.pleiku.head  # the approver who heads the commune
    people = set(InboxItem.objects.filter(key__startswith=f"track:{d.pk}:").values_list("user_id", flat=True))
    assert people == {world.appraiser.pk, head.pk}
    assert {m.to[0] for m in mail.outbox} >= {world.appraiser.email, head.email}
    assert "sắp đến hạn" in mail.outbox[-1].subject
    with time_machine.travel(at(2026, 2, 23, 17, 1), tick=False):
        sweep_deadlines()
    d.refresh_from_db()
    assert d.track == DeadlineState.OVERDUE and d.events.filter(type="track_overdue").count() == 1
    assert InboxItem.objects.filter(key__startswith=f"track:{d.pk}:overdue").count() == 2


def test_sweeping_again_changes_nothing(world):
    d = _received(world, at(2026, 3, 2, 10))
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        first = sweep_deadlines()
        second = sweep_deadlines()
    assert first["overdue"] == 1 and second == {"overdue": 0, "due_soon": 0, "on_track": 0, "steps": 0, "risk": 0,
                                                "more": 0}
    assert DossierEvent.objects.filter(dossier=d, type="track_overdue").count() == 1


def test_waiting_for_the_citizen_is_not_overdue(world):
    d = _received(world, at(2026, 3, 2, 10))
    services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung.", at=at(2026, 3, 2, 11))
    with time_machine.travel(at(2026, 3, 20, 9), tick=False):
        sweep_deadlines()
    d.refresh_from_db()
    assert d.track == "" and not d.events.filter(type__startswith="track_").exists()


def test_the_worklist_overdue_queue_and_the_command(world, client):
    _received(world, at(2026, 3, 2, 10))
    call_command("sweep_deadlines", "--now", "2026-03-09T09:00+07:00", stdout=__import__("io").StringIO())
    assert Dossier.objects.filter(track=DeadlineState.OVERDUE).count() == 1
    with pytest.raises(Exception, match="Thời điểm không hợp lệ"):
        call_command("sweep_deadlines", "--now", "thứ hai")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_announce_each_dossier_once(world):
    made = [_received(world, at(2026, 3, 2, 10)) for _ in range(30)]
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            sweep_deadlines(now=at(2026, 3, 9, 9), batch=7)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert DossierEvent.objects.filter(type="track_overdue").count() == len(made)
    assert Dossier.objects.filter(track=DeadlineState.OVERDUE).count() == len(made)
    assert InboxItem.objects.count() == len(made) * 2  # appraiser + head, once each
    # their digests counted every notice of both sweeps, one digest each (the upsert on (user, day, kind))
    assert sorted(InboxDigest.objects.values_list("total", "unread")) == [(len(made), len(made))] * 2
    # each overdue dossier got exactly one drafted apology letter
    from dossiers.models import ApologyLetter

    assert sorted(ApologyLetter.objects.values_list("dossier_id", flat=True)) == sorted(d.pk for d in made)


def test_inbox_page_and_bell(world, client):
    _received(world, at(2026, 3, 2, 10))
    sweep_deadlines(now=at(2026, 3, 9, 9))
    client.force_login(world.appraiser)
    home = client.get("/").content.decode()
    assert 'data-testid="inbox-link"' in home and '<span class="bell">1</span>' in home
    page = client.get("/thong-bao/").content.decode()
    assert "quá hạn" in page
    client.post("/thong-bao/da-doc/")
    assert InboxItem.objects.filter(user=world.appraiser, read_at__isnull=True).count() == 0


def test_the_sql_and_the_orm_announcements_write_the_same_rows(world):
    """PostgreSQL announces with INSERT ... SELECT, SQLite (make run) with the ORM: same rows."""
    from django.db import transaction

    from dossiers.lateness import letters
    from dossiers.lateness.sweep import _announce_orm, _announce_sql

    plain = _received(world, at(2026, 3, 2, 10))
    twice = _received(world, at(2026, 3, 2, 10))
    letter = letters.apology_letter_draft(dossier=twice, actor=world.appraiser, reason_kind="complex",
                                            at=at(2026, 3, 3, 9))
    letters.apology_letter_issue(letter=letter, actor=world.approver, new_due="2026-03-06", at=at(2026, 3, 3, 10))
    ids, now = [plain.pk, twice.pk], at(2026, 3, 9, 9)

    def run(announce):
        with transaction.atomic():
            digest = announce(ids, "overdue", now, {plain.pk})
            events = sorted(DossierEvent.objects.filter(dossier__in=ids, at=now).values_list(
                "dossier_id", "type", "from_status", "to_status", "payload"))
            items = sorted(InboxItem.objects.filter(key__startswith="track:").values_list("user_id", "key", "text",
                                                                                          "url"))
            # the notices page's digests: one per person and day, counting every item, as the items say
            digests = sorted(InboxDigest.objects.filter(kind="track-overdue").values_list("user_id", "kind", "total",
                                                                                         "unread"))
            assert digests == sorted((user_id, "track-overdue", n, n) for user_id, n in Counter(
                i[0] for i in items).items())
            transaction.set_rollback(True)
        return {k: sorted(v) for k, v in digest.items()}, events, items, digests

    orm, sql = run(_announce_orm), run(_announce_sql)
    assert orm == sql
    digest, events, items, _digests = sql
    assert sum(len(lines) for lines in digest.values()) == len(items)  # one digest line per inbox item
    assert [e[1] for e in events] == ["track_overdue", "late_twice"]
    assert any("QUÁ HẠN LẦN 2" in i[2] for i in items) and any("dự thảo phiếu xin lỗi" in i[2] for i in items)
    assert {i[3] for i in items} == {f"/ho-so/{plain.pk}/", f"/ho-so/{twice.pk}/"}


def test_one_digest_per_person_per_sweep_whatever_the_batches(world, django_capture_on_commit_callbacks):
    made = [_received(world, at(2026, 3, 2, 10)) for _ in range(12)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines(now=at(2026, 3, 9, 9), batch=5)
    overdue = [m for m in mail.outbox if "quá hạn" in m.subject]
    assert sorted(m.to[0] for m in overdue) == sorted([world.appraiser.email, world.pleiku.head.email])
    assert all(m.subject.startswith("12 hồ sơ") for m in overdue)
    assert all(d.code in overdue[0].body for d in made)


def test_a_run_over_its_time_budget_leaves_the_rest_for_the_next_run(world):
    made = [_received(world, at(2026, 3, 2, 10)) for _ in range(12)]
    first = sweep_deadlines(now=at(2026, 3, 9, 9), batch=5, budget=0)  # stops after one batch
    assert (first["overdue"], first["more"]) == (5, 1)
    out = __import__("io").StringIO()
    call_command("sweep_deadlines", "--now", "2026-03-09T09:01+07:00", "--batch", "5", "--budget", "0",
                 "--until-done", stdout=out)
    assert "lượt sau sẽ tiếp tục" in out.getvalue()
    assert Dossier.objects.filter(track=DeadlineState.OVERDUE).count() == len(made)
    assert DossierEvent.objects.filter(type="track_overdue").count() == len(made)  # each announced once
    with pytest.raises(ValueError, match="budget"):
        sweep_deadlines(budget=-1)
