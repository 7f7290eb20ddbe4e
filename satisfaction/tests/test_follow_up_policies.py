"""Who reads and who answers an unhappy survey answer (satisfaction.policies): the agency's leaders answer;
the Home Affairs officers whose scope covers the agency read it; nobody else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from satisfaction import policies, selectors, services
from satisfaction.models import FollowUp

from .conftest import at

pytestmark = pytest.mark.django_db
HAPPY = {"access": 5, "procedure": 4, "officer": 5, "result": 4, "feedback": 4, "overall": 5}


@pytest.fixture
def follow_up(world, returned):
    d = returned()
    services.response_submit(invitation=d.survey_invitation, values={**HAPPY, "overall": 2}, at=at(2026, 3, 5, 10))
    return FollowUp.objects.get()


def test_the_table(world, demo, follow_up):
    superuser = demo.user("admin@demo.gov.vn")
    readers_and_answerers = {  # person: (reads it, answers it)
        "lanhdao.pleiku@demo.gov.vn": (True, True),  # the head of the agency rated
        "admin.pleiku@demo.gov.vn": (True, True),
        "noivu@demo.gov.vn": (True, False),  # Home Affairs of the province: reads
        "noivu.quynhon@demo.gov.vn": (False, False),  # Home Affairs of another ward
        "lanhdao.quynhon@demo.gov.vn": (False, False),
        "tiepnhan.pleiku@demo.gov.vn": (False, False),  # the desk (and here the officer rated)
        "thamdinh.pleiku@demo.gov.vn": (False, False),
        "an.nguyen@example.com": (False, False),
    }
    for email, (reads, answers) in readers_and_answerers.items():
        user = demo.user(email)
        assert selectors.follow_ups(user).filter(pk=follow_up.pk).exists() is reads, email
        assert policies.can_close_follow_up(user, follow_up) is answers, email
    assert selectors.follow_ups(superuser).filter(pk=follow_up.pk).exists()
    assert policies.can_close_follow_up(superuser, follow_up)


def test_home_affairs_reads_the_follow_up_without_a_reply_form(client, world, demo, follow_up):
    """Behaviour change (#16): the page offered Home Affairs a reply form that `follow_up_close` refuses; the
    form is now shown to whom the service lets answer (`policies.can_close_follow_up`)."""
    officer = demo.user("noivu@demo.gov.vn")
    with pytest.raises(PermissionDenied):
        services.follow_up_close(follow_up=follow_up, actor=officer, reply="Sở Nội vụ đã ghi nhận ý kiến.")
    client.force_login(officer)
    html = client.get("/danh-gia/chua-hai-long/").content.decode()
    code = follow_up.response.invitation.dossier.code
    assert code in html and 'data-testid="follow-up-reply"' not in html
    client.force_login(world.approver)
    html = client.get("/danh-gia/chua-hai-long/").content.decode()
    assert code in html and 'data-testid="follow-up-reply"' in html
