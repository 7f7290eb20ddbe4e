"""The monthly counts' index pre-filter (`stats.open_span`, issue #21) never changes what is counted: on PostgreSQL
the dossiers open at a moment, and the Decision-766 population of a month, are exactly those of the conditions
alone, for every kind of span (open, finished, closed, closed after the result, ended at the boundary, even dates
out of order), and the planner can read them through the index."""

import itertools
from types import SimpleNamespace

import pytest
from django.db import connection

from dossiers import services, stats
from dossiers.models import Dossier

from .conftest import APPLICANT, at

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the index is PostgreSQL's")]

MAR, APR = at(2026, 3, 1, 0), at(2026, 4, 1, 0)
TIMES = [None, at(2026, 2, 10, 9), MAR, at(2026, 3, 15, 9), APR, at(2026, 4, 20, 9)]


@pytest.fixture
def spans(world):
    """One dossier per (received, resolved, closed, supplement requests) shape, dates possibly out of order."""
    base = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                           at=at(2026, 2, 2, 9), **APPLICANT)
    shapes = [(r, s, c, n) for i, (r, s, c) in enumerate(itertools.product([*TIMES[1:], None], TIMES, TIMES))
              for n in ((0, 1, 2)[i % 3],)]
    pks = []
    for received, resolved, closed, requests in shapes:
        d = Dossier.objects.get(pk=base.pk)
        d.pk, d.code, d.national_code = None, None, None
        d.save()
        Dossier.objects.filter(pk=d.pk).update(
            received_at=received, resolved_at=resolved, closed_at=closed, supplement_requests=requests,
            first_supplement_request_at=at(2026, 3, 10, 9) if requests else None)
        pks.append(d.pk)
    return pks


def _exact(monkeypatch, make):
    """The queryset's pks with the pre-filter (PostgreSQL) and without it (as on any other database)."""
    with_span = set(make().values_list("pk", flat=True))
    monkeypatch.setattr(stats, "connection", SimpleNamespace(vendor="other"))
    without = set(make().values_list("pk", flat=True))
    monkeypatch.undo()
    return with_span, without


@pytest.mark.parametrize("cutoff", [MAR, at(2026, 3, 15, 9), APR, at(2026, 4, 20, 9), at(2026, 2, 20, 9)])
def test_open_at_counts_the_same_dossiers(spans, monkeypatch, cutoff):
    with_span, without = _exact(monkeypatch, lambda: stats.open_at(cutoff).filter(pk__in=spans))
    assert with_span == without and without  # some are open at every cutoff of the grid


@pytest.mark.parametrize("start,end", [(MAR, APR), (at(2026, 2, 1, 0), MAR), (APR, at(2026, 5, 1, 0))])
def test_the_766_population_is_the_same(spans, monkeypatch, start, end):
    with_span, without = _exact(monkeypatch, lambda: stats.counted_766(start, end, min(end, at(2026, 4, 25, 9)))
                                .filter(pk__in=spans))
    assert with_span == without and without


def test_the_planner_can_read_the_open_dossiers_through_the_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for qs in (stats.open_at(MAR), stats.counted_766(MAR, APR, APR)):
            sql, params = qs.values("handling_agency").order_by().query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "dossier_open_span" in plan, plan
