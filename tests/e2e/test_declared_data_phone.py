"""On a 390-px phone: the appraiser's panel of declared fields on the dossier page, the worklist's search by a
declared value, the export page and the catalogue's preview of a form all fit the screen (nothing sideways)."""

import json
import os
from pathlib import Path
from unittest import mock

import pytest

from procedures.transfer import import_procedures

from .test_dossier_journey import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "procedures" / "tests" / "data" / "sample.json"
SEED = ROOT / "procedures" / "seed" / "forms" / "1.001193.json"
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("SCREENSHOT_DIR")


def fits(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


def test_declared_data_pages_fit_a_phone(page, base, demo):
    from accounts.models import User
    from dossiers import declarations, services
    from dossiers.tests.conftest import APPLICANT
    from eforms.models import AdministrativeUnit, UnitLevel
    from eforms.units import provinces_ensure
    from procedures.models import DeclarationForm, Procedure, VersionStatus

    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    spec = json.loads(SEED.read_text(encoding="utf-8"))
    version = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    form = DeclarationForm.objects.create(document=version.documents.get(name="Tờ khai đăng ký khai sinh"),
                                          schema=spec["schema"], layout=spec["layout"])
    AdministrativeUnit.objects.create(code="T001", name="Phường Thử", level=UnitLevel.COMMUNE,
                                      parent=provinces_ensure()["52"])
    reception = User.objects.get(email="tiepnhan.pleiku@demo.gov.vn")
    with mock.patch.object(services, "dossier_receive", lambda *, dossier, **kwargs: dossier):
        dossier = services.dossier_create_at_desk(actor=reception, version=version, agency=demo.agency("H21.65"),
                                                  **APPLICANT)
    declarations.declaration_finish(dossier=dossier, document=form.document, actor=reception, post={
        "f-nyc_ho_ten": "Nguyễn Văn An", "f-nyc_so_dinh_danh": "064090000123",
        "f-nyc_noi_cu_tru-province": "52", "f-nyc_noi_cu_tru-commune": "T001",
        "f-nyc_noi_cu_tru-street": "Tổ dân phố 12, đường Trần Phú kéo dài, gần chợ trung tâm",
        "f-quan_he": "cha", "f-ks_ho_ten": "Nguyễn Minh Khang", "f-ks_ngay_sinh": "05/03/2025",
        "f-ks_gioi_tinh": "nam", "f-ks_dan_toc": "Kinh", "f-ks_quoc_tich": "Việt Nam",
        "f-ks_noi_sinh": "Bệnh viện Đa khoa tỉnh Gia Lai, khoa Sản, phòng sinh số 3", "f-me_ho_ten": "Trần Thị Cúc"})
    services.dossier_receive(dossier=dossier, actor=reception)

    page.set_viewport_size(PHONE)
    login(page, base, "thamdinh.pleiku@demo.gov.vn")
    page.goto(f"{base}/ho-so/{dossier.pk}/")
    panel = page.locator("[data-testid=declared-fields]")
    assert "Trần Thị Cúc" in panel.inner_text()
    fits(page, "declared-panel")
    page.goto(f"{base}/ho-so/can-xu-ly/")
    page.fill("[data-testid=declared-search]", "minh khang")
    page.locator("form.worklist-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=worklist] tbody tr a").count() == 1
    fits(page, "worklist-declared")
    page.goto(f"{base}/ho-so/to-khai/xuat/")
    assert page.locator("[data-testid=declaration-export-form] select option").count() == 1
    fits(page, "declaration-export")
    login(page, base, "admin@demo.gov.vn")
    page.goto(f"{base}/admin/procedures/declarationform/{form.pk}/preview/")
    page.locator("[data-testid=preview-check]").click()
    page.wait_for_load_state()
    assert page.locator("p.error").count() > 0
    fits(page, "eform-preview")
