"""A citizen answers the survey from the link on a phone, and another rates the desk on the kiosk
tablet, which then resets itself (Debian Chromium, Playwright)."""

from pathlib import Path

import pytest

from dossiers import services
from payments.services import payment_record_desk
from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures
from satisfaction.models import SurveyResponse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
APPLICANT = {"applicant_name": "Nguyễn Văn An", "applicant_phone": "0912345678",
             "applicant_email": "an.nguyen@example.com"}


def _returned(demo):
    version = Procedure.objects.get(code="2.000575").versions.get(status=VersionStatus.PUBLISHED)
    reception, appraiser = demo.user("tiepnhan.pleiku@demo.gov.vn"), demo.user("thamdinh.pleiku@demo.gov.vn")
    approver = demo.user("lanhdao.pleiku@demo.gov.vn")
    d = services.dossier_create_at_desk(actor=reception, version=version, agency=demo.agency("H21.65"), **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=reception, appraiser=appraiser)
    d = services.dossier_propose(dossier=d, actor=appraiser, proposal="approve")
    d = services.dossier_approve(dossier=d, actor=approver)
    d = services.dossier_resolve(dossier=d, actor=appraiser)
    payment_record_desk(dossier=d, actor=reception, method="cash")
    return services.dossier_return(dossier=d, actor=reception)


def test_survey_from_the_link_and_from_the_kiosk(demo, base, browser):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    first, second = _returned(demo), _returned(demo)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{base}/danh-gia/{first.survey_invitation.token}/")
    marks = {"access": 5, "procedure": 4, "officer": 5, "result": 4, "feedback": 3, "overall": 5}
    for element, value in marks.items():
        phone.locator(f"label.face:has(input[name={element}][value='{value}'])").click()
    phone.fill("textarea[name=comment]", "Cán bộ hướng dẫn tận tình.")
    phone.click("[data-testid=survey-submit]")
    phone.wait_for_selector("[data-testid=survey-thanks]")
    answer = SurveyResponse.objects.get(invitation__dossier=first)
    assert (answer.overall, answer.channel, answer.answers.count()) == (5, "link", 6)

    tablet = browser.new_page(viewport={"width": 1024, "height": 768})
    tablet.goto(f"{base}/danh-gia/quay/")
    tablet.fill("[data-testid=kiosk-scan]", f"{base}/ho-so/tra-cuu/?code={second.code}&pin={second.pin}")
    tablet.keyboard.press("Enter")
    tablet.wait_for_selector("[data-testid=kiosk-form]")
    tablet.locator("label.face:has(input[name=officer][value='4'])").click()
    tablet.locator("label.face:has(input[name=overall][value='5'])").click()
    tablet.click("[data-testid=kiosk-submit]")
    tablet.wait_for_selector("[data-testid=kiosk-thanks]")
    assert SurveyResponse.objects.get(invitation__dossier=second).channel == "kiosk"
    tablet.wait_for_selector("body[data-stage=scan]", timeout=15000)  # ready for the next citizen
