"""The administrator's national-portal page in the browser (Debian Chromium, Playwright), at 1366 and 390 px:
reached from the workspace, an unmapped procedure mapped through the form (a duplicate type refused first, on
its field), the refusal of an earlier intake listed; nothing wider than the screen."""

import os
from pathlib import Path

import pytest

from core.errors import DomainError
from nationalportal import intake
from nationalportal.models import DocumentTypeMapping, VersionMapping
from nationalportal.tests.test_intake import request_body
from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures

from .test_dossier_journey import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shoot(page, folder: Path, name: str):
    """A full-page screenshot at each size; nothing wider than the screen."""
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}-{size['width']}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1, (name, label)
    page.set_viewport_size(SIZES["desktop"])


def test_an_administrator_maps_a_procedure_and_reads_the_refusals(page, base, demo, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    birth = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    with pytest.raises(DomainError):
        intake.intake(request_body(birth, code="G22.99-261206-0901"))
    page.set_viewport_size(SIZES["desktop"])
    login(page, base, "admin.pleiku@demo.gov.vn")
    page.goto(f"{base}/workspace/admin/")
    page.click("[data-testid=open-national-portal]")
    page.wait_for_load_state()
    assert "G22.99-261206-0901" in page.locator("[data-testid=refusals]").inner_text()
    assert "1.001193" in page.locator("[data-testid=unmapped]").inner_text()
    _shoot(page, shots, "np-admin")
    page.locator("[data-testid=unmapped] tr", has_text="1.001193").get_by_role("link").click()
    page.wait_for_load_state()
    fields = page.locator("input[name^='types.']")
    assert fields.count() == 2
    fields.nth(1).fill(fields.nth(0).input_value())
    page.click("[data-testid=mapping-form] button[type=submit]")
    page.wait_for_load_state()
    assert "dùng cho hai thành phần" in page.locator(".field.has-error").inner_text()
    assert not VersionMapping.objects.exists()
    _shoot(page, shots, "np-admin-map-error")
    fields.nth(1).fill("TP2-QG")
    page.click("[data-testid=mapping-form] button[type=submit]")
    page.wait_for_load_state()
    assert "Đã ánh xạ thủ tục 1.001193" in page.locator(".messages").inner_text()
    assert "1.001193" in page.locator("[data-testid=mapped]").inner_text()
    assert "TP2-QG" in DocumentTypeMapping.objects.filter(version=birth).values_list("national_type", flat=True)
    _shoot(page, shots, "np-admin-mapped")
