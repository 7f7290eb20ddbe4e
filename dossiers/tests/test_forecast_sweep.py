"""The deadline sweep stores the risk forecast: a probability and a reason on running dossiers, nothing on
dossiers waiting for the citizen or with the result at the desk, 1.0 past the appointment; idempotent."""

import datetime as dt

import pytest

from accounts.models import Role, StaffRole, User
from dossiers import services
from dossiers.lateness import risk
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status

from .conftest import APPLICANT, at
from .forecast_helper import history

pytestmark = pytest.mark.django_db


def _received(world, when):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)


def test_the_sweep_stores_risk_reason_and_time(world):
    running = _received(world, at(2026, 3, 2, 10))  # 3 working days: due Thu 5/3 17:00
    late = _received(world, at(2026, 2, 23, 10))  # due Thu 26/2 17:00
    paused = history(version=world.household, agency=world.pleiku, received=at(2026, 3, 2, 9), appraisal=2,
                     interrupt=Status.SUPPLEMENT_REQUESTED)
    ready = history(version=world.household, agency=world.pleiku, received=at(2026, 2, 27, 9), appraisal=4)
    Dossier.objects.filter(pk__in=[paused.pk, ready.pk]).update(risk=0.4, risk_reason="cũ", risk_at=at(2026, 3, 2))
    now = at(2026, 3, 3, 9)
    counts = sweep_deadlines(now=now)
    assert counts["risk"] == 4
    running.refresh_from_db()
    assert 0 <= running.risk <= 1 and running.risk_at == now
    # no history yet: the allotment is the prior; appraisal is the step that costs most
    assert running.risk_reason.startswith("Bước thẩm định tại UBND phường Pleiku thường mất")
    assert "đến hẹn trả" in running.risk_reason and len(running.risk_reason) <= 300
    late.refresh_from_db()
    assert (late.risk, late.risk_reason, late.risk_at) == (1.0, "Đã quá hạn hẹn trả", now)
    for d in (paused, ready):
        d.refresh_from_db()
        assert (d.risk, d.risk_reason, d.risk_at) == (None, "", None)
    events = DossierEvent.objects.count()
    again = sweep_deadlines(now=now)
    assert again["risk"] == 0 and DossierEvent.objects.count() == events
    running.refresh_from_db()
    assert running.risk_at == now


def test_a_stuck_dossier_grows_more_at_risk_sweep_after_sweep(world, settings):
    settings.FORECAST_MIN_SAMPLES = 5
    for k in range(6):  # appraisal of this procedure at Pleiku: 22 to 32 of the 12 allotted hours
        history(version=world.household, agency=world.pleiku, received=at(2026, 1, 5 + k, 9), appraisal=22 + 2 * k)
    risk.forecast_refresh()
    d = _received(world, at(2026, 3, 2, 8))  # due Thu 5/3 17:00, nothing moves
    seen = []
    for day, hour in ((2, 14), (3, 9), (3, 15), (4, 10), (5, 9)):
        sweep_deadlines(now=at(2026, 3, day, hour))
        d.refresh_from_db()
        seen.append(d.risk)
    # about even at first (the step usually takes what is left), then more and more likely late
    assert seen == sorted(seen) and seen[0] < 0.5 < seen[-1] and seen[-1] > seen[0] + 0.1
    assert "thường mất 3,5 ngày làm việc" in d.risk_reason  # median 27 h of 8-hour days
    # within FORECAST_MAX_AGE_SECONDS a sweep does not recompute
    before = d.risk_at
    assert sweep_deadlines(now=at(2026, 3, 5, 9, 10))["risk"] == 0
    d.refresh_from_db()
    assert d.risk_at == before


def test_a_heavier_queue_is_not_less_at_risk(world):
    busy = world.appraiser
    calm = User.objects.create_user("thamdinh2.pleiku@example.com", "x", full_name="Chuyên viên Hai")
    StaffRole.objects.create(user=calm, agency=world.pleiku, role=Role.APPRAISER)
    received = at(2026, 3, 2, 9)
    piles = [history(version=world.household, agency=world.pleiku, received=received, appraisal=30, assignee=busy,
                     stop_at=Status.IN_APPRAISAL) for _ in range(7)]
    alone = history(version=world.household, agency=world.pleiku, received=received, appraisal=30, assignee=calm,
                    stop_at=Status.IN_APPRAISAL)
    sweep_deadlines(now=at(2026, 3, 3, 10))
    mine, other = Dossier.objects.get(pk=piles[0].pk), Dossier.objects.get(pk=alone.pk)
    assert mine.risk > other.risk
    assert "cán bộ xử lý đang giữ 7 hồ sơ ở bước này" in mine.risk_reason
    assert "đang giữ" not in other.risk_reason


def test_a_new_appointment_further_away_lowers_the_risk(world):
    d = _received(world, at(2026, 3, 2, 10))
    sweep_deadlines(now=at(2026, 3, 4, 9))
    d.refresh_from_db()
    first = d.risk
    Dossier.objects.filter(pk=d.pk).update(due_at=d.due_at + dt.timedelta(days=7), risk_at=None)
    sweep_deadlines(now=at(2026, 3, 4, 9))
    d.refresh_from_db()
    assert d.risk < first


def test_sweep_arguments_are_checked_in_vietnamese(db):
    with pytest.raises(ValueError, match="batch phải là số nguyên dương"):
        sweep_deadlines(batch=0)
    with pytest.raises(ValueError, match="budget phải là số giây không âm"):
        sweep_deadlines(budget=-1)


def test_a_transition_marks_the_forecast_stale_and_clears_it_when_the_clock_stops(world):
    from dossiers import services as dossier_services
    from dossiers.tests.conftest import at
    from dossiers.tests.transitions_helper import drive

    d = drive(world, "in_appraisal")
    Dossier.objects.filter(pk=d.pk).update(risk=0.8, risk_reason="x", risk_at=at(2026, 3, 3, 9))
    d.refresh_from_db()
    d = dossier_services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 10))
    d.refresh_from_db()
    assert d.risk == 0.8 and d.risk_at is None  # still shown, computed again by the next sweep
    d = dossier_services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 3, 11))
    d = dossier_services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 3, 12))
    d.refresh_from_db()
    assert d.status == "result_ready" and d.risk is None and d.risk_reason == ""
