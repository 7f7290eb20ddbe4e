"""A dossier filed on the national portal counts in the Decision-766 figures like any online dossier: online
submission (the receiving desk's channel share), status sync (its pushes from submission on), online payment
(fees paid on the national portal's payment platform)."""

import datetime as dt

import pytest
import time_machine

from dossiers import services
from dossiers.models import MonthlyAgencyStats
from dossiers.stats import monthly_stats_refresh
from dossiers.tests.conftest import APPLICANT, at
from nationalportal import intake, mapping, sync
from nationalportal.models import MonthlySyncStats, SyncItem, SyncStatus
from nationalportal.stats import monthly_sync_refresh
from nationalportal.tests.test_intake import request_body

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


class Recorder:
    def __init__(self, fail: bool = False):
        self.sent, self.fail = [], fail

    def send(self, data):
        if self.fail:
            raise sync.SyncError("HTTP 503")
        self.sent.append(data)


@pytest.fixture
def target(settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"  # discard port: nothing listens
    settings.SYNC_SECRET = "bi-mat"
    return settings


def _file(version, code, moment, **extra):
    with time_machine.travel(moment, tick=False):
        return intake.intake(request_body(version, code=code, **extra)).record.dossier


def _refresh():
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    monthly_sync_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))


def test_a_national_portal_dossier_counts_as_online_and_synced(world, target):
    mapping.map_version(world.birth)
    national = _file(world.birth, "G22.99-260302-0001", at(2026, 3, 2, 8))
    # the same month at the desk: one walk-in dossier, so the share is 1 of 2
    services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                    at=at(2026, 3, 2, 9), **APPLICANT)
    services.dossier_receive(dossier=national, actor=world.reception, at=at(2026, 3, 2, 10))
    pushed = list(SyncItem.objects.filter(dossier=national).values_list("event__type", flat=True))
    assert pushed == ["submit", "receive"]  # pushed from its submission, before our code was issued
    recorder = Recorder()
    sync.push(adapter=recorder, now=at(2026, 3, 2, 10, 1))
    assert [(p["national_code"], p["status"]) for p in recorder.sent if p["national_code"]] == [
        ("G22.99-260302-0001", "submitted"), ("G22.99-260302-0001", "received")]
    assert all(p["national_status"] for p in recorder.sent)  # every status pushed is one the national portal knows
    _refresh()
    stats = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=MARCH)
    assert (stats.received, stats.received_online_766) == (2, 1)
    sync_row = MonthlySyncStats.objects.get(agency=world.pleiku, month=MARCH)
    assert (sync_row.dossiers_to_sync, sync_row.dossiers_synced) == (2, 2)


def test_a_push_not_delivered_keeps_it_out_of_the_synced(world, target):
    mapping.map_version(world.birth)
    national = _file(world.birth, "G22.99-260302-0002", at(2026, 3, 2, 8))
    services.dossier_guide(dossier=national, actor=world.reception, reason="Thiếu bản chụp giấy chứng sinh.",
                           at=at(2026, 3, 2, 9))
    sync.push(adapter=Recorder(fail=True), now=at(2026, 3, 2, 9, 1))
    _refresh()
    row = MonthlySyncStats.objects.get(agency=world.pleiku, month=MARCH)
    assert (row.dossiers_to_sync, row.dossiers_synced) == (1, 0)  # never received, yet to sync
    assert not SyncItem.objects.filter(dossier=national, status=SyncStatus.SENT).exists()
    sync.push(adapter=Recorder(), now=at(2026, 3, 2, 12))
    _refresh()
    row.refresh_from_db()
    assert (row.dossiers_to_sync, row.dossiers_synced) == (1, 1)


def test_fees_paid_on_the_national_portal_count_as_paid_online(world, target):
    mapping.map_version(world.household)
    national = _file(world.household, "G22.99-260302-0003", at(2026, 3, 2, 8),
                     fees={"paid": 50000, "reference": "PAY-1"})
    services.dossier_receive(dossier=national, actor=world.reception, at=at(2026, 3, 2, 10))
    national.refresh_from_db()
    assert (national.fee_total, national.fee_paid_via) == (50000, "national")
    _refresh()
    stats = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=MARCH)
    assert (stats.dossiers_fee_obligation, stats.dossiers_paid_online, stats.procedures_paid_online) == (1, 1, 1)
