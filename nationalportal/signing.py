"""Signed requests between this portal and the national portal (both directions): HMAC-SHA256 under a shared
secret of "<timestamp>.<body>", the timestamp (Unix seconds) in X-Timestamp and the hex digest in
X-Signature. A request whose timestamp is outside the replay window (NATIONAL_PORTAL_REPLAY_SECONDS either
side of now) is refused even with a good signature: a captured request cannot be played again later (and
within the window a replayed intake finds its dossier: intake is idempotent by national code)."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

TIMESTAMP_HEADER, SIGNATURE_HEADER = "X-Timestamp", "X-Signature"


def secret() -> str:
    """The shared secret; with the simulator on and none configured, one derived from SECRET_KEY (demo only)."""
    configured = getattr(settings, "NATIONAL_PORTAL_SECRET", "")
    if configured:
        return configured
    if getattr(settings, "NATIONAL_PORTAL_SIMULATOR", False):
        return hashlib.sha256(f"national-portal-simulator:{settings.SECRET_KEY}".encode()).hexdigest()
    return ""


def sign(body: bytes, timestamp: int | str, key: str | None = None) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new((key if key is not None else secret()).encode(), message, hashlib.sha256).hexdigest()


def headers(body: bytes, *, now: float | None = None, key: str | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(body, timestamp, key)}


def verify(body: bytes, timestamp: str | None, signature: str | None, *, now: float | None = None) -> None:
    """Raise DomainError (HTTP 401, or 503 when no secret is configured) unless the request is signed with the
    shared secret and fresh."""
    key = secret()
    if not key:
        raise DomainError("not_configured", _("Chưa cấu hình khóa bí mật kết nối Cổng DVC quốc gia."),
                          http_status=503)
    if not timestamp or not signature:
        raise DomainError("signature_missing", _("Thiếu chữ ký (X-Timestamp, X-Signature)."), http_status=401)
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        raise DomainError("bad_timestamp", _("X-Timestamp phải là số giây Unix."), http_status=401) from None
    if not hmac.compare_digest(sign(body, moment, key), signature.strip().lower()):
        raise DomainError("bad_signature", _("Chữ ký không hợp lệ."), http_status=401)
    window = int(getattr(settings, "NATIONAL_PORTAL_REPLAY_SECONDS", 300))
    if abs((now if now is not None else time.time()) - moment) > window:
        raise DomainError("stale_request", _("Yêu cầu đã quá hạn (lệch quá %d giây so với giờ hệ thống): hãy ký "
                                             "lại với thời điểm hiện tại.") % window, http_status=401)
