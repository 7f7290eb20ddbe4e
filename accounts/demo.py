"""Demo data of the accounts layer: one province (two-tier model since 07/2025), its agencies,
staff for every role in at least two agencies, and citizens. Idempotent (keyed on codes and e-mails).

The agency codes below follow the QCVN 102:2016 shape (H21 = Gia Lai, as in the real dossier
code H21.65-220914-0011); the sub-codes are illustrative demo values.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Agency, AgencyLevel, Role, StaffRole, User
from .validators import normalize_phone

DEMO_PASSWORD = "MotCua@2026"

PROVINCE = {"code": "H21", "name": "Ủy ban nhân dân tỉnh Gia Lai", "short_name": "UBND tỉnh Gia Lai",
            "level": AgencyLevel.PROVINCE, "address": "Số 1 Trần Phú, phường Quy Nhơn, tỉnh Gia Lai",
            "hotline": "0256 3822 222", "head_title": "Chủ tịch"}

AGENCIES = [
    {"code": "H21.10", "name": "Sở Nội vụ tỉnh Gia Lai", "short_name": "Sở Nội vụ", "level": AgencyLevel.DEPARTMENT,
     "address": "Phường Quy Nhơn, tỉnh Gia Lai", "hotline": "0256 3822 101", "head_title": "Giám đốc"},
    {"code": "H21.11", "name": "Sở Tư pháp tỉnh Gia Lai", "short_name": "Sở Tư pháp", "level": AgencyLevel.DEPARTMENT,
     "address": "Phường Quy Nhơn, tỉnh Gia Lai", "hotline": "0256 3822 102", "head_title": "Giám đốc"},
    {"code": "H21.20", "name": "Sở Xây dựng tỉnh Gia Lai", "short_name": "Sở Xây dựng", "level": AgencyLevel.DEPARTMENT,
     "address": "Phường Quy Nhơn, tỉnh Gia Lai", "hotline": "0256 3822 103", "head_title": "Giám đốc"},
    # The provincial police: competent for the judicial record since 07/2025 (procedures.demo.DEMO_COMPETENT).
    {"code": "H21.30", "name": "Công an tỉnh Gia Lai", "short_name": "Công an tỉnh", "level": AgencyLevel.DEPARTMENT,
     "address": "Phường Quy Nhơn, tỉnh Gia Lai", "hotline": "0256 3822 130", "head_title": "Giám đốc"},
    {"code": "H21.50", "name": "Trung tâm Phục vụ hành chính công tỉnh Gia Lai", "short_name": "Trung tâm PVHCC tỉnh",
     "level": AgencyLevel.CENTER, "address": "Phường Quy Nhơn, tỉnh Gia Lai", "hotline": "0256 3822 150",
     "head_title": "Giám đốc"},
    {"code": "H21.65", "name": "Ủy ban nhân dân phường Pleiku", "short_name": "UBND phường Pleiku",
     "level": AgencyLevel.COMMUNE, "address": "Phường Pleiku, tỉnh Gia Lai", "hotline": "0269 3824 165",
     "head_title": "Chủ tịch"},
    {"code": "H21.66", "name": "Ủy ban nhân dân phường Quy Nhơn", "short_name": "UBND phường Quy Nhơn",
     "level": AgencyLevel.COMMUNE, "address": "Phường Quy Nhơn, tỉnh Gia Lai", "hotline": "0256 3891 166",
     "head_title": "Chủ tịch"},
    {"code": "H21.67", "name": "Ủy ban nhân dân xã Ia Grai", "short_name": "UBND xã Ia Grai",
     "level": AgencyLevel.COMMUNE, "address": "Xã Ia Grai, tỉnh Gia Lai", "hotline": "0269 3845 167",
     "head_title": "Chủ tịch",
     # A commune far from the centre: the afternoon session starts at 14:00 in summer.
     "afternoon_start": datetime.time(14, 0), "afternoon_end": datetime.time(17, 30)},
]

# (email, full name, phone, [(role, agency code)], head of agency code or None, superuser)
STAFF = [
    ("admin@demo.gov.vn", "Phạm Quốc Quản", "0905000001", [(Role.ADMIN, "H21")], None, True),
    ("admin.pleiku@demo.gov.vn", "Rơ Mah Hùng", "0905000002", [(Role.ADMIN, "H21.65")], None, False),
    ("noivu@demo.gov.vn", "Lê Thị Nội", "0905000003", [(Role.HOME_AFFAIRS, "H21.10")], None, False),
    ("noivu.quynhon@demo.gov.vn", "Đặng Văn Vụ", "0905000004", [(Role.HOME_AFFAIRS, "H21.66")], None, False),
    ("tiepnhan.pleiku@demo.gov.vn", "Nguyễn Thị Tiếp", "0905000011", [(Role.RECEPTION, "H21.65")], None, False),
    ("tiepnhan.quynhon@demo.gov.vn", "Trần Văn Nhận", "0905000012", [(Role.RECEPTION, "H21.66")], None, False),
    ("thamdinh.pleiku@demo.gov.vn", "Võ Minh Thẩm", "0905000021", [(Role.APPRAISER, "H21.65")], None, False),
    ("thamdinh.quynhon@demo.gov.vn", "Huỳnh Thị Định", "0905000022", [(Role.APPRAISER, "H21.66")], None, False),
    ("lanhdao.pleiku@demo.gov.vn", "Ksor Y Duyệt", "0905000031", [(Role.APPROVER, "H21.65")], "H21.65", False),
    ("lanhdao.quynhon@demo.gov.vn", "Bùi Văn Phê", "0905000032", [(Role.APPROVER, "H21.66")], "H21.66", False),
    # The provincial police and the provincial centre with their own one-stop desks: the competent agency of
    # the province-level dossiers a ward desk receives for others (the judicial record; reception regardless
    # of administrative boundaries, Decree 118/2025) and the province's main desk; the approver is the head,
    # Giám đốc Công an tỉnh. (Earlier demos put these staff at Sở Tư pháp as *.sotuphap@ with the phones
    # 0905000013/23/33; a database seeded then keeps those accounts untouched, hence new phone numbers.)
    ("tiepnhan.congan@demo.gov.vn", "Lê Thị An", "0905000015", [(Role.RECEPTION, "H21.30")], None, False),
    ("tiepnhan.trungtam@demo.gov.vn", "Mai Thị Công", "0905000014", [(Role.RECEPTION, "H21.50")], None, False),
    ("thamdinh.congan@demo.gov.vn", "Đỗ Văn Ninh", "0905000024", [(Role.APPRAISER, "H21.30")], None, False),
    ("lanhdao.congan@demo.gov.vn", "Hà Minh Trung", "0905000034", [(Role.APPROVER, "H21.30")], "H21.30", False),
]

CITIZENS = [
    ("an.nguyen@example.com", "Nguyễn Văn An", "0912345678", "064090000123"),
    ("binh.tran@example.com", "Trần Thị Bình", "0987654321", "052190000456"),
]


def _user(email, full_name, phone, *, citizen_id=None, superuser=False) -> User:
    user, _ = User.objects.update_or_create(
        email=email,
        defaults={
            "full_name": full_name, "phone": phone_e164(phone), "citizen_id": citizen_id,
            "is_active": True, "is_staff": superuser, "is_superuser": superuser,
        },
    )
    if not user.email_verified_at:
        user.email_verified_at = timezone.now()
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def phone_e164(phone: str) -> str:
    return normalize_phone(phone)


def seed(context: dict) -> None:
    province, _ = Agency.objects.update_or_create(code=PROVINCE["code"], defaults=PROVINCE)
    agencies = {province.code: province}
    for spec in AGENCIES:
        agency, _ = Agency.objects.update_or_create(code=spec["code"], defaults={**spec, "parent": province})
        agencies[agency.code] = agency
    accounts = context.setdefault("accounts", [])
    for email, name, phone, roles, head_of, superuser in STAFF:
        user = _user(email, name, phone, superuser=superuser)
        for role, code in roles:
            StaffRole.objects.get_or_create(user=user, agency=agencies[code], role=role)
            accounts.append((Role(role).label, agencies[code].short_name, email, user.phone_display))
        if head_of:
            Agency.objects.filter(code=head_of).update(head=user)
    for email, name, phone, citizen_id in CITIZENS:
        user = _user(email, name, phone, citizen_id=citizen_id)
        accounts.append(("Người dân", "—", email, user.phone_display))
    context["agencies"] = agencies
    context["password"] = DEMO_PASSWORD
