"""The browser's Back button, then the same form sent again: the first result comes back, nothing is
created a second time (the desk reception and the public feedback form, Debian Chromium)."""

from pathlib import Path

import pytest

from dossiers.models import Dossier
from feedback.models import Feedback
from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures

from .test_dossier_journey import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"


def test_back_and_receive_again_at_the_desk_shows_the_first_dossier(page, base, demo):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    version = Procedure.objects.get(code="2.000575").versions.get(status=VersionStatus.PUBLISHED)
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    page.goto(f"{base}/ho-so/tiep-nhan/?version={version.pk}")
    page.fill("input[name=applicant_name]", "Lê Văn Tư")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    dossier = Dossier.objects.get()
    assert page.url.endswith(f"/ho-so/{dossier.pk}/")
    page.go_back()
    page.wait_for_load_state()
    assert "/ho-so/tiep-nhan/" in page.url and page.input_value("input[name=applicant_name]") == "Lê Văn Tư"
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/ho-so/{dossier.pk}/") and "lần gửi đầu tiên" in page.content()
    assert Dossier.objects.count() == 1 and dossier.code in page.content()


def test_back_and_send_the_feedback_again_files_it_once(page, base, demo):
    page.goto(f"{base}/phan-anh/gui/")
    page.select_option("select[name=topic]", "regulation")
    page.select_option("select[name=agency]", index=1)
    page.fill("input[name=title]", "Giấy tờ trùng lặp")
    page.fill("textarea[name=content]", "Cán bộ yêu cầu nộp lại giấy tờ đã có trong kho dữ liệu.")
    page.fill("input[name=name]", "Lê Văn C")
    page.fill("input[name=email]", "c@example.com")
    page.click("[data-testid=feedback-form] button[type=submit]")
    page.wait_for_load_state()
    item = Feedback.objects.get()
    assert f"/phan-anh/{item.code}/" in page.url
    page.go_back()
    page.wait_for_load_state()
    page.click("[data-testid=feedback-form] button[type=submit]")
    page.wait_for_load_state()
    assert f"/phan-anh/{item.code}/" in page.url and Feedback.objects.count() == 1
