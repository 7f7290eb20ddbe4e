"""The feedback page states the answer deadline of the rules in force (regulations), not a number in the
template: a new version of the rules changes what the page promises from its first day."""

import datetime as dt

import pytest
import time_machine

from regulations.models import RuleSet
from workcalendar.calendar import TZ

pytestmark = pytest.mark.django_db


def _new_version(effective_from, **changes) -> RuleSet:
    current = RuleSet.objects.order_by("-effective_from").first()
    fields = {f.name: getattr(current, f.name) for f in RuleSet._meta.concrete_fields
              if f.name not in ("id", "created_at")}
    version = RuleSet(**{**fields, "effective_from": effective_from, **changes})
    version.full_clean()
    version.save()
    return version


def test_the_page_promises_the_answer_deadline_in_force(client):
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=TZ), tick=False):
        page = client.get("/phan-anh/").content.decode()
        assert "Cơ quan trả lời trong 15 ngày làm việc." in page
        _new_version(dt.date(2026, 3, 11), feedback_answer_days=10)
        assert "trong 15 ngày làm việc" in client.get("/phan-anh/").content.decode()  # not yet in force
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=TZ), tick=False):
        page = client.get("/phan-anh/").content.decode()
        assert "Cơ quan trả lời trong 10 ngày làm việc." in page and "15 ngày" not in page
