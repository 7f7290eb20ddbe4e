"""nationalportal hears every recorded dossier event through dossiers.events' signal, inside the
transaction that recorded it, and keeps only the status changes of received dossiers; dossiers knows
nothing of it (the layer rule)."""

import re
from pathlib import Path

import pytest
from celery import current_app
from django.db import transaction
from django.urls import reverse

from dossiers import events, services
from dossiers.models import DossierEvent, EventType
from dossiers.tests.conftest import APPLICANT, at
from nationalportal import receivers
from nationalportal.models import SyncItem, SyncStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"  # discard port: nothing listens
    settings.SYNC_SECRET = "bi-mat"
    return settings


def _assigned(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 9), **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                   at=at(2026, 3, 2, 9))


def test_the_row_is_written_with_the_change_and_the_push_waits_for_its_commit(
        world, target, django_capture_on_commit_callbacks):
    d = _assigned(world)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 2, 10))
        assert SyncItem.objects.filter(dossier=d, event__type="propose").exists()  # same transaction
        raise RuntimeError("the change is rolled back")
    assert not SyncItem.objects.filter(dossier=d, event__type="propose").exists()
    assert receivers.kick not in callbacks  # nothing pushed for a change that never happened
    d.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 2, 10))
    item = SyncItem.objects.get(dossier=d, event__type="propose")
    assert item.status == SyncStatus.PENDING and callbacks.count(receivers.kick) == 1
    # in the order the events were recorded
    assert list(SyncItem.objects.filter(dossier=d).values_list("event__type", flat=True)) == [
        "receive", "assign", "propose"]


def test_events_that_change_no_status_are_not_queued(world, target):
    d = _assigned(world)
    before = SyncItem.objects.count()
    # a notification, or a deadline-sweep announcement: the status stays
    events.citizen_notified(dossier=d, at=at(2026, 3, 2, 11), channels=["email"], about=0)
    events.bulk_record([DossierEvent(dossier=d, type=EventType.OVERDUE, from_status=d.status,
                                     to_status=d.status, at=at(2026, 3, 2, 11))])  # as the sweep writes it
    assert SyncItem.objects.count() == before


def test_the_task_keeps_answering_to_its_old_name(world, target):
    """Messages queued under "dossiers.push_sync" before the upgrade still deliver."""
    _assigned(world)
    old, new = current_app.tasks["dossiers.push_sync"], current_app.tasks["nationalportal.push_sync"]
    assert old.run() == {"sent": 0, "retry": 1, "failed": 0}  # the real webhook: connection refused
    assert SyncItem.objects.get(event__type="receive").attempts == 1
    with pytest.raises(ValueError, match="batch"):
        old.run(batch=0)
    assert new.name == "nationalportal.push_sync"


def test_the_receiver_keeps_its_address():
    assert reverse("nationalportal:sync_receiver") == "/ho-so/dong-bo/nhan/"


def test_dossiers_does_not_import_nationalportal():
    root = Path(__file__).resolve().parents[2] / "dossiers"
    pattern = re.compile(r"^\s*(from|import)\s+nationalportal\b|^\s*from\s+\.sync\s+import", re.MULTILINE)
    offenders = [str(path.relative_to(root.parent)) for path in root.rglob("*.py")
                 if "tests" not in path.relative_to(root).parts  # tests may check both apps together
                 and pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
