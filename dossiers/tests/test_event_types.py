"""Event types are one enum (`EventType`), written through `dossiers.events`; the deadline sweep's
events go through `events.bulk_record`, so the listeners of `dossier_event_recorded` hear them."""

import pytest
from django.utils import translation

from dossiers import events, services
from dossiers.lateness import letters
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import DossierEvent, EventType
from dossiers.workflow import TRANSITIONS
from nationalportal import sync
from nationalportal.models import SyncItem

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _received(world, when):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)


def test_every_transition_is_an_event_type_under_its_name_and_label():
    with translation.override("vi"):
        assert {t.name: str(t.label) for t in TRANSITIONS} == {
            t.name: str(EventType(t.name).label) for t in TRANSITIONS}


def test_an_undeclared_type_is_refused(world):
    d = _received(world, at(2026, 3, 2, 10))
    with pytest.raises(ValueError):
        events.transition_fired(dossier=d, transition="teleport", actor=None, from_status=d.status,
                                from_agency=None, step="", at=at(2026, 3, 2, 11))
    with pytest.raises(ValueError):
        events.bulk_record([DossierEvent(dossier=d, type="track_teleported", at=at(2026, 3, 2, 11))])
    assert not d.events.filter(type__in=("teleport", "track_teleported")).exists()


@pytest.fixture
def heard():
    """Every (dossier id, event) the signal announces while the test runs."""
    got = []

    def listener(sender, dossier, event, **kwargs):
        assert event.pk is not None and event.dossier_id == dossier.pk
        got.append((dossier.pk, event))

    events.dossier_event_recorded.connect(listener, weak=False, dispatch_uid="test-heard")
    yield got
    events.dossier_event_recorded.disconnect(dispatch_uid="test-heard")


def test_the_listeners_hear_the_sweeps_events(world, heard):
    plain = _received(world, at(2026, 3, 2, 10))
    twice = _received(world, at(2026, 3, 2, 10))
    letter = letters.apology_letter_draft(dossier=twice, actor=world.appraiser, reason_kind="complex",
                                          at=at(2026, 3, 3, 9))
    letters.apology_letter_issue(letter=letter, actor=world.approver, new_due="2026-03-06", at=at(2026, 3, 3, 10))
    soon = _received(world, at(2026, 3, 6, 10))  # due Wed 11/3: due soon on Tuesday
    heard.clear()
    sweep_deadlines(now=at(2026, 3, 10, 9))
    written = DossierEvent.objects.filter(at=at(2026, 3, 10, 9))
    assert sorted((e.dossier_id, e.type) for e in written) == sorted([
        (plain.pk, EventType.OVERDUE), (twice.pk, EventType.LATE_TWICE), (soon.pk, EventType.DUE_SOON)])
    assert sorted((pk, e.pk, e.type) for pk, e in heard) == sorted((e.dossier_id, e.pk, e.type) for e in written)
    assert {e.payload["due_at"] for _pk, e in heard} == {e.payload["due_at"] for e in written}


def test_the_sweeps_events_pass_the_outbox_like_every_event_and_queue_nothing(world, settings, monkeypatch):
    """Every event is offered to the national-portal outbox; the sweep's do not change the status,
    so, as before they were announced, they queue no sync item."""
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"
    offered = []
    real = sync.enqueue

    def spy(event):
        offered.append(event.type)
        return real(event)

    monkeypatch.setattr(sync, "enqueue", spy)
    d = _received(world, at(2026, 3, 2, 10))
    assert offered == [EventType.CREATE_AT_DESK, EventType.RECEIVE, EventType.ASSIGN]
    queued = SyncItem.objects.count()
    offered.clear()
    sweep_deadlines(now=at(2026, 3, 9, 9))
    assert d.events.filter(type=EventType.OVERDUE).count() == 1
    assert offered == [EventType.OVERDUE]
    assert SyncItem.objects.count() == queued
