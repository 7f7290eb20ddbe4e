"""The worklist's "due soon" queue applies the sweep's rule (lateness.classify): due by the end of the next
working day, weekends and holidays skipped — not "within two calendar days", which it used to be."""

import pytest

from dossiers import selectors
from dossiers.models import Dossier
from dossiers.workflow import Status

from .conftest import at
from .transitions_helper import drive

pytestmark = pytest.mark.django_db


def _due(world, due_at) -> Dossier:
    d = drive(world, Status.IN_APPRAISAL)
    Dossier.objects.filter(pk=d.pk).update(due_at=due_at)
    return d


def _due_soon(user, now) -> set[int]:
    return set(selectors.worklist_queryset(user, queue="due_soon", now=now).values_list("pk", flat=True))


def test_friday_afternoon_sees_mondays_appointment_as_due_soon(world):
    monday = _due(world, at(2026, 3, 9, 9))  # Monday 09:00
    tuesday = _due(world, at(2026, 3, 10, 9))
    friday = at(2026, 3, 6, 15)  # two calendar days after Friday 15:00 is Sunday: Monday was missed
    assert _due_soon(world.appraiser, friday) >= {monday.pk}
    assert tuesday.pk not in _due_soon(world.appraiser, friday)


def test_monday_does_not_see_wednesday_as_due_soon(world):
    tuesday = _due(world, at(2026, 3, 3, 16))
    wednesday = _due(world, at(2026, 3, 4, 9))  # within two calendar days of Monday 10:00, not one working day
    found = _due_soon(world.appraiser, at(2026, 3, 2, 10))
    assert tuesday.pk in found and wednesday.pk not in found
