"""`core.bulk.bulk_insert`: the rows PostgreSQL's fast path writes are those `bulk_create` writes (the path
SQLite takes): plain inserts, defaults for omitted columns, enum members, foreign keys by attname, NULLs, and
the upsert (a row whose unique fields exist updates only the fields named)."""

from __future__ import annotations

import datetime as dt

import numpy
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Agency, AgencyLevel
from core.bulk import bulk_insert
from parindex.models import MetricSnapshot, PeriodKind, PeriodTotal, Scope

NOW = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 30))
FIELDS = ("agency_id", "scope", "month", "metric", "numerator", "denominator", "computed_at")


@pytest.fixture
def world(db):
    class World:
        pleiku = Agency.objects.create(code="T.01", name="Phường Thử Một", level=AgencyLevel.COMMUNE)
        quynhon = Agency.objects.create(code="T.02", name="Tỉnh Thử", level=AgencyLevel.PROVINCE)
    return World


def snapshot_rows(world, n0=5):
    return [{"agency_id": world.pleiku.pk, "scope": Scope.AGENCY, "month": dt.date(2026, 11, 1), "metric": "m1",
             "numerator": n0, "denominator": 10, "computed_at": NOW},
            {"agency_id": world.quynhon.pk, "scope": Scope.PROVINCE, "month": dt.date(2026, 11, 1), "metric": "m1",
             "numerator": 0, "denominator": None, "computed_at": NOW},
            ]


def default_rows(world):
    """Rows that leave `scope` and `numerator` to their defaults."""
    return [{"agency_id": world.pleiku.pk, "month": dt.date(2026, 10, 1), "metric": "m2", "denominator": None,
             "computed_at": NOW}]


def stored():
    return sorted(MetricSnapshot.objects.values_list(*FIELDS))


@pytest.fixture(params=["postgresql", "bulk_create"])
def path(request, monkeypatch):
    if request.param == "bulk_create":
        monkeypatch.setattr(connection, "vendor", "sqlite")  # the path `make run` takes on SQLite
    elif connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own path")
    return request.param


@pytest.mark.django_db
def test_rows_defaults_enums_and_nulls_are_written_as_given(world, path):
    assert bulk_insert(MetricSnapshot, snapshot_rows(world)) == 2
    assert bulk_insert(MetricSnapshot, default_rows(world)) == 1
    assert stored() == [
        (world.pleiku.pk, "agency", dt.date(2026, 10, 1), "m2", 0, None, NOW),  # scope and numerator: defaults
        (world.pleiku.pk, "agency", dt.date(2026, 11, 1), "m1", 5, 10, NOW),
        (world.quynhon.pk, "province", dt.date(2026, 11, 1), "m1", 0, None, NOW)]


@pytest.mark.django_db
def test_an_existing_row_is_updated_in_the_fields_named_only(world, path):
    bulk_insert(MetricSnapshot, snapshot_rows(world))
    bulk_insert(MetricSnapshot, default_rows(world))
    later = NOW + dt.timedelta(hours=1)
    again = [{**row, "numerator": 7, "denominator": 11, "computed_at": later, "metric": "m1"}
             for row in snapshot_rows(world)[:1]]
    bulk_insert(MetricSnapshot, again, unique=["agency", "scope", "month", "metric"],
                update=["numerator", "computed_at"])
    row = MetricSnapshot.objects.get(agency=world.pleiku, month=dt.date(2026, 11, 1), metric="m1")
    assert (row.numerator, row.denominator, row.computed_at) == (7, 10, later)  # denominator not named: kept
    assert MetricSnapshot.objects.count() == 3


@pytest.mark.django_db
def test_many_rows_in_several_batches(world, path):
    rows = [{"agency_id": world.pleiku.pk, "scope": Scope.AGENCY, "kind": PeriodKind.YEAR,
             "start": dt.date(2000 + i % 30, 1, 1), "metric": f"m{i}", "numerator": i, "denominator": i + 1,
             "last_month": dt.date(2000 + i % 30, 12, 1), "computed_at": NOW} for i in range(250)]
    assert bulk_insert(PeriodTotal, rows, batch_size=100) == 250
    assert sorted(PeriodTotal.objects.values_list("numerator", flat=True)) == list(range(250))
    assert bulk_insert(PeriodTotal, []) == 0


@pytest.mark.django_db
def test_a_column_mixing_enum_members_plain_values_and_values_to_prepare(world, path):
    """A column is converted as a whole when any of its values is not plain: enum members and plain strings side
    by side, and a number its field must prepare (numpy's, as vectorised counts give) beside Python's."""
    rows = [{"agency_id": world.pleiku.pk, "scope": Scope.AGENCY, "month": dt.date(2026, 9, 1), "metric": "m3",
             "numerator": 1, "denominator": None, "computed_at": NOW},
            {"agency_id": world.quynhon.pk, "scope": "province", "month": dt.date(2026, 9, 1), "metric": "m3",
             "numerator": numpy.int64(2), "denominator": 4, "computed_at": NOW}]
    assert bulk_insert(MetricSnapshot, rows) == 2
    assert stored() == [(world.pleiku.pk, "agency", dt.date(2026, 9, 1), "m3", 1, None, NOW),
                        (world.quynhon.pk, "province", dt.date(2026, 9, 1), "m3", 2, 4, NOW)]


@pytest.mark.django_db
def test_a_field_the_model_does_not_have_or_rows_of_other_shapes_are_refused_and_nothing_is_written(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own path")
    with pytest.raises(ValueError, match="khong_co"):
        bulk_insert(MetricSnapshot, [{**snapshot_rows(world)[0], "khong_co": 1}])
    with pytest.raises(ValueError, match="same fields"):
        bulk_insert(MetricSnapshot, [*snapshot_rows(world), *default_rows(world)])
    assert MetricSnapshot.objects.count() == 0
