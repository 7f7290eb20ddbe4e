"""The desk sees where a dossier came from: the national portal's badge in the worklist, its national code and
channel on the dossier page, what that portal vouched for (VNeID, fees paid there) for staff, and the staff
search finds it by either code."""

import pytest

from dossiers import services
from dossiers.models import Dossier
from dossiers.tests.conftest import APPLICANT, attach_required
from nationalportal import intake, mapping
from nationalportal.tests.test_intake import request_body

pytestmark = pytest.mark.django_db
WORKLIST = "/ho-so/can-xu-ly/"
BADGE = 'data-testid="national-portal"'


@pytest.fixture
def filed(world):
    """One dossier filed on the national portal (VNeID verified, a fee paid there) and one filed here online."""
    mapping.map_version(world.birth)
    national = intake.intake(request_body(world.birth, fees={"paid": 50_000, "reference": "PAYGOV-77"})).record.dossier
    draft = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    here = services.dossier_submit(dossier=attach_required(draft, world.citizen), actor=world.citizen)
    return national, here


def test_the_worklist_marks_dossiers_from_the_national_portal(client, world, filed):
    national, here = filed
    client.force_login(world.reception)
    page = client.get(WORKLIST, {"role": "reception"}).content.decode()
    assert page.count(BADGE) == 1 and "Trực tuyến (Cổng DVC quốc gia)" in page
    rows = page.split("<tr")
    national_row = next(r for r in rows if f"/ho-so/{national.pk}/" in r)
    here_row = next(r for r in rows if f"/ho-so/{here.pk}/" in r)
    assert BADGE in national_row and national.national_code in national_row
    assert BADGE not in here_row


def test_the_dossier_page_shows_the_national_code_and_what_the_portal_vouched_for(client, world, filed):
    national, here = filed
    client.force_login(world.reception)
    page = client.get(f"/ho-so/{national.pk}/").content.decode()
    assert f"Mã hồ sơ trên Cổng DVC quốc gia: <strong>{national.national_code}</strong>" in page
    assert 'data-testid="channel">Trực tuyến (Cổng DVC quốc gia) / ' in page
    assert 'data-testid="national-intake"' in page and "Đã xác thực qua VNeID" in page
    assert "50.000 đồng" in page and "PAYGOV-77" in page
    other = client.get(f"/ho-so/{here.pk}/").content.decode()
    assert 'data-testid="national-intake"' not in other and 'data-testid="national-code"' not in other
    assert 'data-testid="channel">Trực tuyến / ' in other
    # not verified, nothing paid: said so, without saying a fee is due (what is due is the fee panel's: a procedure
    # without fees showed "Chưa nộp", found in the walk-through)
    record = national.national_intake
    record.vneid_verified, record.fees_paid = False, 0
    record.save()
    page = client.get(f"/ho-so/{national.pk}/").content.decode()
    assert "Chưa xác thực qua VNeID" in page
    assert 'data-testid="national-fees">Không có khoản nộp nào trên Cổng<' in page


def test_the_citizen_side_has_no_staff_panel(client, world, filed):
    _national, here = filed
    client.force_login(world.citizen)
    page = client.get(f"/ho-so/{here.pk}/").content.decode()
    assert 'data-testid="national-intake"' not in page and "Cổng DVC quốc gia" not in page


def test_staff_search_finds_a_dossier_by_its_national_code_or_ours(client, world, filed):
    national, here = filed
    client.force_login(world.reception)

    def found(code):
        page = client.get(WORKLIST, {"code": code}).content.decode()
        return sorted(int(pk) for pk in (national.pk, here.pk) if f"/ho-so/{pk}/\"" in page)

    assert found(national.national_code) == [national.pk]
    assert found(national.national_code.lower()) == [national.pk]  # typed in small letters
    assert found(f"  {national.national_code} ") == [national.pk]
    received = services.dossier_receive(dossier=Dossier.objects.get(pk=here.pk), actor=world.reception)
    assert found(received.code) == [here.pk]
    assert found("G22.99-000000-0000") == []
    assert found("") == sorted([national.pk, here.pk])
    page = client.get(WORKLIST, {"code": "x" * 500}).content.decode()  # cut to the field's length, no error
    assert "Không có hồ sơ nào trong danh sách này." in page
