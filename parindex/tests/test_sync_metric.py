"""The "dossiers synced in time / to sync" metric reads nationalportal's monthly table."""

import datetime as dt

import pytest

from dossiers import services
from dossiers.stats import monthly_stats_refresh
from dossiers.tests.conftest import APPLICANT, at
from nationalportal import sync
from nationalportal.models import MonthlySyncStats
from nationalportal.stats import monthly_sync_refresh
from parindex.metrics import snapshots_refresh
from parindex.models import MetricSnapshot

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


class Delivered:
    def send(self, data):
        pass


def _snapshot(agency, metric):
    row = MetricSnapshot.objects.get(agency=agency, scope="agency", month=MARCH, metric=metric)
    return row.numerator, row.denominator


def test_the_sync_metric_per_agency_from_the_monthly_sync_table(world, settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"
    settings.SYNC_SECRET = "bi-mat"

    def received():
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=at(2026, 3, 2, 9), **APPLICANT)
        return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                       at=at(2026, 3, 2, 9))

    received()
    stuck = received()
    sync.push(adapter=Delivered(), now=at(2026, 3, 2, 9, 1))
    services.dossier_propose(dossier=stuck, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 9))
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    monthly_sync_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    # An agency counted by the sync table only: its other metrics are zero, as when both were one row.
    MonthlySyncStats.objects.create(agency=world.quynhon, month=MARCH, dossiers_to_sync=1, dossiers_synced=1,
                                    computed_at=at(2026, 4, 2))
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    assert _snapshot(world.pleiku, "synced") == (1, 2)
    assert _snapshot(world.pleiku, "received") == (2, None)
    assert _snapshot(world.quynhon, "synced") == (1, 1)
    assert _snapshot(world.quynhon, "received") == (0, None)
    province = MetricSnapshot.objects.get(agency=world.pleiku.province, scope="province", month=MARCH, metric="synced")
    assert (province.numerator, province.denominator) == (2, 3)
