"""The Decision-766 satisfaction inputs on a hand-made month (March 2026, Pleiku)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dossiers import services as dossier_services
from feedback import services as fb
from feedback.models import Feedback
from satisfaction import services
from satisfaction.models import MonthlySatisfactionStats
from satisfaction.stats import monthly_satisfaction_refresh
from satisfaction.tasks import refresh_monthly_stats_task

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
HAPPY = {"access": 5, "procedure": 4, "officer": 5, "result": 4, "feedback": 4, "overall": 5}
TEXT = "Nội dung phản ánh đủ dài để được tiếp nhận và xử lý."


def _resolved(world, when_resolved):
    d = dossier_services.dossier_create_at_desk(actor=world.reception, version=world.household,
                                                agency=world.pleiku, at=at(2026, 3, 2, 9), **APPLICANT)
    d = dossier_services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                        at=at(2026, 3, 2, 9))
    d = dossier_services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=when_resolved)
    d = dossier_services.dossier_approve(dossier=d, actor=world.approver, at=when_resolved)
    return dossier_services.dossier_resolve(dossier=d, actor=world.appraiser, at=when_resolved)


def _feedback(world, when, **kwargs):
    return fb.feedback_submit(actor=None, topic="regulation", title="Phản ánh thử", content=TEXT, agency=world.pleiku,
                              name="Người dân", phone="0987654321", at=when, **kwargs)


@pytest.fixture
def march(world, returned):
    a, b = returned(), returned()  # returned on 4/3, early
    services.response_submit(invitation=a.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 9))
    services.response_submit(invitation=b.survey_invitation, values={**HAPPY, "overall": 2}, at=at(2026, 3, 5, 9))
    _resolved(world, at(2026, 3, 6, 9))  # C: after its due date (Thu 5/3) -> late
    d = _resolved(world, at(2026, 3, 3, 9))  # D: early, but a feedback is filed about it
    f1 = _feedback(world, at(2026, 3, 2, 9))
    fb.feedback_accept(feedback=f1, actor=world.approver, classification="rules", at=at(2026, 3, 3, 9))
    fb.feedback_answer(feedback=f1, actor=world.approver, answer="Đã sửa quy trình, bỏ bản sao.", at=at(2026, 3, 9, 9))
    fb.feedback_publish(feedback=f1, actor=world.approver, at=at(2026, 3, 10, 9))
    fb.feedback_vote(feedback=f1, voter="u:1", value=1)
    f2 = _feedback(world, at(2026, 3, 2, 9))
    fb.feedback_accept(feedback=f2, actor=world.approver, classification="rules", at=at(2026, 3, 5, 9))  # late
    f3 = _feedback(world, at(2026, 3, 2, 9))
    fb.feedback_accept(feedback=f3, actor=world.approver, classification="rules", at=at(2026, 3, 3, 9))
    fb.feedback_answer(feedback=f3, actor=world.approver, answer="Đã sửa quy trình, bỏ bản sao.", at=at(2026, 3, 9, 9))
    fb.feedback_publish(feedback=f3, actor=world.approver, at=at(2026, 3, 10, 9))
    fb.feedback_vote(feedback=f3, voter="u:1", value=-1)
    fb.feedback_vote(feedback=f3, voter="u:2", value=-1)
    _feedback(world, at(2026, 3, 30, 9))  # F4: pending, accept due 1/4 -> within its deadline at month end
    fb.feedback_submit(actor=None, topic="dossier", title="Về hồ sơ D", content=TEXT, dossier_code=d.code,
                       name="Người dân", phone="0987654321", at=at(2026, 3, 4, 9))  # F5: never accepted
    return world


def test_the_766_inputs_of_a_hand_made_month(march):
    assert Feedback.objects.count() == 5
    assert monthly_satisfaction_refresh(first=at(2026, 3, 1).date(), last=at(2026, 3, 1).date(),
                                        now=at(2026, 4, 2)) == 1
    row = MonthlySatisfactionStats.objects.get(agency=march.pleiku)
    got = {f: getattr(row, f) for f in ("invitations", "responses", "responses_satisfied", "petitions_total",
                                        "petitions_on_time", "petitions_received", "petitions_satisfied",
                                        "dossiers_handled", "dossiers_satisfied")}
    assert got == {"invitations": 2, "responses": 2, "responses_satisfied": 1,
                   "petitions_total": 5, "petitions_on_time": 3,  # F1, F3, F4
                   "petitions_received": 5, "petitions_satisfied": 2,  # F1, F4 (F3 disliked, F2 late, F5 late)
                   "dossiers_handled": 4, "dossiers_satisfied": 1}  # only A (B unhappy, C late, D complained)
    before = list(MonthlySatisfactionStats.objects.values(*got))
    monthly_satisfaction_refresh(first=at(2026, 3, 1).date(), last=at(2026, 3, 1).date(), now=at(2026, 4, 2))
    assert list(MonthlySatisfactionStats.objects.values(*got)) == before


def test_the_command_and_the_task(march):
    out = io.StringIO()
    call_command("refresh_satisfaction_stats", "--from", "2026-03", "--to", "2026-03", stdout=out)
    assert "03/2026" in out.getvalue() and MonthlySatisfactionStats.objects.count() == 1
    for bad in (["--from", "03/2026"], ["--from", "2026-04", "--to", "2026-03"], ["--to", "2099-01"]):
        with pytest.raises(CommandError):
            call_command("refresh_satisfaction_stats", *bad, stdout=io.StringIO())
    with pytest.raises(ValueError):
        refresh_monthly_stats_task.run(months_back=-1)
