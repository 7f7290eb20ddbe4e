"""Apology letters (Mẫu 04): drafted by the sweep, reviewed and issued by the head, the single
re-appointment, late twice, issued late, versions without extension, lost dossiers, bad input."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import DomainError
from dossiers import printing, services
from dossiers.lateness import letters
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import ApologyLetter, ApologyReason, DeadlineState, Dossier, LetterStatus, Punctuality
from notifications.models import InboxItem, SmsMessage

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _received(world, when, assign=False):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **APPLICANT)
    if assign:
        d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)
    return d


def _issue(world, d, when, **kwargs):
    letter = d.apology_letters.get(status=LetterStatus.DRAFT)
    kwargs.setdefault("reason_kind", ApologyReason.CONSULTATION)
    return letters.apology_letter_issue(letter=letter, actor=world.approver, at=when, **kwargs)


def test_due_soon_that_still_fits_drafts_nothing(world):
    # Received Mon 2/3, 3 working days -> due Thu 5/3 17:00. Wednesday morning the rest of the
    # process (approval 4 h + return 4 h) fits in the 15 office hours left.
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 4, 9))
    d.refresh_from_db()
    assert d.track == DeadlineState.DUE_SOON
    assert not ApologyLetter.objects.exists()


def test_due_soon_that_cannot_finish_drafts_a_letter_with_a_date_after_tet(world, django_capture_on_commit_callbacks):
    # Received Tue 10/2/2026 -> due Fri 13/2 17:00, the last working day before Tết (16-20/2).
    d = _received(world, at(2026, 2, 10, 10), assign=True)
    assert d.due_at == at(2026, 2, 13, 17)
    with time_machine.travel(at(2026, 2, 11, 9), tick=False):
        sweep_deadlines()  # Wednesday: on track
    assert not ApologyLetter.objects.exists()
    # First seen due soon at 14:00 on Friday (say the portal was down on Thursday): 3 h left, 8 h needed.
    with time_machine.travel(at(2026, 2, 13, 14), tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines()
    letter = ApologyLetter.objects.get()
    assert (letter.status, letter.auto, letter.trigger) == (LetterStatus.DRAFT, True, "due_soon")
    assert letter.due_at == at(2026, 2, 13, 17)
    assert letter.proposed_due_at == at(2026, 2, 23, 17)  # 3 h Friday + 5 h Monday after Tết
    assert letter.agency == world.pleiku and letter.number == ""
    head_items = InboxItem.objects.filter(user=world.pleiku.head, key__startswith=f"track:{d.pk}:due_soon")
    assert "dự thảo phiếu xin lỗi" in head_items.get().text


def test_overdue_drafts_once_and_the_consultation_is_the_reason(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    services.dossier_consult(dossier=d, actor=world.appraiser, reason="Xin ý kiến.", agency=world.quynhon,
                             at=at(2026, 3, 2, 11))
    sweep_deadlines(now=at(2026, 3, 9, 9))  # Mon 9/3, past Thu 5/3: overdue
    sweep_deadlines(now=at(2026, 3, 9, 10))
    letter = ApologyLetter.objects.get()
    assert letter.trigger == "overdue" and letter.reason_kind == ApologyReason.CONSULTATION
    assert letter.proposed_due_at == at(2026, 3, 10, 17)  # approval + return (8 h) from 9:00 -> Tue
    assert d.events.filter(type="track_overdue").count() == 1


def test_issuing_moves_the_appointment_once_and_tells_everyone(world, client, django_capture_on_commit_callbacks):
    d = _received(world, at(2026, 2, 10, 10), assign=True)
    sweep_deadlines(now=at(2026, 2, 13, 14))  # first sweep at 14:00 Friday: due soon and late -> draft
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter = _issue(world, d, at(2026, 2, 13, 15), reason_text="Chờ ý kiến Sở Tư pháp.")
    d.refresh_from_db()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.number == "01/2026/PXL-H21.65"
    assert letter.new_due_at == at(2026, 2, 23, 17) and letter.issued_late is True  # < 1 day before 17:00 Fri
    assert (d.due_at, d.extended_from, d.original_due_at) == (at(2026, 2, 23, 17), at(2026, 2, 13, 17),
                                                              at(2026, 2, 13, 17))
    assert d.track == DeadlineState.DUE_SOON  # 23/2 is the next working day after Friday
    event = d.events.get(type="apology_issued")
    assert event.payload["number"] == letter.number and event.payload["late"] is True
    assert letter.pdf.name.endswith(".pdf") and letter.pdf.size > 5000
    desk_key = f"apology-issued:{letter.pk}:{world.reception.pk}"
    assert InboxItem.objects.filter(user=world.reception, key=desk_key).exists()
    recipients = {m.to[0] for m in mail.outbox}
    assert {APPLICANT["applicant_email"], world.reception.email} <= recipients
    citizen_mail = next(m for m in mail.outbox if m.to[0] == APPLICANT["applicant_email"])
    assert "23/02/2026" in citizen_mail.body and "Chờ ý kiến Sở Tư pháp" in citizen_mail.body
    assert SmsMessage.objects.filter(key=f"apology-sms:{letter.pk}", body__contains="23/02/2026").exists()
    assert d.events.filter(type="notified", payload__event=event.pk).exists()
    # The tracking page shows the apology and the new date, not the internal drafting.
    page = client.get("/ho-so/tra-cuu/", {"code": d.code, "pin": d.pin}).content.decode()
    assert letter.number in page and "23/02/2026" in page and "dự thảo" not in page.lower()


def test_the_second_reappointment_is_refused_and_changes_nothing(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    _issue(world, d, at(2026, 3, 9, 10), new_due="2026-03-12")
    again = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind=ApologyReason.COMPLEX,
                                           at=at(2026, 3, 11, 9))
    assert again.proposed_due_at is None  # already re-appointed: an apology without a date
    with pytest.raises(DomainError, match="không quá một lần") as exc:
        letters.apology_letter_issue(letter=again, actor=world.approver, new_due="2026-03-20",
                                       at=at(2026, 3, 11, 10))
    assert exc.value.code == "already_extended"
    d.refresh_from_db()
    again.refresh_from_db()
    assert d.due_at == at(2026, 3, 12, 17) and again.status == LetterStatus.DRAFT and again.number == ""
    # Without a date it may still go out (a second apology), and the appointment stays.
    letters.apology_letter_issue(letter=again, actor=world.approver, at=at(2026, 3, 11, 10))
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 12, 17) and d.extended_from == at(2026, 3, 5, 17)


def test_late_again_after_the_reappointment_is_late_twice(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    _issue(world, d, at(2026, 3, 9, 10), new_due="2026-03-11")
    sweep_deadlines(now=at(2026, 3, 10, 9))
    d.refresh_from_db()
    assert d.track == DeadlineState.DUE_SOON
    sweep_deadlines(now=at(2026, 3, 12, 8))
    d.refresh_from_db()
    assert d.track == DeadlineState.OVERDUE and d.events.filter(type="late_twice").count() == 1
    head_items = InboxItem.objects.filter(user=world.pleiku.head, key__startswith=f"track:{d.pk}:overdue")
    assert [i.text.count("QUÁ HẠN LẦN 2") for i in head_items.order_by("id")] == [0, 1]
    assert ApologyLetter.objects.filter(dossier=d).count() == 1  # no new draft: the law allows one re-appointment
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 12, 9))
    d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 12, 10))
    d = services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 12, 11))
    assert d.punctuality == Punctuality.LATE_TWICE


def test_finished_after_the_legal_time_is_late_even_with_a_letter(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    _issue(world, d, at(2026, 3, 9, 10), new_due="2026-03-13")
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 10, 9))
    d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 10, 10))
    d = services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 10, 11))
    assert d.punctuality == Punctuality.LATE


def test_a_letter_issued_a_day_ahead_is_not_late(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)  # due Thu 5/3 17:00
    letter = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="site_inspection",
                                            at=at(2026, 3, 3, 9))
    assert letter.drafted_by == world.appraiser and not letter.auto
    issued = letters.apology_letter_issue(letter=letter, actor=world.approver, new_due=dt.date(2026, 3, 10),
                                            at=at(2026, 3, 4, 16))
    assert issued.issued_late is False and issued.new_due_at == at(2026, 3, 10, 17)


def test_a_version_without_extension_gets_an_apology_without_a_date(world):
    version = world.household
    version.extension_allowed = False
    version.save(update_fields=["extension_allowed"])
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = d.apology_letters.get()
    assert letter.proposed_due_at is None
    with pytest.raises(DomainError, match="không cho phép hẹn lại"):
        letters.apology_letter_issue(letter=letter, actor=world.approver, reason_kind="complex",
                                       new_due="2026-03-12", at=at(2026, 3, 9, 10))
    issued = letters.apology_letter_issue(letter=letter, actor=world.approver, reason_kind="complex",
                                            at=at(2026, 3, 9, 10))
    d.refresh_from_db()
    assert issued.new_due_at is None and d.due_at == at(2026, 3, 5, 17) and d.extended_from is None


def test_a_lost_dossier_and_who_may_do_what(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    with pytest.raises(PermissionDenied):
        letters.apology_letter_draft(dossier=d, actor=world.reception, reason_kind="lost_damaged")
    letter = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="lost_damaged",
                                            reason_text="Thất lạc bản chính giấy khai sinh.", at=at(2026, 3, 3, 9))
    assert d.events.filter(type="apology_drafted").exists()
    assert InboxItem.objects.filter(user=world.pleiku.head, key=f"apology-draft:{letter.pk}:{world.pleiku.head_id}")
    with pytest.raises(DomainError, match="đang chờ ký"):
        letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="other", reason_text="x")
    with pytest.raises(PermissionDenied):
        letters.apology_letter_issue(letter=letter, actor=world.appraiser)
    issued = letters.apology_letter_issue(letter=letter, actor=world.approver, extend=False, at=at(2026, 3, 3, 10))
    assert issued.new_due_at is None and "Thất lạc" in issued.reason_display


@pytest.mark.parametrize("kwargs, code", [
    ({"new_due": "2026-03-04"}, "extension_not_later"),  # before the current appointment
    ({"new_due": "2026-03-07"}, "extension_not_working_day"),  # a Saturday
    ({"new_due": "31/02/2026"}, "invalid_date"),
    ({"reason_kind": ""}, "reason_required"),
    ({"reason_kind": "other", "reason_text": "  "}, "reason_required"),
    ({"reason_kind": "bịa"}, "reason_required"),
])
def test_bad_input_changes_nothing(world, kwargs, code):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    letter = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="complex",
                                            at=at(2026, 3, 3, 9))
    kwargs.setdefault("reason_kind", "complex")
    with pytest.raises(DomainError) as exc:
        letters.apology_letter_issue(letter=letter, actor=world.approver, at=at(2026, 3, 3, 10), **kwargs)
    assert exc.value.code == code and exc.value.message
    letter.refresh_from_db()
    d.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.number == "" and d.due_at == at(2026, 3, 5, 17)
    assert not d.events.filter(type="apology_issued").exists()


def test_no_letter_for_a_finished_dossier_and_drafts_cancel_themselves(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    letter = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="complex",
                                            at=at(2026, 3, 3, 9))
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 10))
    d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 3, 11))
    d = services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 3, 14))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CANCELLED
    with pytest.raises(DomainError, match="đã có kết quả") as exc:
        letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="complex")
    assert exc.value.code == "dossier_closed"
    with pytest.raises(DomainError):
        letters.apology_letter_issue(letter=letter, actor=world.approver)


def test_the_pages_draft_issue_and_show_the_letter(world, client):
    from pypdf import PdfReader

    d = _received(world, at(2026, 3, 2, 10), assign=True)
    d.citizen = world.citizen
    d.save(update_fields=["citizen"])
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = d.apology_letters.get()
    client.force_login(world.approver)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="apology-draft"' in page and 'data-action="apology-issue"' in page
    preview = client.get(f"/ho-so/{d.pk}/xin-loi/{letter.pk}.pdf")
    assert preview.status_code == 200
    assert "DỰ THẢO" in PdfReader(__import__("io").BytesIO(preview.content)).pages[0].extract_text()
    response = client.post(f"/ho-so/{d.pk}/xin-loi/{letter.pk}/", {"do": "issue", "reason_kind": "", "new_due": ""})
    assert response.status_code == 302
    assert ApologyLetter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT  # no reason: refused
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        client.post(f"/ho-so/{d.pk}/xin-loi/{letter.pk}/", {"do": "issue", "reason_kind": "site_inspection",
                                                            "reason_text": "Cần xác minh thực địa.",
                                                            "new_due": "2026-03-13"})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.new_due_at == at(2026, 3, 13, 17)
    client.force_login(world.citizen)
    mine = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert letter.number in mine and "13/03/2026" in mine and "apology-draft" not in mine
    pdf = client.get(f"/ho-so/{d.pk}/xin-loi/{letter.pk}.pdf")
    text = PdfReader(__import__("io").BytesIO(b"".join(pdf.streaming_content))).pages[0].extract_text()
    assert "XIN LỖI" in text.upper() and d.code in text and "13 tháng 03 năm 2026" in text
    assert "Cần xác minh thực địa" in text and "DỰ THẢO" not in text


def test_concurrent_issue_keeps_one_reappointment(world):
    """Even if two drafts slip past the service check, the partial unique index keeps one."""
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    first = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="complex",
                                           at=at(2026, 3, 3, 9))
    letters.apology_letter_issue(letter=first, actor=world.approver, new_due="2026-03-10", at=at(2026, 3, 3, 10))
    Dossier.objects.filter(pk=d.pk).update(extended_from=None)  # simulate a stale read of the dossier
    second = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="complex",
                                            at=at(2026, 3, 3, 11))
    with pytest.raises(DomainError) as exc:
        letters.apology_letter_issue(letter=second, actor=world.approver, new_due="2026-03-12",
                                       at=at(2026, 3, 3, 12))
    assert exc.value.code == "already_extended"
    assert ApologyLetter.objects.filter(dossier=d, status=LetterStatus.ISSUED).count() == 1


def test_no_consultation_means_no_reason_is_guessed(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    assert d.apology_letters.get().reason_kind == ""  # the head must choose; nothing false is pre-filled


def test_a_new_date_in_the_past_is_refused(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)  # due Thu 5/3
    sweep_deadlines(now=at(2026, 3, 12, 9))
    letter = d.apology_letters.get()
    with pytest.raises(DomainError) as exc:  # after the old appointment, but already gone by
        letters.apology_letter_issue(letter=letter, actor=world.approver, reason_kind="complex",
                                       new_due="2026-03-06", at=at(2026, 3, 12, 10))
    assert exc.value.code == "extension_in_past"
    d.refresh_from_db()
    assert d.due_at == at(2026, 3, 5, 17) and d.extended_from is None


def test_only_the_head_changes_the_date(world):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = d.apology_letters.get()
    proposed = timezone.localtime(letter.proposed_due_at).date().isoformat()
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        letters.apology_letter_update(letter=letter, actor=world.appraiser, reason_kind="complex",
                                        new_due=proposed)
        with pytest.raises(PermissionDenied):
            letters.apology_letter_update(letter=letter, actor=world.appraiser, reason_kind="complex",
                                            new_due="2026-12-31")
        letters.apology_letter_update(letter=letter, actor=world.approver, reason_kind="complex",
                                        new_due="2026-03-16")
    letter.refresh_from_db()
    assert letter.reason_kind == "complex" and letter.proposed_due_at == at(2026, 3, 16, 17)


def test_a_refusal_keeps_what_was_typed_and_shows_it_in_the_section(world, client):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = d.apology_letters.get()
    client.force_login(world.approver)
    response = client.post(f"/ho-so/{d.pk}/xin-loi/{letter.pk}/", {
        "do": "issue", "reason_kind": "other", "reason_text": "  ", "new_due": "2026-03-14"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#xin-loi")
    assert 'data-testid="apology-error"' in page and "hãy ghi rõ lý do" in page
    assert 'value="2026-03-14"' in page and '<option value="other" selected>' in page
    again = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="apology-error"' not in again  # shown once


def test_a_pdf_that_fails_to_render_does_not_stop_the_notices(world, client, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    d = _received(world, at(2026, 2, 10, 10), assign=True)
    sweep_deadlines(now=at(2026, 2, 13, 14))
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr(printing, "render_document", broken)
    with django_capture_on_commit_callbacks(execute=True):
        letter = _issue(world, d, at(2026, 2, 13, 15))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and not letter.pdf
    event = d.events.get(type="apology_issued")
    desk_key = f"apology-issued:{letter.pk}:{world.reception.pk}"
    assert InboxItem.objects.filter(user=world.reception, key=desk_key).exists()
    assert {APPLICANT["applicant_email"], world.reception.email} <= {m.to[0] for m in mail.outbox}
    assert SmsMessage.objects.filter(key=f"apology-sms:{letter.pk}").exists()
    assert d.events.filter(type="notified", payload__event=event.pk).exists()
    monkeypatch.undo()  # rendering works again: the first download renders and keeps the PDF
    ok = client.get(f"/ho-so/tra-cuu/xin-loi/{letter.pk}.pdf", {"code": d.code, "pin": d.pin})
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF")
    letter.refresh_from_db()
    assert letter.pdf.name.endswith(".pdf")


def test_citizens_without_an_account_download_the_letter_with_code_and_pin(world, client):
    d = _received(world, at(2026, 3, 2, 10), assign=True)
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = _issue(world, d, at(2026, 3, 9, 10), new_due="2026-03-12")
    page = client.get("/ho-so/tra-cuu/", {"code": d.code, "pin": d.pin}).content.decode()
    assert f"/ho-so/tra-cuu/xin-loi/{letter.pk}.pdf?code=" in page
    ok = client.get(f"/ho-so/tra-cuu/xin-loi/{letter.pk}.pdf", {"code": d.code, "pin": d.pin})
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF")
    wrong = "000000" if d.pin != "000000" else "111111"
    assert client.get(f"/ho-so/tra-cuu/xin-loi/{letter.pk}.pdf", {"code": d.code, "pin": wrong}).status_code == 404


def test_citizens_see_their_notifications_link_and_staff_pages_explain_refusals(world, client):
    from notifications.services import inbox_post

    inbox_post(user_id=world.citizen.pk, key="x", text="Phiếu xin lỗi", url="/")
    client.force_login(world.citizen)
    assert 'data-testid="inbox-link"' in client.get("/").content.decode()
    refused = client.get("/ho-so/bao-cao/tre-han/")
    assert refused.status_code == 403 and "dành cho cán bộ" in refused.content.decode()
