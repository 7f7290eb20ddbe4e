"""The feedback policy table: every role against a feedback in every state (ordinary and harassment), written
out here by hand from the rules (Decree 20/2008, Decision 766, the harassment routing) and checked against
`feedback.policies`, the queue's scope, the services (which raise on the policies) and the handling page
(which shows only the allowed actions)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.errors import Conflict
from feedback import policies
from feedback import services as service
from feedback.models import Feedback

from .conftest import at

pytestmark = pytest.mark.django_db
TEXT = "Cán bộ hẹn đến ba lần mà vẫn chưa giải quyết, đề nghị xem xét."

ROLES = {  # role -> the demo account holding it (Pleiku is the competent agency)
    "citizen": "an.nguyen@example.com",  # the sender
    "other_citizen": "binh.tran@example.com",
    "anonymous": None,
    "reception": "tiepnhan.pleiku@demo.gov.vn",
    "appraiser": "thamdinh.pleiku@demo.gov.vn",  # the officer a harassment report is about
    "approver": "lanhdao.pleiku@demo.gov.vn",  # also the head of Pleiku
    "admin": "admin.pleiku@demo.gov.vn",
    "home_affairs": "noivu@demo.gov.vn",  # Sở Nội vụ: the whole province
    "home_affairs_other_ward": "noivu.quynhon@demo.gov.vn",  # Quy Nhơn's: that ward only
    "other_approver": "lanhdao.quynhon@demo.gov.vn",
    "superuser": "admin@demo.gov.vn",
}
STAFF = {"reception", "appraiser", "approver", "admin", "home_affairs", "home_affairs_other_ward", "other_approver",
         "superuser"}
HANDLERS = {False: {"approver", "admin", "superuser"},  # head, administrators, approvers of the agency
            True: {"approver", "home_affairs", "superuser"}}  # harassment: the head and Home Affairs only
ACTIONS = ("accept", "reject", "request_info", "forward", "answer", "publish")
ALLOWED = {  # the state -> the handling actions that start from it
    "received": {"accept", "reject", "request_info", "forward"},
    "info_requested": {"reject"},
    "accepted": {"request_info", "forward", "answer"},
    "rejected": set(),
    "answered": {"publish"},
    "published": set(),
}


def _item(world, state: str, harassment: bool) -> Feedback:
    head = world.approver
    extra = ({"topic": "conduct", "harassment": True, "officer_name": world.appraiser.full_name} if harassment
             else {"topic": "regulation"})
    item = service.feedback_submit(actor=world.citizen, title="Thủ tục còn rườm rà", content=TEXT,
                                   agency=world.pleiku, at=at(2026, 3, 2, 9), **extra)
    if state == "info_requested":
        service.feedback_request_info(feedback=item, actor=head, question="Ông/Bà nộp hồ sơ ngày nào?",
                                      at=at(2026, 3, 3, 9))
    if state == "rejected":
        service.feedback_reject(feedback=item, actor=head, reason="Không thuộc phạm vi phản ánh.", at=at(2026, 3, 3, 9))
    if state in ("accepted", "answered", "published"):
        service.feedback_accept(feedback=item, actor=head, classification="rules", at=at(2026, 3, 3, 9))
    if state in ("answered", "published"):
        service.feedback_answer(feedback=item, actor=head, answer="Cơ quan đã rút gọn giấy tờ phải nộp.",
                                at=at(2026, 3, 5, 9))
    if state == "published":
        service.feedback_publish(feedback=item, actor=head, at=at(2026, 3, 6, 9))
    item = Feedback.objects.select_related("agency").get(pk=item.pk)
    assert item.status == state
    return item


@pytest.fixture
def table(world, demo):
    users = {role: (demo.user(email) if email else AnonymousUser()) for role, email in ROLES.items()}
    items = {(state, harassment): _item(world, state, harassment) for state in ALLOWED for harassment in (False, True)}
    assert items[("received", True)].officer == world.appraiser
    return users, items


def test_the_policy_table(table):
    users, items = table
    wrong = []
    for (state, harassment), item in items.items():
        for role, user in users.items():
            handles = role in HANDLERS[harassment]
            public = state == "published" and not harassment
            expected = {
                "handle": handles,
                **{action: handles and action in ALLOWED[state] for action in ACTIONS},
                "view": public or role == "citizen",
                "view with the key": True,
                "download the attachment": handles or role == "citizen",
                "open the queue": role in STAFF,
            }
            actual = {
                "handle": policies.can_handle(user, item),
                **{action: getattr(policies, f"can_{action}")(user, item) for action in ACTIONS},
                "view": policies.can_view(user, item),
                "view with the key": policies.can_view(user, item, item.access_key),
                "download the attachment": policies.can_download_attachment(user, item),
                "open the queue": policies.can_view_queue(user),
            }
            wrong += [(state, "harassment" if harassment else "ordinary", role, what, actual[what])
                      for what in expected if expected[what] != actual[what]]
    assert not wrong, "\n".join(map(str, wrong))


def test_the_sender_key_answers_a_request_and_nothing_else_does(table):
    _, items = table
    item = items[("info_requested", False)]
    assert policies.can_provide_info(item, item.access_key)
    assert not policies.can_provide_info(item, "") and not policies.can_provide_info(item, item.access_key[:-1] + "x")


def test_the_queue_lists_exactly_what_the_user_handles(table):
    """The list and the page can never disagree: the queue's filter is `can_handle` as a query."""
    users, items = table
    everything = Feedback.objects.all()
    for role in STAFF:
        user = users[role]
        listed = set(policies.handling_scope(user, everything).values_list("pk", flat=True))
        assert listed == {item.pk for item in items.values() if policies.can_handle(user, item)}, role


