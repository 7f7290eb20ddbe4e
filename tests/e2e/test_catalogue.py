"""A citizen on a phone finds a procedure by typing without accents and reads what to bring."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from procedures.transfer import import_procedures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"


@pytest.fixture
def catalogue(db):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}])
def test_search_as_you_type_then_read_the_procedure(page, base, catalogue, size, tmp_path):
    page.set_viewport_size(size)
    page.goto(f"{base}/thu-tuc/")
    page.fill("#q", "dang ky khai sinh")
    # (expect, not wait_for_function: a string predicate is eval'd in the page, which the CSP refuses)
    expect(page.locator("[data-testid=result-count]")).to_contain_text("1 thủ tục")
    assert "Thủ tục đăng ký khai sinh" in page.locator("#results").inner_text()
    assert "q=dang%20ky%20khai%20sinh" in page.url  # the search is bookmarkable (hx-push-url)
    page.get_by_role("link", name="Thủ tục đăng ký khai sinh").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Thủ tục đăng ký khai sinh"
    channels = page.locator("[data-testid=channels]").inner_text()
    assert "Trực tiếp" in channels and "Trong ngày" in channels
    assert "Tờ khai đăng ký khai sinh" in page.locator("[data-testid=documents]").inner_text()
    # Nothing wider than the screen on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"] + 1
    page.screenshot(path=str(tmp_path / f"detail-{size['width']}.png"), full_page=True)


def test_filters_without_javascript_still_work(page, base, catalogue):
    page.goto(f"{base}/thu-tuc/?level=province")
    assert "Cấp Phiếu lý lịch tư pháp" in page.locator("#results").inner_text()
    assert "khai sinh" not in page.locator("#results").inner_text()
