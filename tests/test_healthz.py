from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_503_names_the_database_when_it_is_down(client):
    with mock.patch("portal.health.connection") as conn:
        conn.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["cache"] == "ok" and body["checks"]["broker"] == "ok"


def test_healthz_503_against_a_real_unreachable_database(client, settings):
    """Not a mock: a connection to a closed port really fails."""
    from django.db import connections

    alias = "default"
    original = connections[alias].settings_dict.copy()
    connections[alias].close()
    try:
        connections[alias].settings_dict.update({"PORT": "1", "HOST": "127.0.0.1"})
        with mock.patch("portal.health.connection", connections[alias]):
            connections[alias].close()
            response = client.get("/healthz")
    finally:
        connections[alias].close()
        connections[alias].settings_dict.clear()
        connections[alias].settings_dict.update(original)
    assert response.status_code == 503
    assert "database" in response.json()["failed"]


def test_healthz_503_when_the_broker_is_unreachable(client):
    from portal.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


def test_healthz_503_when_the_cache_fails(client):
    with mock.patch("portal.health.cache") as cache:
        cache.get.return_value = None
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_healthz_reports_the_age_of_the_last_beat(client):
    from django.core.cache import cache
    from django.utils import timezone

    from portal.celery import HEARTBEAT_CACHE_KEY

    cache.set(HEARTBEAT_CACHE_KEY, (timezone.now() - timezone.timedelta(seconds=90)).isoformat())
    body = client.get("/healthz").json()
    assert 89 <= body["celery_heartbeat_age_seconds"] <= 95
