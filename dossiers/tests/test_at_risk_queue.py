"""The worklist's "Có nguy cơ trễ hẹn" queue: open dossiers whose clock runs with a stored forecast at or above
FORECAST_RISK_THRESHOLD, the user's own agencies only, highest risk first, paged by (risk, id)."""

import pytest
from django.urls import reverse

from dossiers import selectors
from dossiers.models import Dossier
from dossiers.views import _cursor
from dossiers.workflow import Status

from .at_risk_helper import (
    REASON,
    before_the_appointment,  # noqa: F401 - the tests' clock (autouse)
    risky,
)

pytestmark = pytest.mark.django_db
S = Status


def _queue(user, **kwargs) -> list[int]:
    return [d.pk for d in selectors.worklist(user, queue="at_risk", **kwargs)]


@pytest.fixture
def spread(world):
    """Open dossiers of Pleiku at several risks, one paused and one whose result waits at the desk."""
    return {
        "high": risky(world, S.IN_APPRAISAL, 0.91),
        "mid": risky(world, S.AWAITING_APPROVAL, 0.6),
        "edge": risky(world, S.RECEIVED, 0.5),
        "low": risky(world, S.IN_APPRAISAL, 0.3),
        "unknown": risky(world, S.IN_APPRAISAL, None),
        "paused": risky(world, S.SUPPLEMENT_REQUESTED, 0.97),
        "at_desk": risky(world, S.RESULT_READY, 0.99),
    }


def test_lists_the_dossiers_at_risk_highest_first(world, spread):
    expected = [spread["high"].pk, spread["mid"].pk, spread["edge"].pk]
    assert _queue(world.approver) == expected
    assert _queue(world.reception) == expected  # the desk of the competent agency sees them too
    assert _queue(world.approver, role="approver") == expected


def test_a_paused_dossier_or_a_result_at_the_desk_is_not_at_risk(world, spread):
    listed = set(_queue(world.approver))
    assert spread["paused"].pk not in listed and spread["at_desk"].pk not in listed
    assert spread["low"].pk not in listed and spread["unknown"].pk not in listed


def test_officers_of_another_agency_do_not_see_them(client, world, spread, demo):
    assert _queue(world.other_reception) == []
    assert _queue(demo.user("lanhdao.quynhon@demo.gov.vn")) == []
    client.force_login(world.other_reception)
    page = client.get(reverse("dossiers:worklist"), {"queue": "at_risk"}).content.decode()
    assert spread["high"].code not in page and "91%" not in page


def test_the_threshold_is_the_setting(world, spread, settings):
    settings.FORECAST_RISK_THRESHOLD = 0.7
    assert _queue(world.approver) == [spread["high"].pk]
    settings.FORECAST_RISK_THRESHOLD = 0.25
    assert _queue(world.approver)[-1] == spread["low"].pk


def test_keyset_paging_follows_risk_then_id(world):
    a, b, c = (risky(world, S.IN_APPRAISAL, 0.8) for _ in range(3))
    top = risky(world, S.IN_APPRAISAL, 0.95)
    first = selectors.worklist(world.approver, queue="at_risk", limit=2)
    assert [d.pk for d in first] == [top.pk, a.pk]  # equal risks by id
    rest = _queue(world.approver, after=(first[-1].risk, first[-1].pk), limit=2)
    assert rest == [b.pk, c.pk]
    assert _queue(world.approver, after=(0.8, c.pk)) == []


def test_the_other_queues_keep_their_due_date_order(world, spread):
    Dossier.objects.filter(pk=spread["low"].pk).update(due_at=spread["high"].due_at.replace(year=2025))
    agency = [d.pk for d in selectors.worklist(world.approver, queue="agency")]
    assert agency[0] == spread["low"].pk  # the earliest appointment first, whatever its risk


def test_the_cursor_of_each_order(world):
    assert _cursor("0.8125|42", by_risk=True) == (0.8125, 42)
    assert _cursor(f"{0.1 + 0.2!r}|7", by_risk=True) == (0.1 + 0.2, 7)  # repr round-trips the stored float
    for bad in ("nan|3", "inf|3", "abc|3", "0.5|-1", "0.5|x", "0.5"):
        assert _cursor(bad, by_risk=True) is None, bad
    assert _cursor("2026-03-05T10:00:00+00:00|3", by_risk=False)[1] == 3
    assert _cursor("0.5|3", by_risk=False) is None


def test_the_page_shows_the_tab_the_percentage_and_the_reason(client, world, spread):
    client.force_login(world.approver)
    page = client.get(reverse("dossiers:worklist"), {"queue": "agency"}).content.decode()
    assert 'data-testid="queue-at_risk"' in page and "Có nguy cơ trễ hẹn" in page
    assert 'data-testid="risk"' not in page  # the column is the at-risk queue's own
    page = client.get(reverse("dossiers:worklist"), {"queue": "at_risk"}).content.decode()
    table = page.split('data-testid="worklist"', 1)[1].split("</table>", 1)[0]
    assert table.index(spread["high"].code) < table.index(spread["mid"].code) < table.index(spread["edge"].code)
    assert "91%" in table and "60%" in table and REASON in table
    assert spread["low"].code not in table and spread["paused"].code not in table


def test_a_dossier_already_past_its_appointment_is_late_not_at_risk(world):
    """Found in the walk-through: overdue dossiers at 100 % buried the few that can still be saved."""
    import datetime as dt

    from django.utils import timezone

    saveable = risky(world, Status.IN_APPRAISAL, 0.77)
    late = risky(world, Status.IN_APPRAISAL, 1.0)
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    listed = selectors.worklist(world.approver, queue="at_risk")
    assert [d.pk for d in listed] == [saveable.pk]
    assert late.pk in [d.pk for d in selectors.worklist(world.approver, queue="overdue")]
