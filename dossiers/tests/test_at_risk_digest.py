"""The heads' morning digest of dossiers at risk (Celery beat 07:30, `manage.py risk_digest`): one e-mail and one
in-portal notice per head and day however often it runs, listing their agency's dossiers at risk (risk, reason,
appraiser, appointment, link); nothing for a head with nothing at risk; a bad date changes nothing."""

import datetime as dt

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.errors import DomainError
from dossiers.lateness.digest import risk_digest_send
from dossiers.tasks import risk_digest_task
from dossiers.workflow import Status
from notifications.models import EmailMessage, InboxItem
from portal.celery import app

from .at_risk_helper import REASON, risky
from .conftest import at

pytestmark = pytest.mark.django_db
S = Status
DAY = "2026-03-02"


@pytest.fixture(autouse=True)
def before_the_appointment():
    """The morning after the forecast was stored, before the dossiers' appointment (5/3): the digests of 2/3 and
    3/3 can both be sent, and the dossiers are still at risk, not late yet."""
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        yield


@pytest.fixture
def at_risk_in_pleiku(world):
    return {"high": risky(world, S.IN_APPRAISAL, 0.9), "mid": risky(world, S.AWAITING_APPROVAL, 0.61),
            "low": risky(world, S.IN_APPRAISAL, 0.2), "paused": risky(world, S.SUPPLEMENT_REQUESTED, 0.99)}


def _messages():
    return (list(EmailMessage.objects.filter(key__startswith="risk-digest:")),
            list(InboxItem.objects.filter(key__startswith="risk-digest:")))


def test_one_email_and_one_notice_per_head_per_day_even_run_twice(world, at_risk_in_pleiku,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = risk_digest_send(day=DAY)
    assert counts == {"heads": 1, "notices": 1, "emails": 1, "dossiers": 2}
    with django_capture_on_commit_callbacks(execute=True):
        again = risk_digest_send(day=DAY)
    assert (again["notices"], again["emails"]) == (0, 0)
    emails, notices = _messages()
    key = f"risk-digest:{world.approver.pk}:{DAY}"
    assert [(e.key, e.to, e.user_id) for e in emails] == [(key, world.approver.email, world.approver.pk)]
    assert [(n.key, n.user_id) for n in notices] == [(key, world.approver.pk)]
    assert notices[0].url == f"{reverse('dossiers:at_risk')}?agency={world.pleiku.code}"
    assert "02/03/2026" in notices[0].text and "2 hồ sơ" in notices[0].text and "90%" in notices[0].text
    # the next day is a new digest
    risk_digest_send(day="2026-03-03")
    assert len(_messages()[0]) == 2


def test_it_lists_the_right_dossiers_with_reason_appraiser_due_date_and_link(world, at_risk_in_pleiku):
    risk_digest_send(day=DAY)
    body = EmailMessage.objects.get().body_text
    high, mid = at_risk_in_pleiku["high"], at_risk_in_pleiku["mid"]
    assert body.index(high.code) < body.index(mid.code)  # highest risk first
    assert "90%" in body and "61%" in body and REASON in body
    assert world.appraiser.full_name in body and "17:00 05/03/2026" in body
    assert f"{settings.SITE_URL}{reverse('dossiers:detail', args=[high.pk])}" in body
    assert f"{settings.SITE_URL}{reverse('dossiers:at_risk')}?agency={world.pleiku.code}" in body
    for quiet in ("low", "paused"):
        assert at_risk_in_pleiku[quiet].code not in body


def test_no_message_to_a_head_with_nothing_at_risk(world, demo, at_risk_in_pleiku):
    risk_digest_send(day=DAY)
    quiet = [demo.user("lanhdao.quynhon@demo.gov.vn"), demo.user("lanhdao.congan@demo.gov.vn")]
    assert not EmailMessage.objects.filter(user__in=quiet).exists()
    assert not InboxItem.objects.filter(user__in=quiet).exists()


def test_nothing_at_risk_sends_nothing(world):
    risky(world, S.IN_APPRAISAL, 0.3)
    assert risk_digest_send(day=DAY) == {"heads": 0, "notices": 0, "emails": 0, "dossiers": 0}
    assert _messages() == ([], [])


def test_the_list_is_cut_at_the_limit_and_says_so(world, at_risk_in_pleiku, settings):
    settings.FORECAST_DIGEST_LIMIT = 1
    risk_digest_send(day=DAY)
    body = EmailMessage.objects.get().body_text
    assert at_risk_in_pleiku["high"].code in body and at_risk_in_pleiku["mid"].code not in body
    assert "1 hồ sơ đầu trong số 2 hồ sơ" in body


def test_a_bad_date_is_refused_in_vietnamese_and_changes_nothing(world, at_risk_in_pleiku):
    for bad, words in (("2026-13-45", "không hợp lệ"), ("hôm qua", "không hợp lệ"),
                       ((dt.date.today() + dt.timedelta(days=3)).isoformat(), "chưa đến")):
        with pytest.raises(CommandError) as refused:
            call_command("risk_digest", "--date", bad)
        assert words in str(refused.value)
        with pytest.raises(DomainError):
            risk_digest_task(bad)
    assert _messages() == ([], [])


def test_the_command_and_the_task_send_the_digest(world, at_risk_in_pleiku, capsys):
    call_command("risk_digest", "--date", DAY)
    assert "1 thủ trưởng" in capsys.readouterr().out
    risk_digest_task(DAY)
    assert len(_messages()[0]) == 1
    risk_digest_task()  # today
    assert len(_messages()[1]) == 2


def test_beat_runs_it_every_morning_in_vietnam_time():
    entry = settings.CELERY_BEAT_SCHEDULE["risk-digest"]
    assert entry["task"] == "dossiers.risk_digest" and entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=7, minute=30)
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
