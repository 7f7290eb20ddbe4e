"""In the browser: a citizen pays a fee online through the VNPay-protocol simulator, then starts a
second dossier and takes the component from her document store instead of uploading it again."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from procedures.transfer import import_procedures

from .test_dossier_journey import act, login, status, upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"


def start_household(page, base):
    page.goto(f"{base}/thu-tuc/2.000575/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("select[name=agency]", label="Ủy ban nhân dân phường Pleiku")
    page.fill("input[name=applicant_address]", "12 Trần Phú")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert status(page) == "Bản nháp"
    return page.url


def test_pay_online_then_reuse_a_stored_document(page, base, demo):
    from dossiers.models import Attachment, Dossier
    from payments.models import Payment

    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    login(page, base, "an.nguyen@example.com")
    first_url = start_household(page, base)
    upload(page, "Giấy đề nghị đăng ký hộ kinh doanh", "giay-de-nghi.pdf")
    act(page, "submit")
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    page.goto(first_url)
    act(page, "receive")
    assert status(page) == "Đã tiếp nhận"

    # The citizen pays the 50.000 đ online fee through the gateway (the simulator speaks VNPay's protocol).
    login(page, base, "an.nguyen@example.com")
    page.goto(first_url)
    assert "Chưa nộp phí, lệ phí" in page.locator("[data-testid=fee-status]").inner_text()
    page.click("[data-testid=pay-online]")
    page.wait_for_selector("[data-testid=simulator]")
    assert "50.000 đồng" in page.content()
    page.click("[data-testid=sim-pay]")
    page.wait_for_selector("[data-testid=payment-result]")
    assert "Thanh toán thành công 50.000 đồng" in page.locator("[data-testid=payment-result]").inner_text()
    page.get_by_role("link", name="Về hồ sơ").click()
    page.wait_for_load_state()
    assert "Đã nộp phí, lệ phí" in page.locator("[data-testid=fee-status]").inner_text()
    assert page.locator("[data-testid=pay-online]").count() == 0
    receipt = page.locator("[data-testid=receipt-link]")
    response = page.request.get(base + receipt.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert Payment.objects.get().status == "paid" and Dossier.objects.get().fee_paid_via == "online"

    # A second dossier: the component verified at the first reception is in the store.
    page.goto(f"{base}/kho-du-lieu/")
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in page.locator("[data-testid=store]").inner_text()
    start_household(page, base)
    reuse = page.locator("[data-testid=reuse]")
    reuse.locator("[data-testid=reuse-document]").select_option(index=0)
    reuse.locator("[data-testid=reuse-submit]").click()
    page.wait_for_selector("text=Đã dùng lại giấy tờ từ kho dữ liệu")
    expect(page.locator("[data-testid=reused]")).to_have_count(1)
    act(page, "submit")
    assert status(page) == "Đã nộp, chờ tiếp nhận"
    second = Dossier.objects.order_by("-pk").first()
    assert Attachment.objects.get(dossier=second).reused
