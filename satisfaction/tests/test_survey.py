"""The per-dossier survey: invitation on return, the link page, expiry, one answer, follow-ups,
the kiosk at the desk, the Circular 01/2018 indicators, the index and the rate limit."""

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from notifications.models import InboxItem, SmsMessage
from satisfaction import services
from satisfaction.models import DossierEvaluation, FollowUp, FollowUpStatus, Invitation, SurveyResponse

from .conftest import at

pytestmark = pytest.mark.django_db
HAPPY = {"access": 5, "procedure": 4, "officer": 5, "result": 4, "feedback": 4, "overall": 5}


def test_returning_a_result_invites_the_citizen_once(world, returned, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        d = returned()
    invitation = Invitation.objects.get(dossier=d)
    assert len(invitation.token) >= 30 and invitation.officer == world.reception
    assert invitation.expires_at == at(2026, 3, 18, 9)  # 14 days
    invite = next(m for m in mail.outbox if "đánh giá" in m.subject.lower())
    assert f"/danh-gia/{invitation.token}/" in invite.body
    assert SmsMessage.objects.filter(key=f"survey-invitation-sms:{invitation.pk}", body__contains=invitation.token)
    assert services.invitation_create(dossier=d) == invitation  # idempotent
    evaluation = DossierEvaluation.objects.get(dossier=d)
    # early (2); worst step on time (1: reception finished on its due day); no supplement (2); the desk only (1)
    assert (evaluation.total_time, evaluation.step_time, evaluation.contacts, evaluation.agencies) == (2, 1, 2, 1)
    assert evaluation.details["contacts"] == 0 and evaluation.points == 6


def test_the_link_page_takes_one_answer(world, returned, client):
    d = returned()
    token = d.survey_invitation.token
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        page = client.get(f"/danh-gia/{token}/")
        assert page.status_code == 200 and d.code in page.content.decode()
        response = client.post(f"/danh-gia/{token}/", {**HAPPY, "comment": "Cán bộ nhiệt tình."})
        assert response.status_code == 302
        again = client.post(f"/danh-gia/{token}/", {**HAPPY, "overall": 1})
    saved = SurveyResponse.objects.get()
    assert (saved.overall, saved.satisfied, saved.channel, saved.officer) == (5, True, "link", world.reception)
    assert saved.answers.count() == 6 and not FollowUp.objects.exists()
    assert "Cảm ơn" in again.content.decode()  # shows the thanks, changes nothing
    assert SurveyResponse.objects.get().overall == 5


@pytest.mark.parametrize("values, message", [
    ({**HAPPY, "overall": 7}, "từ 1 đến 5"),
    ({**HAPPY, "overall": "rất tốt"}, "Vui lòng chọn"),
    ({k: v for k, v in HAPPY.items() if k != "result"}, "Vui lòng chọn"),
])
def test_bad_ratings_are_refused_and_nothing_is_stored(world, returned, client, values, message):
    d = returned()
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        page = client.post(f"/danh-gia/{d.survey_invitation.token}/", values)
    assert page.status_code == 400 and message in page.content.decode()
    assert not SurveyResponse.objects.exists() and Invitation.objects.get().answered_at is None


def test_expired_and_unknown_links(world, returned, client):
    d = returned()
    with time_machine.travel(at(2026, 3, 19, 10), tick=False):
        late = client.post(f"/danh-gia/{d.survey_invitation.token}/", HAPPY)
    assert late.status_code == 410 and "hết hạn" in late.content.decode()
    assert client.get("/danh-gia/khong-co-ma-nay-123456789/").status_code == 404
    with pytest.raises(DomainError) as exc:
        services.response_submit(invitation=d.survey_invitation, values=HAPPY, at=at(2026, 3, 19, 10))
    assert exc.value.code == "expired" and not SurveyResponse.objects.exists()


def test_an_unhappy_answer_opens_a_follow_up_for_the_head(world, returned, client):
    d = returned()
    services.response_submit(invitation=d.survey_invitation, values={**HAPPY, "officer": 1, "overall": 2},
                             at=at(2026, 3, 5, 10))
    follow_up = FollowUp.objects.get()
    assert follow_up.assignee == world.pleiku.head and "Công chức" in follow_up.reason
    assert follow_up.due_at == at(2026, 3, 12, 17)  # 5 working days
    assert InboxItem.objects.filter(user=world.pleiku.head, key=f"follow-up:{follow_up.pk}:{world.pleiku.head_id}")
    with pytest.raises(PermissionDenied):
        services.follow_up_close(follow_up=follow_up, actor=world.appraiser, reply="Chúng tôi xin tiếp thu.")
    with pytest.raises(DomainError):
        services.follow_up_close(follow_up=follow_up, actor=world.approver, reply="ok")
    client.force_login(world.approver)
    assert d.code in client.get("/danh-gia/chua-hai-long/").content.decode()
    client.post("/danh-gia/chua-hai-long/", {"follow_up": follow_up.pk,
                                             "reply": "Cơ quan đã nhắc nhở cán bộ và xin lỗi Ông/Bà."})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.closed_by == world.approver
    client.logout()
    page = client.get(f"/danh-gia/{d.survey_invitation.token}/").content.decode()
    assert "đã nhắc nhở cán bộ" in page  # the citizen sees the answer on the survey link


def test_a_complaint_in_the_comment_opens_a_follow_up_even_with_good_marks(world, returned):
    d = returned()
    services.response_submit(invitation=d.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 10),
                             comment="Cán bộ có dấu hiệu NHŨNG NHIỄU, đòi bồi dưỡng.")
    assert FollowUp.objects.get().reason == "Ý kiến có nội dung phản ánh"


