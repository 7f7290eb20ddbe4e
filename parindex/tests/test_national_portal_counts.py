"""A dossier filed on the national portal reaches the portal's Decision-766 inputs: an online submission, a
dossier synced, a dossier paid online (on the national portal's payment platform), and the drill-down of the
online payments lists it."""

import datetime as dt

import pytest
import time_machine

from dossiers import services
from dossiers.stats import monthly_stats_refresh
from dossiers.tests.conftest import APPLICANT, at
from nationalportal import intake, mapping, sync
from nationalportal.stats import monthly_sync_refresh
from nationalportal.tests.test_intake import request_body
from parindex import selectors
from parindex.metrics import period_values, snapshots_refresh
from parindex.portal766 import counts_from_metrics

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


class Delivered:
    def send(self, data):
        pass


def test_the_766_inputs_count_a_national_portal_dossier(world, settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"
    settings.SYNC_SECRET = "bi-mat"
    mapping.map_version(world.household)
    with time_machine.travel(at(2026, 3, 2, 8), tick=False):
        national = intake.intake(request_body(world.household, code="G22.99-260302-0009",
                                              fees={"paid": 50000, "reference": "PAY-9"})).record.dossier
    services.dossier_receive(dossier=national, actor=world.reception, at=at(2026, 3, 2, 10))
    walk_in = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                              at=at(2026, 3, 2, 11), **APPLICANT)
    sync.push(adapter=Delivered(), now=at(2026, 3, 2, 12))
    monthly_stats_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    monthly_sync_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    counts = counts_from_metrics(period_values(first=MARCH, last=MARCH, agency_ids=[world.pleiku.pk])[world.pleiku.pk])
    assert (counts["dossiers_submitted_online"], counts["dossiers_total_by_channel"]) == (1, 2)
    assert (counts["dossiers_synced"], counts["dossiers_to_sync"]) == (2, 2)
    assert (counts["dossiers_paid_online"], counts["dossiers_with_financial_obligation"]) == (1, 2)
    assert counts["tthc_with_online_payment"] == 1
    behind = selectors.dossiers_behind("paid_online", [world.pleiku.pk], MARCH, MARCH, now=at(2026, 4, 2))
    assert list(behind) == [national] and walk_in not in behind