class _Undo(Exception):
    pass


def _outcome(call) -> str:
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return "done"
    except PermissionDenied:
        return "denied"
    except Conflict:
        return "wrong state"


def test_the_services_raise_on_the_policies(world, table):
    users, items = table
    kwargs = {"accept": {"classification": "rules"}, "reject": {"reason": "Không thuộc phạm vi phản ánh."},
              "request_info": {"question": "Ông/Bà nộp hồ sơ ngày nào?"}, "forward": {"agency": world.quynhon},
              "answer": {"answer": "Cơ quan đã rút gọn giấy tờ phải nộp."}, "publish": {}}
    wrong = []
    for (state, harassment), item in items.items():
        for role in ("citizen", "reception", "appraiser", "approver", "admin", "home_affairs", "superuser"):
            user = users[role]
            for action in ACTIONS:
                call = getattr(service, f"feedback_{action}")
                got = _outcome(lambda call=call, user=user, action=action, item=item: call(
                    feedback=item, actor=user, at=at(2026, 3, 9, 9), **kwargs[action]))
                expected = ("done" if policies.CHECKS[action](user, item)
                            else "wrong state" if policies.can_handle(user, item) else "denied")
                if got != expected:
                    wrong.append((state, harassment, role, action, got, expected))
    assert not wrong, "\n".join(map(str, wrong))


def test_the_handling_page_offers_exactly_the_allowed_actions(client, table):
    """Including forwarding an accepted feedback: the service always allowed it, the page did not offer it."""
    users, items = table
    client.force_login(users["approver"])
    for (state, harassment), item in items.items():
        page = client.get(f"/phan-anh/xu-ly/{item.pk}/").content.decode()
        offered = set(re.findall(r'name="do" value="([a-z_]+)"', page))
        assert offered == ALLOWED[state], (state, harassment)


def test_an_accepted_feedback_is_forwarded_from_the_page(world, client, table):
    users, items = table
    item = items[("accepted", False)]
    client.force_login(users["approver"])
    response = client.post(f"/phan-anh/xu-ly/{item.pk}/", {"do": "forward", "agency": world.quynhon.pk})
    assert response.status_code == 302 and response["Location"] == "/phan-anh/xu-ly/"
    item.refresh_from_db()
    assert (item.agency, item.status) == (world.quynhon, "received")
    assert item.events.filter(type="forwarded").exists()