def test_the_kiosk_three_taps_and_reset(world, returned, client):
    d = returned()
    page = client.post("/danh-gia/quay/", {"scan": f"http://x/ho-so/tra-cuu/?code={d.code}&pin={d.pin}"})
    body = page.content.decode()
    assert 'data-testid="kiosk-form"' in body and world.reception.full_name in body
    done = client.post("/danh-gia/quay/", {"code": d.code, "pin": d.pin, "officer": 4, "overall": 5})
    assert 'data-testid="kiosk-thanks"' in done.content.decode() and 'http-equiv="refresh"' in done.content.decode()
    saved = SurveyResponse.objects.get()
    assert (saved.channel, saved.overall, saved.answers.count()) == ("kiosk", 5, 2)
    again = client.post("/danh-gia/quay/", {"scan": f"{d.code} {d.pin}"})
    assert "đã được đánh giá" in again.content.decode()
    wrong = client.post("/danh-gia/quay/", {"scan": f"{d.code} 000000" if d.pin != "000000" else f"{d.code} 1"})
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()


def test_the_index_per_agency_officer_and_element(world, returned, client):
    first, second, third = returned(), returned(), returned()
    services.response_submit(invitation=first.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 10))
    services.response_submit(invitation=second.survey_invitation, values={**HAPPY, "procedure": 2, "overall": 3},
                             at=at(2026, 3, 5, 11))
    from satisfaction.selectors import satisfaction_index

    rows = satisfaction_index(world.approver, group="agency", start=at(2026, 3, 1).date(), end=at(2026, 3, 31).date())
    assert len(rows) == 1
    row = rows[0]
    assert (row["responses"], row["satisfied"], row["index"], row["invitations"]) == (2, 1, 50.0, 3)
    assert row["response_rate"] == 66.67
    assert row["elements"]["procedure"] == {"n": 2, "ok": 1, "index": 50.0}
    officers = satisfaction_index(world.approver, group="officer", start=at(2026, 3, 1).date(),
                                  end=at(2026, 3, 31).date())
    assert officers[0]["name"] == world.reception.full_name
    client.force_login(world.approver)
    page = client.get("/danh-gia/ket-qua/", {"from": "2026-03-01", "to": "2026-03-31"}).content.decode()
    assert "50.0%" in page or "50,0%" in page
    assert third.survey_invitation.answered_at is None


def test_a_flood_from_one_address_is_stopped(world, returned, client, settings):
    d = returned()
    from satisfaction import views

    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        for _ in range(views.LINK_LIMIT):
            client.post(f"/danh-gia/{d.survey_invitation.token}/", {"overall": 9})
        blocked = client.post(f"/danh-gia/{d.survey_invitation.token}/", HAPPY)
    assert blocked.status_code == 400 and "quá nhiều lượt" in blocked.content.decode()
    assert not SurveyResponse.objects.exists()


def test_the_citizen_page_offers_the_survey_and_staff_have_the_results_link(world, returned, client):
    d = returned()
    d.citizen = world.citizen
    d.save(update_fields=["citizen"])
    client.force_login(world.citizen)
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="survey-invite"' in page and f"/danh-gia/{d.survey_invitation.token}/" in page
    with time_machine.travel(at(2026, 3, 30, 10), tick=False):  # expired: no button leading to a dead link
        assert 'data-testid="survey-invite"' not in client.get(f"/ho-so/{d.pk}/").content.decode()
    client.force_login(world.approver)
    assert 'href="/danh-gia/ket-qua/"' in client.get("/").content.decode()
    client.force_login(world.citizen)
    assert client.get("/danh-gia/ket-qua/").status_code == 403


def test_a_new_questionnaire_version_keeps_old_answers_on_theirs(world, returned, admin_client):
    from satisfaction.models import Questionnaire

    d1, d2 = returned(), returned()
    services.response_submit(invitation=d1.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 10))
    v1 = Questionnaire.objects.get(version=1)
    admin_client.post("/admin/satisfaction/questionnaire/", {"action": "new_version", "_selected_action": [v1.pk]})
    v2 = Questionnaire.objects.get(version=2)
    v2.questions.exclude(element__in=("officer", "overall")).delete()  # a shorter questionnaire
    admin_client.post("/admin/satisfaction/questionnaire/", {"action": "publish", "_selected_action": [v2.pk]})
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("retired", "published")
    second = services.response_submit(invitation=d2.survey_invitation, values={"officer": 4, "overall": 4},
                                      at=at(2026, 3, 5, 11))
    assert second.questionnaire == v2 and second.answers.count() == 2
    assert SurveyResponse.objects.get(invitation__dossier=d1).questionnaire == v1


