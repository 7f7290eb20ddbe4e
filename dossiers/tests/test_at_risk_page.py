"""The head's page of dossiers at risk: the list (risk, reason), the appraisers' workload beside it (dossiers held
in the appraisal step and the working hours still allotted to that step), the least loaded appraiser
pre-selected, the apology letter drafted early from a row; the dossier page's forecast panel."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.lateness import letters, workload
from dossiers.models import ApologyLetter, Dossier, EventType, LetterStatus
from dossiers.workflow import Status

from .at_risk_helper import (
    REASON,
    before_the_appointment,  # noqa: F401 - the tests' clock (autouse)
    colleague,
    risky,
)
from .conftest import at
from .transitions_helper import drive

pytestmark = pytest.mark.django_db
S = Status


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dossiers:at_risk"), params)


def test_the_head_sees_the_risk_the_reason_and_the_workload(client, world):
    high = risky(world, S.IN_APPRAISAL, 0.734)
    waiting = risky(world, S.RECEIVED, 0.55)
    risky(world, S.IN_APPRAISAL, 0.2)  # below the threshold
    other = colleague(world)
    response = _page(client, world.approver)
    assert response.status_code == 200
    page = response.content.decode()
    rows = page.split('data-testid="at-risk-list"', 1)[1].split("</section>", 1)[0]
    assert rows.index(high.code) < rows.index(waiting.code) and rows.count('data-testid="at-risk-row"') == 2
    assert "73%" in rows and "55%" in rows and REASON in rows
    # the least loaded appraiser (the colleague holds nothing) is pre-selected in the row of the held dossier
    form = rows.split(f'id="hs-{high.pk}"', 1)[1].split("</form>", 1)[0]
    assert re.search(rf'<option value="{other.pk}" selected>', form)
    assert f'<option value="{world.appraiser.pk}"' not in form  # the holder is not offered
    assert 'name="expected_assignee" value="%s"' % world.appraiser.pk in form
    workload = page.split('data-testid="workload"', 1)[1]
    assert workload.index(other.full_name) < workload.index(world.appraiser.full_name)


def test_the_workload_counts_the_dossiers_and_the_hours_left_of_the_appraisal_step(world):
    a, b = drive(world, S.IN_APPRAISAL), drive(world, S.IN_APPRAISAL)  # appraisal step due Tue 3/3 16:00
    no_deadline = drive(world, S.IN_APPRAISAL)
    Dossier.objects.filter(pk=no_deadline.pk).update(step_due_at=None)  # the full allotment: 12 h
    late = drive(world, S.IN_APPRAISAL)
    Dossier.objects.filter(pk=late.pk).update(step_due_at=at(2026, 3, 2, 12))
    drive(world, S.AWAITING_APPROVAL)  # the approval step: not the appraiser's load any more
    idle = colleague(world)
    loads = workload.appraiser_workload(world.pleiku, now=at(2026, 3, 2, 13, 30))
    assert [load.user for load in loads] == [idle, world.appraiser]  # least loaded first
    assert (loads[0].count, loads[0].hours, loads[0].late) == (0, 0.0, 0)
    busy = loads[1]
    # Mon 13:30 -> Tue 16:00 is 3.5 + 4.5 + 2.5 = 10.5 office hours, twice; 12 h; 0 h for the step past its deadline
    assert (busy.count, busy.hours, busy.late) == (4, 33.0, 1)
    assert sorted(busy.dossiers) == sorted([a.pk, b.pk, no_deadline.pk, late.pk])
    assert workload.appraiser_workload(world.quynhon, now=at(2026, 3, 2, 13, 30))[0].count == 0


def test_a_citizen_or_an_appraiser_may_not_open_it(client, world):
    risky(world, S.IN_APPRAISAL, 0.9)
    for user in (world.citizen, world.appraiser):
        response = _page(client, user)
        assert response.status_code == 403
        assert "thủ trưởng, lãnh đạo" in response.content.decode()
    client.logout()
    assert client.get(reverse("dossiers:at_risk")).status_code == 302  # to the login page


def test_another_agency_head_sees_only_their_own(client, world, demo):
    d = risky(world, S.IN_APPRAISAL, 0.9)
    page = _page(client, demo.user("lanhdao.quynhon@demo.gov.vn"), agency=world.pleiku.code).content.decode()
    assert world.quynhon.name in page and d.code not in page


def test_the_page_reads_a_bounded_number_of_queries(client, world):
    colleague(world)
    risky(world, S.IN_APPRAISAL, 0.9)
    client.force_login(world.approver)
    client.get(reverse("dossiers:at_risk"))  # warm the caches (rules in force, sessions)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dossiers:at_risk"))
    for risk in (0.8, 0.7, 0.6):
        risky(world, S.IN_APPRAISAL, risk)
    risky(world, S.AWAITING_APPROVAL, 0.65)
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("dossiers:at_risk")).content.decode()
    assert page.count('data-testid="at-risk-row"') == 5
    assert len(five) == len(one)


def test_the_apology_letter_is_drafted_early_from_the_list(client, world):
    d = risky(world, S.IN_APPRAISAL, 0.8)
    page = _page(client, world.approver).content.decode()
    form = page.split(f'id="hs-{d.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="early-apology-form"' in form and 'name="trigger" value="risk"' in form
    once = re.search(r'data-once-key="([^"]+)"', form).group(1)
    response = client.post(reverse("dossiers:apology_draft", args=[d.pk]),
                           {"trigger": "risk", "reason_kind": "complex", "reason_text": "", "once_key": once})
    assert response.status_code == 302
    letter = ApologyLetter.objects.get(dossier=d)
    assert (letter.status, letter.trigger, letter.auto, letter.drafted_by) == (LetterStatus.DRAFT, "risk", False,
                                                                                world.approver)
    d.refresh_from_db()
    # the proposed date is the existing rule's (the rest of the step allotments), at the moment of drafting
    assert letter.proposed_due_at == letters.proposal(d, letter.drafted_at)[1] and letter.proposed_due_at
    assert d.events.filter(type=EventType.APOLOGY_DRAFTED, actor=world.approver).count() == 1
    page = _page(client, world.approver).content.decode()
    row = page.split(f'id="hs-{d.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="apology-draft-link"' in row and "early-apology-form" not in row
    detail = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "lập sớm theo dự báo trễ hẹn" in detail


def test_an_early_draft_is_refused_once_the_dossier_is_no_longer_at_risk(client, world):
    d = risky(world, S.IN_APPRAISAL, 0.8)
    page = _page(client, world.approver).content.decode()
    once = re.search(r'data-once-key="([^"]+)"', page.split(f'id="hs-{d.pk}"', 1)[1]).group(1)
    Dossier.objects.filter(pk=d.pk).update(risk=0.1)  # the next sweep lowered the forecast
    response = client.post(reverse("dossiers:apology_draft", args=[d.pk]),
                           {"trigger": "risk", "reason_kind": "complex", "once_key": once}, follow=True)
    assert "không còn trong danh sách có nguy cơ trễ hẹn" in response.content.decode()
    assert not ApologyLetter.objects.filter(dossier=d).exists()
    assert not d.events.filter(type=EventType.APOLOGY_DRAFTED).exists()


def test_the_dossier_page_shows_the_forecast_to_staff_only(client, world):
    d = risky(world, S.IN_APPRAISAL, 0.734)
    client.force_login(world.approver)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    panel = page.split('data-testid="risk-panel"', 1)[1].split("</section>", 1)[0]
    assert "73%" in panel and REASON in panel and f"?agency={world.pleiku.code}#hs-{d.pk}" in panel
    assert 'name="trigger" value="risk"' in page  # the dossier page's own draft form drafts early too
    client.force_login(world.appraiser)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="risk-panel"' in page and 'data-testid="at-risk-link"' not in page  # not their desk
    Dossier.objects.filter(pk=d.pk).update(risk=0.2)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "20%" in page and 'name="trigger" value="risk"' not in page


def test_the_citizen_does_not_see_the_forecast(client, world):
    from dossiers import services

    from .transitions_helper import online_submitted

    d = online_submitted(world)
    d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 9))
    Dossier.objects.filter(pk=d.pk).update(risk=0.9, risk_reason=REASON)
    client.force_login(world.citizen)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="risk-panel"' not in page and REASON not in page and "90%" not in page


def test_the_leaders_menu_links_the_page(client, world):
    client.force_login(world.approver)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dossiers:at_risk")}" data-nav="at-risk"' in home
    client.force_login(world.appraiser)
    assert 'data-nav="at-risk"' not in client.get(reverse("home")).content.decode()
    client.force_login(world.approver)
    worklist = client.get(reverse("dossiers:worklist")).content.decode()
    assert 'data-testid="at-risk-link"' in worklist


def test_a_head_opens_the_page_of_the_agency_they_head_among_those_they_see(client, world, demo):
    from dossiers import policies

    d = risky(world, S.IN_APPRAISAL, 0.9)
    world.pleiku.head = world.reception  # a head who is the desk officer, not an approver
    world.pleiku.save(update_fields=["head"])
    assert policies.risk_desk_agency_ids(world.reception) == {world.pleiku.pk}
    assert d.code in _page(client, world.reception).content.decode()
    outsider = demo.user("tiepnhan.quynhon@demo.gov.vn")  # heads Pleiku on paper, sees only Quy Nhơn
    world.pleiku.head = outsider
    world.pleiku.save(update_fields=["head"])
    assert policies.risk_desk_agency_ids(outsider) == frozenset()
    assert _page(client, outsider).status_code == 403
