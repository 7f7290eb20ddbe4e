"""Log in with the e-mail address or the Vietnamese phone number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .models import User
from .validators import normalize_phone


def normalize_identifier(identifier: str) -> str:
    """The canonical form of what a user typed in the login box (e-mail lower-cased, phone E.164)."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return identifier.lower()
    try:
        return normalize_phone(identifier)
    except ValidationError:
        return identifier.lower()


def find_user(identifier: str) -> User | None:
    key = normalize_identifier(identifier)
    if not key:
        return None
    lookup = {"email__iexact": key} if "@" in key else {"phone": key}
    return User.objects.filter(**lookup).first()


def axes_username(request, credentials) -> str:
    """django-axes counts failures per account: the e-mail, 0912... and +84912... of one user are one
    key, so switching identifiers gives no extra guesses. Unknown identifiers are counted as typed."""
    raw = (credentials or {}).get("username") or ""
    user = find_user(raw)
    return f"user:{user.pk}" if user is not None else normalize_identifier(raw)


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same cost as a real check: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