def test_the_default_questionnaire_comes_back_on_an_empty_table(world, returned):
    from satisfaction.models import Questionnaire

    Questionnaire.objects.all().delete()
    d = returned()
    response = services.response_submit(invitation=d.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 10))
    assert response.questionnaire.version == 1 and response.answers.count() == 6


def test_the_desk_prints_the_survey_qr_slip(world, returned, client):
    from pypdf import PdfReader

    d = returned()
    client.force_login(world.reception)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="survey-slip"' in page
    pdf = client.get(f"/danh-gia/{d.survey_invitation.token}/phieu.pdf")
    text = PdfReader(__import__("io").BytesIO(pdf.content)).pages[0].extract_text()
    assert pdf.status_code == 200 and d.code in text and d.survey_invitation.token[:20] in text.replace("\n", "")
    client.force_login(world.other_reception)  # another commune's desk
    assert client.get(f"/danh-gia/{d.survey_invitation.token}/phieu.pdf").status_code == 404



def test_home_affairs_get_no_survey_slip(world, returned, client, demo):
    """The slip carries the citizen's key to the survey: a Home Affairs reader may not print it."""
    d = returned()
    client.force_login(demo.user("noivu@demo.gov.vn"))
    assert 'data-testid="survey-slip"' not in client.get(f"/ho-so/{d.pk}/").content.decode()
    assert client.get(f"/danh-gia/{d.survey_invitation.token}/phieu.pdf").status_code == 403


def test_the_kiosk_refuses_a_dossier_without_its_result_and_creates_nothing(world, client):
    from dossiers import services as dossier_services

    from .conftest import APPLICANT

    d = dossier_services.dossier_create_at_desk(actor=world.reception, version=world.household,
                                                agency=world.pleiku, at=at(2026, 3, 2, 9), **APPLICANT)
    page = client.post("/danh-gia/quay/", {"scan": f"{d.code} {d.pin}"}).content.decode()
    assert "chưa có kết quả" in page and 'data-testid="kiosk-form"' not in page
    client.post("/danh-gia/quay/", {"code": d.code, "pin": d.pin, "officer": 5, "overall": 5})
    assert not Invitation.objects.exists() and not SurveyResponse.objects.exists()


def test_unhappy_answers_are_hidden_from_the_officer_rated(world, returned, client, demo):
    d = returned()
    services.response_submit(invitation=d.survey_invitation, values={**HAPPY, "officer": 1}, at=at(2026, 3, 5, 10),
                             comment="Chị ở quầy đòi bồi dưỡng mới trả kết quả.")
    follow_up = FollowUp.objects.get()
    assert follow_up.response.officer == world.reception
    notified = set(InboxItem.objects.filter(key__startswith=f"follow-up:{follow_up.pk}:").values_list("user_id",
                                                                                                       flat=True))
    assert world.pleiku.head_id in notified and demo.user("noivu@demo.gov.vn").pk in notified  # harassment words
    assert world.reception.pk not in notified and demo.user("noivu.quynhon@demo.gov.vn").pk not in notified
    for officer in (world.reception, world.appraiser):
        client.force_login(officer)
        assert d.code not in client.get("/danh-gia/chua-hai-long/").content.decode()
        client.post("/danh-gia/chua-hai-long/", {"follow_up": follow_up.pk, "reply": "Tôi xin giải thích như sau."})
    assert client.post("/danh-gia/chua-hai-long/", {"follow_up": "abc", "reply": "x"}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.OPEN


@pytest.mark.parametrize(("days", "english"), [(1, "(1 day after the result"), (14, "(14 days after the result")])
def test_the_expiry_message_counts_days_in_the_plural_it_needs(world, returned, client, settings, days, english):
    """"sau %s ngày" is pluralised (ngettext): one day, fourteen days — on the page and from the service."""
    from django.utils import translation

    settings.SURVEY_EXPIRY_DAYS = days
    d = returned()
    late = at(2026, 3, 25, 10)
    with time_machine.travel(late, tick=False):
        page = client.get(f"/danh-gia/{d.survey_invitation.token}/")
    assert page.status_code == 410 and f"(sau {days} ngày kể từ khi trả kết quả)" in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(late, tick=False):
        page = client.get(f"/danh-gia/{d.survey_invitation.token}/")
    assert page.status_code == 410 and english in page.content.decode()
    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.response_submit(invitation=d.survey_invitation, values=HAPPY, at=late)
    assert exc.value.code == "expired" and english in exc.value.message and not SurveyResponse.objects.exists()
