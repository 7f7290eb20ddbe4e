"""Reception regardless of administrative boundaries, in the browser (Decree 118/2025; Debian Chromium,
Playwright): a judicial record received at the Pleiku ward desk, handled by the provincial police (Công an tỉnh,
competent for it since 07/2025) and handed over at the Quy Nhơn ward desk the citizen chose. Each desk sees its
side: the route section, the hand-over buttons, the worklist's route queues and the hand-overs waiting for
confirmation."""

from pathlib import Path

import pytest

from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures

from .test_dossier_journey import PDF, act, login, status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
SHOTS = Path("/tmp/shots17")
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _judicial_record_for_the_police(demo):
    """The sample catalogue's judicial record, competent at the provincial police and on the province's list."""
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    version = Procedure.objects.get(code="2.000505").versions.get(status=VersionStatus.PUBLISHED)
    version.agencies.set([demo.agency("H21.30")])
    type(version).objects.filter(pk=version.pk).update(anywhere=True)
    return version


def _shoot(page, name, selector=None):
    """A screenshot at each size (the element when given, else the full page); nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        target = page.locator(selector) if selector else page
        if selector:
            target.screenshot(path=str(SHOTS / f"{name}-{label}-{size['width']}.png"))
        else:
            page.screenshot(path=str(SHOTS / f"{name}-{label}-{size['width']}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1, (name, label)
    page.set_viewport_size(SIZES["desktop"])


def _logout(page):
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/logout/']").count() == 0


def _route(page):
    return {key: page.locator(f"[data-testid=route-{key}]").inner_text() for key in ("receiving", "handling",
                                                                                     "returning")}


def _worklist(page, base, queue=None):
    page.goto(f"{base}/ho-so/can-xu-ly/" + (f"?queue={queue}" if queue else ""))
    return page.locator("[data-testid=worklist]").inner_text()


def test_received_at_a_ward_handled_by_the_police_returned_at_another_ward(page, base, demo):
    version = _judicial_record_for_the_police(demo)
    page.set_viewport_size(SIZES["desktop"])

    # The Pleiku ward desk: the judicial record, the competent agency (the police) proposed, the result at Quy Nhơn.
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    page.goto(f"{base}/ho-so/tiep-nhan/")
    page.select_option("select[name=version]", label=f"2.000505 — {version.procedure.name}")
    page.wait_for_selector("[data-testid=desk-components] input[type=checkbox]")
    assert page.input_value("select[name=handling_agency]") == "H21.30"
    assert page.locator("select[name=handling_agency] option:checked").inner_text() == "Công an tỉnh Gia Lai"
    returning = page.locator("select[name=returning_agency] option").all_inner_texts()
    assert "Ủy ban nhân dân phường Quy Nhơn" in returning and "Công an tỉnh Gia Lai" in returning
    page.select_option("select[name=returning_agency]", label="Ủy ban nhân dân phường Quy Nhơn")
    page.fill("input[name=applicant_name]", "Nguyễn Văn An")
    page.fill("input[name=applicant_id_number]", "064090000123")
    page.fill("input[name=applicant_address]", "12 Trần Phú")
    page.fill("input[name=applicant_commune]", "Phường Quy Nhơn")
    page.locator("[data-testid=scan-1]").set_input_files(
        files=[{"name": "to-khai-lltp.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    _shoot(page, "desk")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert status(page) == "Đã tiếp nhận"
    code = page.locator("[data-testid=code]").inner_text()
    assert code.startswith("H21.65-")  # the receiving desk's code (Decree 61/2018 Art. 26(a))
    dossier_url = page.url
    assert _route(page) == {"receiving": "Ủy ban nhân dân phường Pleiku", "handling": "Công an tỉnh Gia Lai",
                            "returning": "Ủy ban nhân dân phường Quy Nhơn"}
    assert page.locator("button[data-action=assign]").count() == 0  # the police assigns, not the ward
    assert page.locator("button[data-action=send-result]").count() == 0
    # The fee of the judicial record is collected where the dossier is received.
    page.locator("[data-testid=pay-desk] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=payments]").count() == 1

    # It forwards the digitised dossier, the paper originals following with a carrier.
    _shoot(page, "route-to-send", "[data-testid=route]")
    send = page.locator("[data-testid=handover-send-dossier]")
    send.locator("input[name=paper]").check()
    send.locator("input[name=carrier]").fill("Nguyễn Văn Chuyển")
    send.locator("button[data-action=send-dossier]").click()
    page.wait_for_load_state()
    row = page.locator("[data-testid=handover-dossier]")
    assert "Chờ xác nhận" in row.inner_text() and "Nguyễn Văn Chuyển" in row.inner_text()
    assert "Ủy ban nhân dân phường Pleiku → Công an tỉnh Gia Lai" in row.inner_text()
    assert page.locator("[data-testid=handover-send-dossier]").count() == 0  # sent once
    assert row.locator("button[data-action=acknowledge-dossier]").count() == 0  # the sender does not confirm
    assert page.locator("[data-testid=handover-slip-dossier]").count() == 1
    _shoot(page, "route-sent", "[data-testid=route]")
    assert code in _worklist(page, base, "sent")
    pending = page.locator("[data-testid=pending-handovers]").inner_text()
    assert code in pending and "Chờ nơi nhận xác nhận" in pending
    _logout(page)

    # The police's one-stop desk sees it coming and confirms the electronic file, then the paper.
    login(page, base, "tiepnhan.congan@demo.gov.vn")
    assert code in _worklist(page, base, "incoming")
    _shoot(page, "worklist-incoming")
    pending = page.locator("[data-testid=pending-handovers]")
    assert code in pending.inner_text() and "Cần xác nhận" in pending.inner_text()
    pending.get_by_role("link", name=code).click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=handover-send-dossier]").count() == 0
    assert page.locator("button[data-action=assign]").count() == 0  # the desk confirms before anyone works on it
    _shoot(page, "route-to-confirm", "[data-testid=route]")
    page.locator("button[data-action=acknowledge-dossier]").click()
    page.wait_for_load_state()
    page.locator("button[data-action=paper-dossier]").click()
    page.wait_for_load_state()
    row = page.locator("[data-testid=handover-dossier]").inner_text()
    assert "Bản điện tử:" in row and "Bản giấy: " in row and "chưa nhận" not in row and "Chờ xác nhận" not in row
    assert page.locator("button[data-action^=acknowledge]").count() == 0
    _worklist(page, base)
    assert page.locator("[data-testid=pending-handovers]").count() == 0

    # Its head (Giám đốc Công an tỉnh) assigns, its appraiser proposes, the head approves.
    login(page, base, "lanhdao.congan@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "assign", appraiser=str(demo.user("thamdinh.congan@demo.gov.vn").pk))
    assert status(page) == "Đang thẩm định"
    login(page, base, "thamdinh.congan@demo.gov.vn")
    page.goto(dossier_url)
    page.locator("form:has(button[data-action=propose]) textarea[name=result_summary]").fill("Phiếu LLTP số 1")
    act(page, "propose")
    assert status(page) == "Chờ phê duyệt"
    login(page, base, "lanhdao.congan@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "approve")
    assert status(page) == "Đã phê duyệt"

    # Its desk records the result and sends it to the desk the citizen chose.
    login(page, base, "tiepnhan.congan@demo.gov.vn")
    page.goto(dossier_url)
    act(page, "resolve")
    assert status(page) == "Có kết quả, chờ trả"
    assert page.locator("button[data-action=return_result]").count() == 0  # not the desk the citizen chose
    send = page.locator("[data-testid=handover-send-result]")
    send.locator("input[name=paper]").check()
    send.locator("input[name=carrier]").fill("Văn thư Công an tỉnh")
    send.locator("button[data-action=send-result]").click()
    page.wait_for_load_state()
    row = page.locator("[data-testid=handover-result]").inner_text()
    assert "Công an tỉnh Gia Lai → Ủy ban nhân dân phường Quy Nhơn" in row and "Chờ xác nhận" in row
    _logout(page)

    # The Quy Nhơn ward desk confirms the result arrived and hands it over.
    login(page, base, "tiepnhan.quynhon@demo.gov.vn")
    assert code not in _worklist(page, base, "to_return")  # not yet acknowledged: in the table to confirm
    assert code in page.locator("[data-testid=pending-handovers]").inner_text()
    page.goto(dossier_url)
    assert _route(page)["returning"] == "Ủy ban nhân dân phường Quy Nhơn"
    assert page.locator("button[data-action=send-result]").count() == 0
    page.locator("button[data-action=acknowledge-result]").click()
    page.wait_for_load_state()
    page.locator("button[data-action=paper-result]").click()
    page.wait_for_load_state()
    _shoot(page, "route-arrived", "[data-testid=route]")
    assert code in _worklist(page, base, "to_return")  # arrived: a result to hand over
    page.goto(dossier_url)
    act(page, "return_result", how="desk")
    assert status(page) == "Đã trả kết quả"
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "Đã trả kết quả" in timeline
    _shoot(page, "dossier-returned")
