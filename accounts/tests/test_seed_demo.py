import pytest
from django.core.management import call_command

from accounts.models import Agency, AgencyLevel, Role, StaffRole, User

pytestmark = pytest.mark.django_db


def _counts():
    return (Agency.objects.count(), User.objects.count(), StaffRole.objects.count())


def test_seed_demo_is_idempotent_and_prints_accounts(capsys):
    call_command("seed_demo", "--skip", "procedures")
    first = _counts()
    out = capsys.readouterr().out
    assert "MotCua@2026" in out
    call_command("seed_demo", "--skip", "procedures")
    assert _counts() == first
    for email in ["admin@demo.gov.vn", "noivu@demo.gov.vn", "tiepnhan.pleiku@demo.gov.vn",
                  "thamdinh.pleiku@demo.gov.vn", "lanhdao.pleiku@demo.gov.vn", "an.nguyen@example.com"]:
        assert email in out


def test_seed_demo_has_two_tier_province_and_every_role_in_two_agencies():
    call_command("seed_demo", "--quiet", "--skip", "procedures")
    province = Agency.objects.get(level=AgencyLevel.PROVINCE)
    assert province.parent is None
    communes = Agency.objects.filter(level=AgencyLevel.COMMUNE)
    assert communes.count() >= 3
    assert all(c.parent_id == province.pk for c in communes)  # no district tier since 07/2025
    assert Agency.objects.filter(level=AgencyLevel.DEPARTMENT, name__startswith="Sở Nội vụ").exists()
    for role in Role.values:
        agencies = StaffRole.objects.filter(role=role).values("agency").distinct().count()
        assert agencies >= 2, role
    citizens = User.objects.filter(staff_roles__isnull=True, is_superuser=False)
    assert citizens.count() >= 2


def test_seed_demo_restores_a_changed_demo_password():
    call_command("seed_demo", "--quiet", "--skip", "procedures")
    user = User.objects.get(email="an.nguyen@example.com")
    user.set_password("changed#2026")
    user.save()
    call_command("seed_demo", "--quiet", "--skip", "procedures")
    user.refresh_from_db()
    assert user.check_password("MotCua@2026")
