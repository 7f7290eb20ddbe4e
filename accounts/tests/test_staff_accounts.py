"""Staff accounts are created by administrators only, within their own agencies."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import Role, StaffRole, User
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_admin_creates_staff_who_sets_password_by_mail(client, demo, django_capture_on_commit_callbacks):
    client.force_login(demo.user("admin.pleiku@demo.gov.vn"))
    pleiku = demo.agency("H21.65")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workspace:staff_manage"), {
            "full_name": "Siu Thị Mới", "email": "moi.pleiku@demo.gov.vn", "phone": "0905 123 999",
            "agency": pleiku.pk, "role": Role.APPRAISER,
        })
    assert response.status_code == 302
    user = User.objects.get(email="moi.pleiku@demo.gov.vn")
    assert not user.has_usable_password()
    assert list(user.staff_roles.values_list("agency__code", "role")) == [("H21.65", Role.APPRAISER)]
    assert mail.outbox[-1].to == ["moi.pleiku@demo.gov.vn"]
    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    client.logout()
    form_url = client.get(path)["Location"]
    client.post(form_url, {"new_password1": "CanBo#Moi2026", "new_password2": "CanBo#Moi2026"})
    user.refresh_from_db()
    assert user.check_password("CanBo#Moi2026") and user.email_verified_at is not None


def test_commune_admin_cannot_create_staff_in_another_commune(demo):
    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=demo.user("admin.pleiku@demo.gov.vn"), email="x@demo.gov.vn", full_name="X",
            agency=demo.agency("H21.66"), role=Role.RECEPTION,
        )
    assert not User.objects.filter(email="x@demo.gov.vn").exists()


def test_other_agency_not_offered_and_post_rejected(client, demo):
    client.force_login(demo.user("admin.pleiku@demo.gov.vn"))
    page = client.get(reverse("workspace:staff_manage")).content.decode()
    assert "UBND phường Quy Nhơn" not in page and "Ủy ban nhân dân phường Quy Nhơn" not in page
    response = client.post(reverse("workspace:staff_manage"), {
        "full_name": "X", "email": "x@demo.gov.vn", "agency": demo.agency("H21.66").pk, "role": Role.RECEPTION,
    })
    assert response.status_code == 200
    assert not User.objects.filter(email="x@demo.gov.vn").exists()


@pytest.mark.parametrize("email", ["tiepnhan.pleiku@demo.gov.vn", "noivu@demo.gov.vn", "an.nguyen@example.com"])
def test_non_admins_cannot_open_staff_management(client, demo, email):
    client.force_login(demo.user(email))
    assert client.get(reverse("workspace:staff_manage")).status_code == 403


def test_duplicate_staff_email_refused_and_nothing_written(demo):
    before = StaffRole.objects.count()
    with pytest.raises(DomainError) as err:
        services.staff_create(
            actor=demo.user("admin@demo.gov.vn"), email="TIEPNHAN.PLEIKU@demo.gov.vn", full_name="Trùng",
            agency=demo.agency("H21.65"), role=Role.APPROVER,
        )
    assert err.value.code == "email_taken"
    assert StaffRole.objects.count() == before


def test_admin_revokes_role_but_not_own_admin_role(client, demo):
    admin = demo.user("admin.pleiku@demo.gov.vn")
    client.force_login(admin)
    target = StaffRole.objects.get(user__email="tiepnhan.pleiku@demo.gov.vn")
    client.post(reverse("workspace:staff_role_revoke", args=[target.pk]))
    assert not StaffRole.objects.filter(pk=target.pk).exists()
    own = StaffRole.objects.get(user=admin, role=Role.ADMIN)
    response = client.post(reverse("workspace:staff_role_revoke", args=[own.pk]), follow=True)
    assert "không thể tự thu hồi" in response.content.decode()
    assert StaffRole.objects.filter(pk=own.pk).exists()
    outside = StaffRole.objects.get(user__email="tiepnhan.quynhon@demo.gov.vn")
    assert client.post(reverse("workspace:staff_role_revoke", args=[outside.pk])).status_code == 404
    assert StaffRole.objects.filter(pk=outside.pk).exists()
