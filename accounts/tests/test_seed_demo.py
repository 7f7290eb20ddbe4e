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


def test_the_provincial_police_has_the_judicial_record_staff_and_its_head_approves():
    call_command("seed_demo", "--quiet", "--skip", "procedures")
    police = Agency.objects.get(code="H21.30")
    assert (police.name, police.short_name, police.level) == ("Công an tỉnh Gia Lai", "Công an tỉnh",
                                                             AgencyLevel.DEPARTMENT)
    assert police.parent.code == "H21" and police.head.email == "lanhdao.congan@demo.gov.vn"
    assert f"{police.head_title} {police.short_name}" == "Giám đốc Công an tỉnh"
    roles = set(StaffRole.objects.filter(agency=police).values_list("user__email", "role"))
    assert roles == {("tiepnhan.congan@demo.gov.vn", Role.RECEPTION), ("thamdinh.congan@demo.gov.vn", Role.APPRAISER),
                     ("lanhdao.congan@demo.gov.vn", Role.APPROVER)}
    justice = Agency.objects.get(code="H21.11")  # Sở Tư pháp stays, without demo staff
    assert justice.name == "Sở Tư pháp tỉnh Gia Lai" and not justice.staff_roles.exists() and justice.head is None
    assert not User.objects.filter(email__contains="sotuphap").exists()


def test_seed_demo_runs_again_on_a_database_seeded_with_the_former_justice_staff():
    """Earlier demos had the judicial record's staff at Sở Tư pháp (*.sotuphap@, phones 0905000013/23/33): a
    re-run adds the police staff beside them and leaves those accounts as they are."""
    justice = Agency.objects.create(code="H21.11", name="Sở Tư pháp tỉnh Gia Lai", level=AgencyLevel.DEPARTMENT)
    former = {}
    for email, name, phone, role in [("tiepnhan.sotuphap@demo.gov.vn", "Lê Thị Tư", "0905000013", Role.RECEPTION),
                                     ("thamdinh.sotuphap@demo.gov.vn", "Đỗ Văn Pháp", "0905000023", Role.APPRAISER),
                                     ("lanhdao.sotuphap@demo.gov.vn", "Hà Minh Lý", "0905000033", Role.APPROVER)]:
        former[email] = User.objects.create_user(email=email, password="MotCua@2026", full_name=name, phone=phone)
        StaffRole.objects.create(user=former[email], agency=justice, role=role)
    Agency.objects.filter(pk=justice.pk).update(head=former["lanhdao.sotuphap@demo.gov.vn"])
    call_command("seed_demo", "--quiet", "--skip", "procedures")
    before = _counts()
    call_command("seed_demo", "--quiet", "--skip", "procedures")
    assert _counts() == before
    for email, user in former.items():
        assert User.objects.get(email=email).phone == user.phone
        assert set(StaffRole.objects.filter(user=user).values_list("agency__code", flat=True)) == {"H21.11"}
    assert Agency.objects.get(code="H21.11").head.email == "lanhdao.sotuphap@demo.gov.vn"
    assert Agency.objects.get(code="H21.30").head.email == "lanhdao.congan@demo.gov.vn"
