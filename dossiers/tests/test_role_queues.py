"""Each staff role's menu entry opens its own queue of dossiers, and "Của tôi" is that role's own work."""

import re

import pytest
from django.urls import reverse

from dossiers.workflow import Status

from .transitions_helper import drive

pytestmark = pytest.mark.django_db

S = Status


@pytest.fixture
def dossiers(world):
    """One dossier in each state a queue cares about, all received / handled by Pleiku."""
    return {status: drive(world, status) for status in (S.SUBMITTED, S.RECEIVED, S.IN_APPRAISAL,
                                                        S.SUPPLEMENT_REQUESTED, S.AWAITING_APPROVAL,
                                                        S.RESULT_READY, S.RETURNED)}


# role -> (who, the states whose dossiers are in that role's "Của tôi")
MINE = {
    "reception": ("reception", {S.SUBMITTED, S.RECEIVED, S.RESULT_READY}),
    "appraiser": ("appraiser", {S.IN_APPRAISAL}),
    "approver": ("approver", {S.RECEIVED, S.AWAITING_APPROVAL}),
}


def _codes_listed(page: str, dossiers: dict) -> set[str]:
    table = page.split('data-testid="worklist"', 1)[1].split("</table>", 1)[0]
    return {status for status, d in dossiers.items() if f"/ho-so/{d.pk}/" in table}


@pytest.mark.parametrize("role", list(MINE))
def test_mine_is_the_roles_own_work(client, world, dossiers, role):
    who, expected = MINE[role]
    assert dossiers[S.RESULT_READY].assignee == world.appraiser  # the appraiser's name stays on it at the desk
    client.force_login(getattr(world, who))
    page = client.get(reverse("dossiers:worklist"), {"queue": "mine", "role": role}).content.decode()
    assert _codes_listed(page, dossiers) == expected
    # Without a role the same user's "mine" is the same (they hold one role).
    page = client.get(reverse("dossiers:worklist"), {"queue": "mine"}).content.decode()
    assert _codes_listed(page, dossiers) == expected


def test_appraiser_mine_holds_only_what_is_assigned_to_them(client, world, dossiers, demo):
    from accounts.models import Role, StaffRole, User

    colleague = User.objects.create_user(email="thamdinh2.pleiku@demo.gov.vn", password="x-Password-12",
                                         full_name="Lê Thẩm Hai")
    StaffRole.objects.create(user=colleague, agency=world.pleiku, role=Role.APPRAISER)
    client.force_login(colleague)
    page = client.get(reverse("dossiers:worklist"), {"queue": "mine", "role": "appraiser"}).content.decode()
    assert _codes_listed(page, dossiers) == set()
    # ... while the agency's list shows them all the open ones the appraisers handle.
    page = client.get(reverse("dossiers:worklist"), {"queue": "agency", "role": "appraiser"}).content.decode()
    assert S.IN_APPRAISAL in _codes_listed(page, dossiers) and S.RETURNED not in _codes_listed(page, dossiers)


@pytest.mark.parametrize("role", list(MINE))
def test_menu_entry_lands_on_the_roles_queue(client, world, dossiers, role):
    who, expected = MINE[role]
    client.force_login(getattr(world, who))
    home = client.get(reverse("home")).content.decode()
    href = re.search(rf'<a href="([^"]+)" data-nav="role:{role}"', home).group(1).replace("&amp;", "&")
    response = client.get(href)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="worklist"' in page
    assert _codes_listed(page, dossiers) == expected
    assert f'data-nav="role:{role}" class="active"' in page  # the entry is marked as the current page
    assert "sẽ hiển thị tại đây" not in page
    # The old workspace address of the role leads to the same queue.
    response = client.get(reverse("workspace:workspace", args=[role]))
    assert response.status_code == 302 and response["Location"] == href


def test_a_role_the_user_does_not_hold_is_refused(client, world):
    client.force_login(world.appraiser)
    assert client.get(reverse("dossiers:worklist"), {"role": "reception"}).status_code == 403
    assert client.get(reverse("dossiers:worklist"), {"role": "nonsense"}).status_code == 200  # ignored
