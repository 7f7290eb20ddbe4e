"""The survey listener runs in its own savepoints: a survey bug is logged and never undoes the hand-over;
the normal path creates exactly one invitation and one evaluation."""

import logging

import pytest
from django.db import connection

from dossiers.workflow import Status
from satisfaction import services
from satisfaction.models import DossierEvaluation, Invitation

pytestmark = pytest.mark.django_db


def test_returning_a_result_creates_one_invitation_and_one_evaluation(returned):
    d = returned()
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    assert Invitation.objects.filter(dossier=d).count() == 1
    assert DossierEvaluation.objects.filter(dossier=d).count() == 1


def test_a_failing_survey_is_logged_and_the_dossier_is_still_handed_over(returned, monkeypatch, caplog):
    def broken(**kwargs):
        with connection.cursor() as cursor:  # a database error: without a savepoint it aborts the hand-over
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(services, "invitation_create", broken)
    with caplog.at_level(logging.ERROR, logger="satisfaction.receivers"):
        d = returned()
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.events.filter(type="return_result").count() == 1
    assert not Invitation.objects.filter(dossier=d).exists()
    assert DossierEvaluation.objects.filter(dossier=d).count() == 1  # the other step still ran
    [record] = [r for r in caplog.records if r.name == "satisfaction.receivers"]
    message = record.getMessage()
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "survey invitation" in message and d.code in message


def test_a_failing_evaluation_keeps_the_invitation(returned, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("evaluation bug")

    monkeypatch.setattr(services, "evaluation_compute", broken)
    with caplog.at_level(logging.ERROR, logger="satisfaction.receivers"):
        d = returned()
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    assert Invitation.objects.filter(dossier=d).count() == 1 and not DossierEvaluation.objects.filter(dossier=d)
    assert any("dossier evaluation" in r.getMessage() for r in caplog.records)
