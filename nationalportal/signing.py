"""Signed requests between this portal and the national portal (both directions): HMAC-SHA256 under a shared
secret of "<timestamp>.<METHOD>.<path?query>.<body>", the timestamp (Unix seconds) in X-Timestamp and the hex
digest in X-Signature. The method and the request target (path and query string, as sent) are signed with the
body, so a captured request cannot be replayed against another address (another dossier's supplements, another
`since`). A request whose timestamp is outside the replay window (NATIONAL_PORTAL_REPLAY_SECONDS either
side of now) is refused even with a good signature: a captured request cannot be played again later (and
within the window a replayed intake finds its dossier: intake is idempotent by national code)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

TIMESTAMP_HEADER, SIGNATURE_HEADER = "X-Timestamp", "X-Signature"
HEX_DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")


def secret() -> str:
    """The shared secret; with the simulator on and none configured, one derived from SECRET_KEY (demo only)."""
    configured = getattr(settings, "NATIONAL_PORTAL_SECRET", "")
    if configured:
        return configured
    if getattr(settings, "NATIONAL_PORTAL_SIMULATOR", False):
        return hashlib.sha256(f"national-portal-simulator:{settings.SECRET_KEY}".encode()).hexdigest()
    return ""


def target_of(url: str) -> str:
    """The request target of a URL as signed: its path and, if any, "?" and its query string."""
    parts = urllib.parse.urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def sign(body: bytes, timestamp: int | str, key: str | None = None, *, method: str, target: str) -> str:
    message = f"{timestamp}.{method.upper()}.{target}.".encode() + body
    return hmac.new((key if key is not None else secret()).encode(), message, hashlib.sha256).hexdigest()


def headers(body: bytes, *, method: str, target: str, now: float | None = None, key: str | None = None
            ) -> dict[str, str]:
    """The two headers of a request to `target` (a path with its query, or a whole URL)."""
    if "://" in target:
        target = target_of(target)
    timestamp = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(body, timestamp, key, method=method,
                                                                     target=target)}


def matches(body: bytes, timestamp: str | None, signature: str | None, *, method: str, target: str, key: str,
            now: float | None = None) -> str:
    """"" when the signature is good and fresh, else the refusal's code (no exception: for the receivers)."""
    if not timestamp or not signature:
        return "signature_missing"
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return "bad_timestamp"
    given = signature.strip().lower()
    if not HEX_DIGEST.match(given) or not hmac.compare_digest(
            sign(body, moment, key, method=method, target=target).encode(), given.encode()):
        return "bad_signature"
    window = int(getattr(settings, "NATIONAL_PORTAL_REPLAY_SECONDS", 300))
    if abs((now if now is not None else time.time()) - moment) > window:
        return "stale_request"
    return ""


def verify(body: bytes, timestamp: str | None, signature: str | None, *, method: str, target: str,
           now: float | None = None) -> None:
    """Raise DomainError (HTTP 401, or 503 when no secret is configured) unless the request is signed with the
    shared secret for this method and target, and fresh."""
    key = secret()
    if not key:
        raise DomainError("not_configured", _("Chưa cấu hình khóa bí mật kết nối Cổng DVC quốc gia."),
                          http_status=503)
    problem = matches(body, timestamp, signature, method=method, target=target, key=key, now=now)
    messages = {
        "signature_missing": _("Thiếu chữ ký (X-Timestamp, X-Signature)."),
        "bad_timestamp": _("X-Timestamp phải là số giây Unix."),
        "bad_signature": _("Chữ ký không hợp lệ."),
        "stale_request": _("Yêu cầu đã quá hạn (lệch quá %d giây so với giờ hệ thống): hãy ký lại với thời điểm "
                           "hiện tại.") % int(getattr(settings, "NATIONAL_PORTAL_REPLAY_SECONDS", 300)),
    }
    if problem:
        raise DomainError(problem, messages[problem], http_status=401)


def verify_request(request, body: bytes) -> None:
    """`verify` for an incoming Django request: its method and its path with the query string as received."""
    verify(body, request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER),
           method=request.method, target=request.get_full_path())
