"""On a 390-px phone, the digital-signature badge and its details (long CA names, long serials) wrap inside
the dossier page: nothing overflows sideways, the details open and stay within the screen."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from procedures.transfer import import_procedures

from .test_dossier_journey import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("SCREENSHOT_DIR")
# a CA name with no space to wrap at (64 characters, the most a certificate name holds)
LONG = "TrungTamChungThucDienTuQuocGia-BoKhoaHocVaCongNghe-VietNam-00001"


def test_signature_details_fit_a_phone(page, base, demo, pki, tmp_path):
    from accounts.models import User
    from dossiers import services
    from dossiers.attachments import attachment_add
    from dossiers.tests.conftest import APPLICANT
    from dossiers.tests.test_attachment_signatures import blank_form
    from procedures.models import Procedure, VersionStatus
    from signing import democa, testing

    def setup():
        """pyHanko signs and checks with asyncio.run(): not in this thread, where Playwright's loop runs."""
        import_procedures(SAMPLE.read_text(encoding="utf-8"))
        citizen = User.objects.get(email="an.nguyen@example.com")
        version = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
        d = services.dossier_create_draft(citizen=citizen, version=version, agency=demo.agency("H21.65"), **APPLICANT)
        document = version.documents.get(requirement="required")
        good, good_key = pki.person("Nguyễn Văn An")
        ca, ca_key = democa.make_ca(LONG)  # not trusted by the province
        bad, bad_key = democa.make_cert(ca, ca_key, "Công ty TNHH Một Thành Viên Thương Mại Dịch Vụ",
                                        organisation=LONG)
        for name, cert, key in (("to-khai-ky-so-hop-le-rat-dai-ten-tep.pdf", good, good_key),
                                ("to-khai-ky-boi-to-chuc-khong-tin-cay.pdf", bad, bad_key)):
            attachment_add(dossier=d, actor=citizen, document=document, upload=SimpleUploadedFile(
                name, testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert]), content_type="application/pdf"))
        connection.close()  # this thread's own connection
        return d

    with ThreadPoolExecutor(1) as pool:
        d = pool.submit(setup).result()

    page.set_viewport_size(PHONE)
    login(page, base, "an.nguyen@example.com")
    page.goto(f"{base}/ho-so/{d.pk}/")
    assert page.locator("[data-testid=sig-valid]").count() == 1
    assert page.locator("[data-testid=sig-invalid]").count() == 1
    for summary in page.locator("[data-testid=sig-details] summary").all():
        summary.click()
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    for box in page.locator(".sig-facts, .sig-badge, .sig-reasons").all():
        right = box.evaluate("e => e.getBoundingClientRect().right")
        assert right <= PHONE["width"], (box.inner_text()[:80], right)
    page.screenshot(path=str((Path(SHOTS) if SHOTS else tmp_path) / "phone-390-signatures.png"), full_page=True)
