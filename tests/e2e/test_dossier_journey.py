"""One dossier, in the browser, from online submission through the four steps to the citizen's
download, with a supplement request on the way (Debian Chromium, Playwright)."""

import re
from pathlib import Path

import pytest

from procedures.transfer import import_procedures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(page, base, email, password="MotCua@2026"):
    page.context.clear_cookies()  # the next person at the same computer
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def act(page, name, reason=None, **selects):
    form = page.locator(f"form:has(button[data-action={name}])")
    for field, value in selects.items():
        form.locator(f"[name={field}]").select_option(value)
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator(f"button[data-action={name}]").click()
    page.wait_for_load_state()


def upload(page, row_text, name, content=PDF):
    row = page.locator("[data-testid=components] tr", has_text=row_text)
    row.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": "application/pdf",
                                                            "buffer": content}])
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"text=Đã tải lên “{name}”")  # the page comes back once the upload finished


def status(page):
    return page.locator("[data-testid=status]").inner_text()


def test_online_dossier_from_submission_to_download(page, base, demo):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    # The citizen finds the procedure and starts online.
    login(page, base, "an.nguyen@example.com")
    page.goto(f"{base}/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("select[name=agency]", label="Ủy ban nhân dân phường Pleiku")
    assert page.input_value("input[name=applicant_name]") == "Nguyễn Văn An"  # pre-filled from the profile
    page.fill("input[name=applicant_address]", "12 Trần Phú")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert status(page) == "Bản nháp"
    upload(page, "Tờ khai đăng ký khai sinh", "to-khai.pdf")
    assert "Đã tải lên “to-khai.pdf”" in page.content()
    act(page, "submit")
    assert status(page) == "Đã nộp, chờ tiếp nhận"
    dossier_url = page.url

    # Reception receives it and assigns the appraiser.
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    assert "/ho-so/can-xu-ly/" in page.url
    page.get_by_role("link", name="(chưa tiếp nhận)").first.click()
    act(page, "receive")
    assert status(page) == "Đã tiếp nhận"
    code = page.locator("[data-testid=code]").inner_text()
    assert re.fullmatch(r"H21\.65-\d{6}-\d{4}", code)
    act(page, "assign", appraiser=str(demo.user("thamdinh.pleiku@demo.gov.vn").pk))
    assert status(page) == "Đang thẩm định"

    # The appraiser asks for a supplement through the one-stop desk.
    login(page, base, "thamdinh.pleiku@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "request_supplement", reason="Bổ sung giấy chứng sinh bản chính.")
    assert status(page) == "Chờ công dân bổ sung"

    # The citizen sees why, and uploads the missing paper.
    login(page, base, "an.nguyen@example.com")
    page.goto(dossier_url)
    assert "Bổ sung giấy chứng sinh bản chính." in page.locator("[data-testid=timeline]").inner_text()
    upload(page, "Văn bản xác nhận", "chung-sinh.pdf")

    # Reception records the complete supplement; the appraiser proposes; the leader approves.
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "supplement_received")
    login(page, base, "thamdinh.pleiku@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "propose", proposal="approve")
    assert status(page) == "Chờ phê duyệt"
    login(page, base, "lanhdao.pleiku@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "approve")
    assert status(page) == "Đã phê duyệt"

    # The appraiser attaches the signed result and sends it to the desk; the desk returns it online.
    login(page, base, "thamdinh.pleiku@demo.gov.vn")
    page.goto(dossier_url)
    page.locator("input[name=kind][value=result] ~ input[type=file]").set_input_files(
        files=[{"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.locator("form:has(input[name=kind][value=result]) button").click()
    page.wait_for_selector("text=Đã tải lên “giay-khai-sinh.pdf”")
    act(page, "resolve")
    assert status(page) == "Có kết quả, chờ trả"
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "return_result", how="online")
    assert status(page) == "Đã trả kết quả"

    # The citizen downloads the result.
    login(page, base, "an.nguyen@example.com")
    page.goto(dossier_url)
    with page.expect_download() as download:
        page.locator("[data-testid=result-file]").click()
    assert download.value.suggested_filename == "giay-khai-sinh.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    timeline = page.locator("[data-testid=timeline]").inner_text()
    for label in ("Đã tiếp nhận", "Chờ công dân bổ sung", "Đã phê duyệt", "Đã trả kết quả"):
        assert label in timeline
