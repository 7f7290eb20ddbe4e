"""Every write on users, agencies and roles (ARCHITECTURE.md §3.2)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import access, policies
from .events import account_email_request
from .models import Agency, Role, StaffRole, User
from .tokens import email_verification_token
from .validators import normalize_phone, validate_citizen_id


def _clean_identity(*, email: str, phone: str | None, citizen_id: str | None, exclude_pk: int | None = None):
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise DomainError("invalid_email", _("Địa chỉ email không hợp lệ."), field="email")
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if others.filter(email__iexact=email).exists():
        raise DomainError("email_taken", _("Email này đã được dùng cho một tài khoản khác."), field="email")
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise DomainError("invalid_phone", exc.messages[0], field="phone") from None
        if others.filter(phone=phone).exists():
            raise DomainError("phone_taken", _("Số điện thoại này đã được dùng cho một tài khoản khác."), field="phone")
    else:
        phone = None
    if citizen_id:
        try:
            validate_citizen_id(citizen_id)
        except ValidationError as exc:
            raise DomainError("invalid_citizen_id", exc.messages[0], field="citizen_id") from None
        if others.filter(citizen_id=citizen_id).exists():
            raise DomainError("citizen_id_taken", _("Số CCCD này đã được đăng ký."), field="citizen_id")
    else:
        citizen_id = None
    return email, phone, citizen_id


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).first()


@transaction.atomic
def citizen_register(
    *, email: str, full_name: str, password: str, phone: str | None = None, citizen_id: str | None = None,
) -> User:
    """Self-registration of a citizen. The account can log in once the e-mail is verified."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise DomainError("full_name_required", _("Vui lòng nhập họ và tên."), field="full_name")
    email, phone, citizen_id = _clean_identity(email=email, phone=phone, citizen_id=citizen_id)
    user = User(email=email, phone=phone, full_name=full_name, citizen_id=citizen_id)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    verification_email_send(user=user)
    return user


def verification_email_send(*, user: User) -> None:
    if user.email_verified:
        return
    token = email_verification_token.make_token(user)
    account_email_request(
        user=user, template="notifications/email/verify_email", context={"uid": _uid(user), "token": token}
    )


@transaction.atomic
def user_verify_email(*, uidb64: str, token: str) -> User:
    user = user_from_uid(uidb64)
    if user is None or not email_verification_token.check_token(user, token):
        raise DomainError(
            "invalid_verification_link",
            _("Liên kết xác thực không đúng hoặc đã hết hạn. Hãy đăng nhập để nhận liên kết mới."),
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.email_verified_at:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def password_set_email_send(*, user: User, template: str = "notifications/email/password_reset") -> None:
    """A one-time link to choose a password (new staff accounts, forgotten passwords)."""
    account_email_request(
        user=user, template=template, context={"uid": _uid(user), "token": default_token_generator.make_token(user)}
    )


def _require_admin_of(actor: User, agency: Agency) -> None:
    if not policies.can_administer_agency(actor, agency):
        raise PermissionDenied(_("Chỉ quản trị viên của cơ quan này mới được quản lý cán bộ."))


@transaction.atomic
def staff_create(
    *, actor: User, email: str, full_name: str, agency: Agency, role: str, phone: str | None = None,
) -> User:
    """An administrator creates a staff account with its first role; the person sets a password by e-mail."""
    _require_admin_of(actor, agency)
    if role not in Role.values:
        raise DomainError("invalid_role", _("Vai trò không hợp lệ."), field="role")
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise DomainError("full_name_required", _("Vui lòng nhập họ và tên."), field="full_name")
    email, phone, _cid = _clean_identity(email=email, phone=phone, citizen_id=None)
    user = User(email=email, phone=phone, full_name=full_name, email_verified_at=None)
    user.set_unusable_password()
    user.save()
    StaffRole.objects.create(user=user, agency=agency, role=role)
    password_set_email_send(user=user, template="notifications/email/staff_welcome")
    return user


@transaction.atomic
def staff_role_grant(*, actor: User, user: User, agency: Agency, role: str) -> StaffRole:
    _require_admin_of(actor, agency)
    if role not in Role.values:
        raise DomainError("invalid_role", _("Vai trò không hợp lệ."), field="role")
    staff_role, _created = StaffRole.objects.get_or_create(user=user, agency=agency, role=role)
    access.forget(user)
    return staff_role


@transaction.atomic
def staff_role_revoke(*, actor: User, staff_role: StaffRole) -> None:
    _require_admin_of(actor, staff_role.agency)
    if policies.is_own_admin_role(actor, staff_role):
        raise DomainError("cannot_revoke_self", _("Bạn không thể tự thu hồi quyền quản trị của chính mình."))
    staff_role.delete()
    access.forget(staff_role.user)


AGENCY_EDITABLE_FIELDS = (
    "name", "short_name", "address", "hotline", "email", "morning_start", "morning_end",
    "afternoon_start", "afternoon_end", "reception_cutoff", "head", "head_title",
)


@transaction.atomic
def agency_update(*, actor: User, agency_pk: int, **changes) -> Agency:
    """Update an agency's public information and office hours (its administrator only)."""
    unknown = set(changes) - set(AGENCY_EDITABLE_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("Không được sửa các trường: %s.") % ", ".join(sorted(unknown)))
    agency = access.access_agency(actor, agency_pk, for_update=True)  # for_update: its administrators only
    for field, value in changes.items():
        setattr(agency, field, value)
    try:
        agency.full_clean()
    except ValidationError as exc:
        raise DomainError("invalid_agency", " ".join(exc.messages)) from None
    agency.save()
    return agency
