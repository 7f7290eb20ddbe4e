"""Pulling new dossiers from the national portal, for a province whose integration platform is polled instead of
pushing to the intake endpoint (settings.NATIONAL_PORTAL_PULL; `tasks.pull_intake_task`, every 5 minutes).

`pull_intake()` asks `Client.new_dossiers(since)` for the intake requests filed since the cursor (`PullCursor`,
one row) less OVERLAP (a request filed just before the last pull but listed only after it is still seen), and
takes each in with `intake.intake(…, via=PULL)`. The intake is idempotent, so a request seen twice creates
nothing the second time. A refused request is logged by the intake (`IntakeRefusal`) and does not stop the others;
reconciliation lists it as missing here until the administrator has fixed the cause and pulls it.

The cursor advances to the latest filing time seen (never past now, never backwards). A request that failed for
another reason (a storage error) or was refused for a transient one (`TRANSIENT`: a file link the national portal's
file server did not serve, the link's secret not configured, any refusal answered 5xx) holds the cursor at its
filing time, so the next pull asks for it again; a definitive refusal (a bad request, an unknown procedure …) does
not. When the list cannot be fetched the cursor stays where it was and the reason is kept on it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.errors import DomainError

from . import intake
from .client import Client, ClientError
from .models import IntakeVia, PullCursor

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=10)
FIRST_PULL = dt.timedelta(days=1)  # how far back the very first pull looks
# Refusals that may go away by themselves: the request is asked for again, not left to reconciliation.
TRANSIENT = frozenset({"file_fetch_failed", "not_configured"})


def transient(exc: DomainError) -> bool:
    """Whether an intake refusal is worth asking again for (see TRANSIENT), rather than a definitive one."""
    return exc.code in TRANSIENT or exc.http_status >= 500


def cursor() -> PullCursor:
    return PullCursor.objects.get_or_create(pk=1)[0]


def _filed_at(data) -> dt.datetime | None:
    value = data.get("filed_at") if isinstance(data, dict) else None
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


def _store(now: dt.datetime, *, position: dt.datetime | None = None, error: str = "",
           counts: dict | None = None) -> None:
    with transaction.atomic():
        row = PullCursor.objects.select_for_update().get(pk=cursor().pk)
        if position is not None and (row.position is None or position > row.position):
            row.position = position
        row.pulled_at, row.last_error = now, error[:500]
        if counts is not None:
            row.last_counts = counts
        row.save()


def pull_intake(*, client=None, now: dt.datetime | None = None) -> dict[str, int]:
    """Take in the dossiers filed on the national portal since the cursor; returns
    {"created", "existing", "refused", "failed"} (and "error" when the list could not be fetched)."""
    now = now or timezone.now()
    start = cursor().position or now - FIRST_PULL
    counts = {"created": 0, "existing": 0, "refused": 0, "failed": 0}
    try:
        requests = (client or Client()).new_dossiers(start - OVERLAP)
    except ClientError as exc:
        log.warning("national portal pull failed: %s", exc)
        _store(now, error=str(exc))
        return {**counts, "error": str(exc)}
    latest: dt.datetime | None = None
    held: dt.datetime | None = None  # the earliest request that failed for a reason other than a definitive refusal
    for data in requests:
        filed = _filed_at(data)
        code = data.get("national_code") if isinstance(data, dict) else None
        try:
            outcome = intake.intake(data, via=IntakeVia.PULL, now=now)
        except DomainError as exc:  # logged by the intake
            if transient(exc):
                log.warning("national portal pull: request %s refused for now (%s); asked for again", code, exc.code)
                counts["failed"] += 1
                if filed is not None:
                    held = filed if held is None else min(held, filed)
            else:
                counts["refused"] += 1
        except Exception:  # one broken request must not stop the others; it is asked for again
            log.exception("national portal pull: request %s failed", code)
            counts["failed"] += 1
            if filed is not None:
                held = filed if held is None else min(held, filed)
        else:
            counts["created" if outcome.created else "existing"] += 1
        if filed is not None:
            latest = filed if latest is None else max(latest, filed)
    position = None
    if latest is not None:
        position = min(latest, now) if held is None else min(held, now)
    _store(now, position=position, counts=counts)
    return counts
