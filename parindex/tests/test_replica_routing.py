"""The dashboards read from the read replica when the province runs one (core/db_router.py); every write and
every other page stays on the primary. The replica here is a second connection alias mirroring the test
database (committed data: transactional test)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import Agency
from core.db_router import StatisticsRouter, statistics_reads
from dossiers.models import MonthlyAgencyStats

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_without_a_replica_everything_stays_on_the_primary():
    with statistics_reads():
        assert Agency.objects.all().db == "default"
    assert StatisticsRouter().db_for_read(Agency) is None


@override_settings(READ_REPLICA_ALIAS="replica")
def test_statistics_reads_go_to_the_replica_and_writes_never_do():
    assert Agency.objects.all().db == "default"
    with statistics_reads():
        assert Agency.objects.all().db == "replica"
        assert MonthlyAgencyStats.objects.filter(pk=1).db == "replica"
        assert Agency.objects.select_for_update().db == "default"  # a locking read is a write
        assert Agency.objects.all()._db is None and Agency.objects.db_manager("default").all().db == "default"
    assert Agency.objects.all().db == "default"
    router = StatisticsRouter()
    assert router.allow_migrate("replica", "accounts") is False and router.allow_migrate("default", "accounts") is None


@override_settings(READ_REPLICA_ALIAS="replica")
def test_the_dashboard_pages_read_from_the_replica(client, demo):
    home_affairs = demo.user("noivu@demo.gov.vn")
    client.force_login(home_affairs)
    with CaptureQueriesContext(connections["replica"]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        page = client.get("/chi-so/")
    assert page.status_code == 200 and 'data-testid="ranking"' in page.content.decode()
    assert len(on_replica.captured_queries) > 0
    assert not any("chi_so" in q["sql"] or "snapshot" in q["sql"].lower() for q in on_primary.captured_queries)
    with CaptureQueriesContext(connections["replica"]) as other_page:
        assert client.get("/ho-so/can-xu-ly/").status_code in (200, 302, 403)
    assert other_page.captured_queries == []  # a page that is not a dashboard never reads the copy
