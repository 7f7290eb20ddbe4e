"""Validators for Vietnamese identifiers: phone numbers, citizen IDs (CCCD), agency codes."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes that open a 12-digit CCCD number (Circular 59/2021/TT-BCA, Annex I).
CCCD_PROVINCE_CODES = frozenset(
    """001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031
    033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062
    064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093
    094 095 096""".split()
)

AGENCY_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,4}(\.[A-Z0-9]{1,5}){0,4}$")


def normalize_phone(value: str) -> str:
    """Return a Vietnamese phone number in E.164 form (+84...), or raise ValidationError."""
    raw = (value or "").strip()
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.isdigit() and digits.startswith("84") and len(digits) in (11, 12):
        raw = "+" + digits  # 84912345678: the country code written without "+"
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Số điện thoại không hợp lệ."), code="invalid_phone") from None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Số điện thoại không phải số Việt Nam hợp lệ (ví dụ 0912 345 678)."), code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalize_phone(value)


def display_phone(value: str) -> str:
    """+84912345678 -> 0912 345 678 (the way Vietnamese people write it)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def validate_citizen_id(value: str) -> None:
    """A CCCD number: 12 digits, a real province code, a valid gender/century digit."""
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("Số CCCD phải gồm đúng 12 chữ số."), code="invalid_citizen_id")
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("Số CCCD không hợp lệ: ba chữ số đầu không phải mã tỉnh, thành phố."), code="invalid_citizen_id"
        )


def validate_agency_code(value: str) -> None:
    """An agency identifier under QCVN 102:2016/BTTTT, e.g. H21 or H21.65 or G12.24.3."""
    if not AGENCY_CODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _("Mã định danh cơ quan không hợp lệ (theo QCVN 102:2016/BTTTT, ví dụ H21.65)."),
            code="invalid_agency_code",
        )
