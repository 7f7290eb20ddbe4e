"""The one permission gate: staff of one commune cannot see or act on another commune's data;
a Home Affairs officer sees every agency of the province, read-only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from accounts import access
from accounts.models import Agency, Role


def _login(client, demo, email):
    client.force_login(demo.user(email))


def test_reception_officer_sees_only_own_commune(demo):
    officer = demo.user("tiepnhan.pleiku@demo.gov.vn")
    pleiku, quynhon = demo.agency("H21.65"), demo.agency("H21.66")
    assert access.visible_agency_ids(officer) == {pleiku.pk}
    assert access.access_agency(officer, pleiku.pk) == pleiku
    with pytest.raises(Http404):
        access.access_agency(officer, quynhon.pk)
    scoped = access.scope_queryset(officer, Agency.objects.all(), agency_field="pk")
    assert list(scoped) == [pleiku]


def test_other_commune_pages_are_404_and_own_are_200(client, demo):
    _login(client, demo, "tiepnhan.pleiku@demo.gov.vn")
    own, other = demo.agency("H21.65"), demo.agency("H21.66")
    assert client.get(reverse("workspace:agency_detail", args=[own.pk])).status_code == 200
    response = client.get(reverse("workspace:agency_detail", args=[other.pk]))
    assert response.status_code == 404
    assert "tiepnhan.quynhon@demo.gov.vn" not in response.content.decode()


def test_staff_cannot_edit_other_commune_and_nothing_changes(client, demo):
    _login(client, demo, "admin.pleiku@demo.gov.vn")
    other = demo.agency("H21.66")
    response = client.post(reverse("workspace:agency_edit", args=[other.pk]), {"name": "Đổi tên trái phép"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "Ủy ban nhân dân phường Quy Nhơn"


def test_commune_admin_edits_own_commune(client, demo):
    _login(client, demo, "admin.pleiku@demo.gov.vn")
    own = demo.agency("H21.65")
    form = {
        "name": own.name, "short_name": own.short_name, "address": own.address, "hotline": "0269 1111 222",
        "email": "", "head_title": own.head_title, "morning_start": "07:00", "morning_end": "11:30",
        "afternoon_start": "13:30", "afternoon_end": "17:00", "reception_cutoff": "15:00",
    }
    response = client.post(reverse("workspace:agency_edit", args=[own.pk]), form)
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.hotline == "0269 1111 222"
    assert own.morning_start.hour == 7 and own.morning_start.minute == 0


def test_office_hours_out_of_order_rejected_with_vietnamese_message(client, demo):
    _login(client, demo, "admin.pleiku@demo.gov.vn")
    own = demo.agency("H21.65")
    form = {
        "name": own.name, "short_name": own.short_name, "address": own.address, "hotline": own.hotline,
        "email": "", "head_title": own.head_title, "morning_start": "11:00", "morning_end": "08:00",
        "afternoon_start": "13:30", "afternoon_end": "17:00", "reception_cutoff": "15:00",
    }
    response = client.post(reverse("workspace:agency_edit", args=[own.pk]), form)
    assert response.status_code == 200
    assert "Giờ làm việc phải theo thứ tự" in response.content.decode()
    own.refresh_from_db()
    assert own.morning_start.hour == 7


def test_reception_officer_cannot_edit_own_agency(client, demo):
    _login(client, demo, "tiepnhan.pleiku@demo.gov.vn")
    own = demo.agency("H21.65")
    assert client.get(reverse("workspace:agency_edit", args=[own.pk])).status_code == 403


def test_home_affairs_sees_whole_province_read_only(client, demo):
    officer = demo.user("noivu@demo.gov.vn")
    all_ids = set(Agency.objects.values_list("pk", flat=True))
    assert access.visible_agency_ids(officer) == all_ids
    assert access.acting_agency_ids(officer, [Role.ADMIN, Role.RECEPTION, Role.APPRAISER, Role.APPROVER]) == set()
    commune = demo.agency("H21.67")
    with pytest.raises(PermissionDenied):
        access.access_agency(officer, commune.pk, for_update=True)
    _login(client, demo, "noivu@demo.gov.vn")
    assert client.get(reverse("workspace:agency_detail", args=[commune.pk])).status_code == 200
    assert client.post(reverse("workspace:agency_edit", args=[commune.pk]), {"name": "x"}).status_code == 403
    page = client.get(reverse("workspace:workspace", args=["home_affairs"])).content.decode()
    for agency in Agency.objects.all():
        assert agency.name in page


def test_home_affairs_of_another_province_sees_nothing_here(demo):
    from accounts.tests.factories import AgencyFactory, StaffRoleFactory

    other_province = AgencyFactory(code="H22", name="UBND tỉnh Khác", level="province")
    department = AgencyFactory(code="H22.10", name="Sở Nội vụ tỉnh Khác", level="department", parent=other_province)
    role = StaffRoleFactory(agency=department, role=Role.HOME_AFFAIRS)
    visible = access.visible_agency_ids(role.user)
    assert visible == {other_province.pk, department.pk}
    assert demo.agency("H21.65").pk not in visible


def test_province_admin_administers_every_agency_below(demo):
    admin = demo.user("admin@demo.gov.vn")
    ids = set(Agency.objects.values_list("pk", flat=True))
    assert access.acting_agency_ids(admin, [Role.ADMIN]) == ids


def test_citizen_sees_no_internal_agency_data(client, demo):
    citizen = demo.user("an.nguyen@example.com")
    assert access.visible_agency_ids(citizen) == set()
    _login(client, demo, "an.nguyen@example.com")
    assert client.get(reverse("workspace:agency_detail", args=[demo.agency("H21.65").pk])).status_code == 404
    assert client.get(reverse("workspace:workspace", args=["reception"])).status_code == 403


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(reverse("workspace:agency_detail", args=[demo.agency("H21.65").pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_role_in_deactivated_agency_gives_no_access(demo):
    officer = demo.user("tiepnhan.pleiku@demo.gov.vn")
    Agency.objects.filter(code="H21.65").update(is_active=False)
    assert access.visible_agency_ids(officer) == set()
