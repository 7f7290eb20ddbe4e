"""Finding a dossier by its code and PIN: the tracking page, the tracking API, the desk's rating
kiosk and the apology letter link all come here, so they share one budget of wrong PINs.

The budget belongs to the dossier code, not to the client: anonymous or logged in, from any
address, at most `TRACK_PIN_MAX_FAILURES` wrong PINs per code per `TRACK_PIN_WINDOW_SECONDS`
(counted from the first wrong PIN). Each lookup reserves an attempt atomically before the PIN is
compared (core.ratelimit), so parallel guesses cannot overrun the budget; a right PIN gives its
attempt back. A locked code locks only
itself: another dossier's right PIN from the same office network still works. The lock is recorded
once on the dossier's control sheet (`pin_locked`, internal), the reception desk of the receiving
agency sees it on the dossier page and may lift it (`pin_unlock`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import ratelimit
from core.errors import DomainError

from . import events, policies
from .models import Dossier


def max_failures() -> int:
    return int(getattr(settings, "TRACK_PIN_MAX_FAILURES", 10))


def lock_seconds() -> int:
    return int(getattr(settings, "TRACK_PIN_WINDOW_SECONDS", 3600))


def normalise(code: str | None, pin: str | None) -> tuple[str, str]:
    return (code or "").strip().upper()[:40], (pin or "").strip()


def _budget(code: str) -> ratelimit.Budget:
    return ratelimit.Budget(ratelimit.key_for("pin", code), limit=max_failures(), window=lock_seconds())


def locked_message() -> str:
    minutes = max(1, lock_seconds() // 60)
    return _("Mã hồ sơ này đang bị tạm khóa tra cứu vì đã nhập sai PIN quá nhiều lần. Vui lòng thử lại sau "
             "(chậm nhất %s phút nữa) hoặc liên hệ Bộ phận Một cửa nơi nộp hồ sơ.") % minutes


def dossier_by_pin(*, code: str, pin: str, queryset=None) -> Dossier | None:
    """The dossier with this code and PIN, or None. Raises DomainError("pin_locked", 429) while the
    code's budget of wrong PINs is spent (even for the right PIN: that is what the lock is)."""
    code, pin = normalise(code, pin)
    if not code or len(pin) != 6 or not pin.isdigit():
        return None  # not a guess of any PIN: nothing to count
    budget = _budget(code)
    if not budget.reserve():
        raise DomainError("pin_locked", locked_message(), field="pin", http_status=429)
    queryset = queryset if queryset is not None else Dossier.objects.all()
    dossier = queryset.filter(code=code, pin=pin).first()
    if dossier is not None:
        budget.refund()
        return dossier
    if budget.used() >= budget.limit:
        _record_lock(code)
    return None


def _record_lock(code: str) -> None:
    """Once per lock window: the event on the dossier's control sheet that the desk sees."""
    if not cache.add(ratelimit.key_for("pin-locked", code), 1, timeout=lock_seconds()):
        return
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        return
    now = timezone.now()
    with transaction.atomic():
        events.pin_locked(dossier=dossier, at=now, failures=max_failures(),
                          until=now + timezone.timedelta(seconds=lock_seconds()))


def lock_state(dossier: Dossier) -> dict | None:
    """For the staff page: how many wrong PINs this window, and whether the code is locked now."""
    if not dossier.code:
        return None
    budget = _budget(dossier.code)
    used = min(budget.used(), budget.limit)
    if not used:
        return None
    return {"failures": used, "limit": budget.limit, "locked": used >= budget.limit}


def pin_unlock(*, dossier: Dossier, actor: User) -> None:
    if not policies.can_unlock_pin(actor, dossier):
        raise DomainError("pin_unlock_forbidden",
                          _("Chỉ Bộ phận Một cửa nơi tiếp nhận hồ sơ mới mở khóa tra cứu được."), http_status=403)
    state = lock_state(dossier)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        _budget(locked.code).reset()
        ratelimit.clear(ratelimit.key_for("pin-locked", locked.code))
        events.pin_unlocked(dossier=locked, actor=actor, at=timezone.now(),
                            failures=state["failures"] if state else 0)
