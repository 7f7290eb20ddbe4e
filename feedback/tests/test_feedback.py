"""Citizen feedback (PAKN): filing (with and without an account), the deadlines across a holiday,
the handling workflow, harassment routing, votes, bad input and the rate limit."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from feedback import policies
from feedback import services as service
from feedback.models import Feedback, FeedbackStatus
from notifications.models import InboxItem

from .conftest import at

pytestmark = pytest.mark.django_db
TEXT = "Cán bộ hẹn đến ba lần mà vẫn chưa giải quyết, đề nghị xem xét."


def _file(world, when, **kwargs):
    defaults = {"actor": None, "topic": "regulation", "title": "Thủ tục còn rườm rà", "content": TEXT,
                "agency": world.pleiku, "name": "Trần Thị Bình", "phone": "0987654321", "at": when}
    return service.feedback_submit(**{**defaults, **kwargs})


def test_deadlines_skip_tet_and_the_weekend(world):
    item = _file(world, at(2026, 2, 12, 10))  # Thursday before Tết (16-20/2)
    assert item.accept_due == at(2026, 2, 23, 17)  # 13/2, then 23/2
    assert item.info_due == at(2026, 2, 26, 17)
    assert item.answer_due == at(2026, 3, 12, 17)  # 15 working days
    assert item.code.startswith("PA-260212-") and len(item.access_key) == 32


def test_the_whole_workflow_on_time_and_the_vote(world, client):
    item = _file(world, at(2026, 3, 2, 9))
    head = world.pleiku.head
    assert InboxItem.objects.filter(user=head, key=f"feedback:{item.pk}:{head.pk}").exists()
    service.feedback_accept(feedback=item, actor=world.approver, classification="rules", at=at(2026, 3, 3, 9))
    service.feedback_request_info(feedback=item, actor=world.approver, question="Ông/Bà nộp hồ sơ ngày nào?",
                                  at=at(2026, 3, 4, 9))
    with pytest.raises(PermissionDenied):
        service.feedback_provide_info(feedback=item, key="sai", text="Ngày 1/3")
    service.feedback_provide_info(feedback=item, key=item.access_key, text="Ngày 1/3/2026", at=at(2026, 3, 5, 9))
    item.refresh_from_db()
    assert item.status == FeedbackStatus.ACCEPTED
    service.feedback_answer(feedback=item, actor=world.approver, answer="Cơ quan đã rút gọn giấy tờ phải nộp.",
                            at=at(2026, 3, 10, 9))
    service.feedback_publish(feedback=item, actor=world.approver, at=at(2026, 3, 11, 9))
    item.refresh_from_db()
    assert (item.status, item.late) == (FeedbackStatus.PUBLISHED, False)
    assert service.on_time(item, at(2026, 4, 1))
    page = client.get(f"/phan-anh/{item.code}/").content.decode()  # published: public, no personal data
    assert "rút gọn giấy tờ" in page and "0987654321" not in page
    client.post(f"/phan-anh/{item.code}/", {"do": "vote", "value": "-1"})
    client.post(f"/phan-anh/{item.code}/", {"do": "vote", "value": "-1"})  # the same person again: no change
    item.refresh_from_db()
    assert (item.likes, item.dislikes) == (0, 1) and item.disliked
    client.post(f"/phan-anh/{item.code}/", {"do": "vote", "value": "1"})  # changed their mind
    item.refresh_from_db()
    assert (item.likes, item.dislikes) == (1, 0)


def test_acting_after_a_deadline_marks_it_late(world):
    item = _file(world, at(2026, 3, 2, 9))  # accept due Wed 4/3
    service.feedback_accept(feedback=item, actor=world.approver, classification="rules", at=at(2026, 3, 5, 9))
    item.refresh_from_db()
    assert item.late and not service.on_time(item, at(2026, 3, 5, 10))
    pending = _file(world, at(2026, 3, 2, 9))
    assert service.on_time(pending, at(2026, 3, 4, 16)) and not service.on_time(pending, at(2026, 3, 5, 8))


def test_harassment_goes_to_the_head_and_home_affairs_never_to_the_officer(world, demo, client, returned):
    d = returned()
    item = _file(world, at(2026, 3, 5, 9), topic="conduct", harassment=True, dossier_code=d.code, agency=None,
                 officer_name=world.appraiser.full_name, title="Cán bộ đòi bồi dưỡng")
    assert item.officer == world.appraiser and item.agency == world.pleiku and item.classification == "servants"
    home_affairs, other_ward = demo.user("noivu@demo.gov.vn"), demo.user("noivu.quynhon@demo.gov.vn")
    people = set(InboxItem.objects.filter(key__startswith=f"feedback:{item.pk}:").values_list("user_id", flat=True))
    assert world.pleiku.head_id in people and home_affairs.pk in people and world.appraiser.pk not in people
    assert other_ward.pk not in people and not policies.can_handle(other_ward, item)
    assert policies.can_handle(home_affairs, item) and not policies.can_handle(world.appraiser, item)
    client.force_login(world.appraiser)
    assert client.get(f"/phan-anh/xu-ly/{item.pk}/").status_code == 404
    assert item.code not in client.get("/phan-anh/xu-ly/").content.decode()
    client.force_login(world.approver)  # the head of Pleiku
    assert item.code in client.get("/phan-anh/xu-ly/").content.decode()


def test_forwarding_to_the_competent_agency(world):
    item = _file(world, at(2026, 3, 2, 9))
    service.feedback_forward(feedback=item, actor=world.approver, agency=world.quynhon, note="Thuộc Quy Nhơn",
                             at=at(2026, 3, 3, 9))
    item.refresh_from_db()
    assert item.agency == world.quynhon and item.status == FeedbackStatus.RECEIVED
    assert InboxItem.objects.filter(user=world.quynhon.head, key__startswith=f"feedback-forwarded:{item.pk}:")
    with pytest.raises(PermissionDenied):  # no longer Pleiku's
        service.feedback_accept(feedback=item, actor=world.approver, classification="rules")


@pytest.mark.parametrize("kwargs, code", [
    ({"content": "ngắn"}, "content_required"),
    ({"phone": "", "name": "Ẩn danh"}, "contact_required"),
    ({"name": ""}, "name_required"),
    ({"topic": "dossier"}, "dossier_required"),
    ({"dossier_code": "H21.65-000000-9999"}, "unknown_dossier"),
    ({"topic": "khác"}, "invalid_topic"),
    ({"upload": SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"0" * 100)}, "attachment_type"),
])
def test_bad_input_is_refused_and_nothing_stored(world, kwargs, code):
    with pytest.raises(DomainError) as exc:
        _file(world, at(2026, 3, 2, 9), **kwargs)
    assert exc.value.code == code and not Feedback.objects.exists()


def test_an_oversized_attachment_is_refused(world, settings):
    settings.FEEDBACK_MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 2048, content_type="application/pdf")
    with pytest.raises(DomainError, match="tối đa"):
        _file(world, at(2026, 3, 2, 9), upload=big)
    assert not Feedback.objects.exists()


def test_the_public_form_and_its_rate_limit(world, client):
    from feedback import views as feedback_views

    data = {"topic": "regulation", "agency": world.pleiku.pk, "title": "Giấy tờ trùng lặp", "content": TEXT,
            "name": "Lê Văn C", "email": "c@example.com"}
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        response = client.post("/phan-anh/gui/", data)
    item = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?k={item.access_key}")
    page = client.get(response["Location"]).content.decode()
    assert TEXT in page and "23/03/2026" in page  # the sender's view: content and the answer deadline
    for _ in range(feedback_views.SUBMIT_LIMIT):
        client.post("/phan-anh/gui/", {**data, "content": "x"})
    blocked = client.post("/phan-anh/gui/", data)
    assert blocked.status_code == 400 and "quá nhiều" in blocked.content.decode()
    assert Feedback.objects.count() == 1
    assert client.get(f"/phan-anh/{item.code}/").status_code == 404  # not published, no key


def test_an_unnamed_officer_is_never_guessed(world, returned):
    d = returned()
    item = _file(world, at(2026, 3, 5, 9), topic="conduct", harassment=True, dossier_code=d.code,
                 title="Cán bộ gây khó dễ")
    assert item.officer is None and item.agency == world.pleiku


def test_forwarding_from_the_page_goes_back_to_the_queue(world, client):
    item = _file(world, at(2026, 3, 2, 9))
    client.force_login(world.approver)
    response = client.post(f"/phan-anh/xu-ly/{item.pk}/", {"do": "forward", "agency": world.quynhon.pk})
    assert response.status_code == 302 and response["Location"] == "/phan-anh/xu-ly/"
    item.refresh_from_db()
    assert item.agency == world.quynhon


POLYGLOT = (b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
            b"1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_a_pdf_html_polyglot_is_stored_and_served_as_the_pdf_it_is(world, client):
    """The type is detected from the content: stored as .pdf, served as application/pdf, as a download,
    with nosniff — never as the .html its name claims."""
    item = _file(world, at(2026, 3, 2, 9),
                 upload=SimpleUploadedFile("bang-chung.html", POLYGLOT, content_type="text/html"))
    item.refresh_from_db()
    assert item.attachment.name.endswith(".pdf") and item.attachment_name == "bang-chung.pdf"
    client.force_login(world.approver)  # the head of Pleiku handles it
    response = client.get(f"/phan-anh/xu-ly/{item.pk}/tep/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "bang-chung.pdf" in response[
        "Content-Disposition"] and ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == POLYGLOT


def test_an_attachment_whose_content_is_html_is_refused(world):
    page = SimpleUploadedFile("scan.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
                              content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        _file(world, at(2026, 3, 2, 9), upload=page)
    assert exc.value.code == "attachment_type" and not Feedback.objects.exists()


def test_the_deadlines_are_those_of_the_rules_in_force_on_the_filing_day(world):
    import datetime as dt

    from regulations.models import RuleSet

    current = RuleSet.objects.order_by("-effective_from").first()
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # added on Monday, in force from Tuesday
        fields = {f.name: getattr(current, f.name) for f in RuleSet._meta.concrete_fields
                  if f.name not in ("id", "created_at")}
        version = RuleSet(**{**fields, "effective_from": dt.date(2026, 3, 3), "feedback_accept_days": 3,
                             "feedback_answer_days": 10, "feedback_publish_days": 1})
        version.full_clean()
        version.save()
    monday = _file(world, at(2026, 3, 2, 10))
    tuesday = _file(world, at(2026, 3, 3, 10))
    assert (monday.accept_due, monday.answer_due) == (at(2026, 3, 4, 17), at(2026, 3, 23, 17))  # 2 and 15
    assert (tuesday.accept_due, tuesday.answer_due) == (at(2026, 3, 6, 17), at(2026, 3, 17, 17))  # 3 and 10
    for item in (monday, tuesday):  # publishing: the rules of the filing day, counted from the answer
        service.feedback_accept(feedback=item, actor=world.approver, classification="rules", at=at(2026, 3, 4, 9))
        service.feedback_answer(feedback=item, actor=world.approver, answer="Cơ quan đã rút gọn giấy tờ phải nộp.",
                                at=at(2026, 3, 10, 9))
        item.refresh_from_db()
    assert (monday.publish_due, tuesday.publish_due) == (at(2026, 3, 12, 17), at(2026, 3, 11, 17))
