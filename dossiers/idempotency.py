"""Nothing is created twice: one-time keys for every creating request.

An HTML form that creates something carries a hidden `once_key` (`{% once_field %}` from the
`once` template library, generated when the form is rendered); the API accepts an
`Idempotency-Key` header. `run_once` inserts the key into `IdempotencyKey` (unique on scope, owner
and key) in the same transaction as the creation, so:

- a repeat with the same key (Back + submit, a double click, a client's retry) finds the first
  result and replays it instead of creating another;
- two parallel requests with the same key: the second INSERT waits on the unique index until the
  first transaction ends, then sees its row (never a get-then-set);
- a creation refused by a DomainError rolls the key back with it: the user fixes the form and the
  same key works.

The table lives in `dossiers`, the lowest app with a creating form (the desk reception, the online
submission, the dossier API); `payments` and `satisfaction` sit above it and import this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from core.errors import DomainError

from .models import IdempotencyKey

FIELD = "once_key"
KEEP = dt.timedelta(days=7)  # a form or a client retry older than this is a new request
HEADER = "Idempotency-Key"
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
_HEADER_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # visible ASCII: UUIDs, ULIDs, random tokens

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=False,
    description="Khóa một lần do máy khách tạo (tối đa 200 ký tự ASCII, ví dụ một UUID). Gửi lại cùng khóa, "
                "cùng người dùng, cùng địa chỉ: trả lại đúng phản hồi lần đầu (mã trạng thái và nội dung, kèm "
                "tiêu đề `Idempotent-Replayed: true`) thay vì tạo thêm. Cùng khóa với nội dung khác: 422.",
)


@dataclass(frozen=True)
class Outcome:
    value: Any  # what the action returned; None on a replay
    result: dict  # what was recorded for the first request
    replayed: bool


def new_key() -> str:
    return secrets.token_urlsafe(24)


def owner_of(user) -> str:
    return f"u:{user.pk}" if user is not None and getattr(user, "is_authenticated", False) else ""


def form_key(request) -> str | None:
    """The form's one-time key; None when the form sent none (a client that is not our page)."""
    raw = request.POST.get(FIELD)
    if raw is None or raw == "":
        return None
    if not _FORM_KEY.fullmatch(raw):
        raise DomainError("once_key_invalid", _("Biểu mẫu không hợp lệ, hãy tải lại trang rồi gửi lại."))
    return raw


def header_key(request) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not _HEADER_KEY.fullmatch(raw):
        raise DomainError("idempotency_key_invalid",
                          _("Tiêu đề Idempotency-Key không hợp lệ: cần từ 1 đến 200 ký tự ASCII nhìn thấy được."))
    return raw


def fingerprint(data: Any) -> str:
    """A digest of a request's parsed body (key order does not matter)."""
    if hasattr(data, "lists"):  # a QueryDict (form or multipart)
        data = {k: [v if isinstance(v, str) else getattr(v, "name", str(v)) for v in vs] for k, vs in data.lists()}
    try:
        text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str, ensure_ascii=False)
    except (RecursionError, ValueError):
        raise DomainError("body_too_deep", _("Nội dung yêu cầu lồng nhau quá sâu hoặc không hợp lệ.")) from None
    return hashlib.sha256(text.encode()).hexdigest()


def run_once(*, scope: str, key: str | None, user, action: Callable[[], Any], record: Callable[[Any], dict],
             fingerprint: str = "") -> Outcome:
    """Run `action` once per (scope, user, key) and remember `record(value)` (JSON) as its result.

    Without a key the action simply runs. The action's own transaction nests in this one, so its
    `on_commit` side effects (e-mail, SMS, sync) happen once, after the key row is committed."""
    if key is None:
        return Outcome(action(), {}, False)
    owner = owner_of(user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(scope=scope[:200], owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:  # the first request committed it (we waited for it on the index)
            row = IdempotencyKey.objects.get(scope=scope[:200], owner=owner, key=key)
            if row.fingerprint != fingerprint:
                raise DomainError(
                    "idempotency_key_reused",
                    _("Khóa Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác. "
                      "Hãy dùng khóa mới cho yêu cầu mới."), http_status=422) from None
            return Outcome(None, row.result, True)
        value = action()
        row.result = record(value)
        row.save(update_fields=["result"])
        return Outcome(value, row.result, False)


def form_once(request, *, scope: str, action: Callable[[], Any], url: Callable[[Any], str]) -> Outcome:
    """An HTML form: the result recorded is the page the first submission went to (`result["url"]`)."""
    key = form_key(request)
    outcome = run_once(scope=scope, key=key, user=request.user, action=action, record=lambda value: {"url": url(value)})
    return outcome if key else Outcome(outcome.value, {"url": url(outcome.value)}, False)


def replay_notice() -> str:
    return _("Biểu mẫu này đã được gửi trước đó; đây là kết quả của lần gửi đầu tiên, không tạo thêm.")


def api_once(request, produce: Callable[[], Any]):
    """A creating API endpoint with the optional `Idempotency-Key` header: the first response (status
    and body) is recorded and replayed for the same key, user and path; another body is refused."""
    key = header_key(request)
    outcome = run_once(scope=f"api:{request.path}", key=key, user=request.user, action=produce,
                       fingerprint=fingerprint(request.data) if key else "",
                       record=lambda response: {"status": response.status_code,
                                                "body": json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))})
    if outcome.replayed:
        return Response(outcome.result["body"], status=outcome.result["status"],
                        headers={"Idempotent-Replayed": "true"})
    return outcome.value


def keys_purge(*, now: dt.datetime | None = None) -> int:
    """Forget the keys older than KEEP (nightly); returns how many were deleted."""
    return IdempotencyKey.objects.filter(created_at__lt=(now or timezone.now()) - KEEP).delete()[0]
