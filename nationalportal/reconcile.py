"""Reconciliation with the national portal (Cổng Dịch vụ công quốc gia): what it lists for this province against
what this portal holds, nightly (`tasks.reconcile_task`) or when an administrator asks (the reconciliation page).

`reconcile()` asks `Client.list_dossiers(since)` (default: the last DEFAULT_DAYS days) and compares each listed
dossier with our `NationalDossier` rows and with its dossier's current status in the national vocabulary
(`StatusMapping`). It records a `ReconciliationRun` and one `Discrepancy` per dossier they disagree on:

- `missing_here`: listed there, never taken in here (a push that never arrived, a pull refused);
- `missing_there`: taken in here (filed and received since `since`), not listed there;
- `status_behind`: listed there with another status than ours, and nothing in flight (when the dossier's first
  `SyncItem` not yet sent is pending, the push is on its way: not a discrepancy; when it failed, the later items
  wait behind it for ever: the push is stuck, a discrepancy).

A dossier listed with a status ours has no mapping for (a draft) is not compared. If the list cannot be fetched,
the run is recorded with the reason and nothing else; the caller never sees an exception.

The administrator acts on the latest run's open discrepancies:
- `resend` (missing there, status behind): the dossier's latest status change is pushed again (its SyncItem queued
  again, or created), with the dossier's failed items before it (a dossier's changes go out in order);
- `pull` (missing here): the intake request is fetched (`Client.get_dossier`) and taken in as a pushed one would be
  (`intake.intake`, via PULL: idempotent, refusals logged).
Either records who resolved it, when and how. A failure (the national portal unreachable, an intake refused)
leaves the discrepancy open and raises a DomainError with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import signature
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status

from . import intake, sync
from .client import Client, ClientError
from .models import (
    Discrepancy,
    DiscrepancyKind,
    IntakeVia,
    NationalDossier,
    ReconciliationRun,
    StatusMapping,
    SyncItem,
    SyncStatus,
)

log = logging.getLogger(__name__)

DEFAULT_DAYS = 35
RESENDABLE = frozenset({DiscrepancyKind.MISSING_THERE, DiscrepancyKind.STATUS_BEHIND})
PULLABLE = frozenset({DiscrepancyKind.MISSING_HERE})


def _status_codes() -> dict[str, str]:
    """{our status: the national portal's status code}."""
    return dict(StatusMapping.objects.values_list("status", "national_status"))


def _listed(rows: list) -> tuple[dict[str, str], int]:
    """{national code: their status code} of the rows that name a dossier, and how many rows did not."""
    out, skipped = {}, 0
    for row in rows:
        code = row.get("national_code") if isinstance(row, dict) else None
        if not isinstance(code, str) or not code.strip() or len(code.strip()) > 40:
            skipped += 1
            continue
        status = row.get("national_status")
        out[code.strip()] = "" if status is None or isinstance(status, bool) else str(status).strip()[:10]
    return out, skipped


def _in_flight(dossier_ids: list[int]) -> set[int]:
    """The dossiers whose push is on its way: the first of their items not yet sent is pending. The push
    delivers a dossier's items in order, so behind a failed item the later ones stay pending forever: that
    dossier is stuck, not in flight."""
    first_unsent: dict[int, str] = {}
    for dossier_id, status in (SyncItem.objects.filter(dossier_id__in=dossier_ids).exclude(status=SyncStatus.SENT)
                               .order_by("dossier_id", "id").values_list("dossier_id", "status")):
        first_unsent.setdefault(dossier_id, status)
    return {dossier_id for dossier_id, status in first_unsent.items() if status == SyncStatus.PENDING}


def _compare(theirs: dict[str, str], since: dt.datetime, found_at: dt.datetime) -> list[Discrepancy]:
    codes = _status_codes()
    records = {r.national_code: r for r in NationalDossier.objects.select_related("dossier").filter(
        national_code__in=list(theirs))}
    in_flight = _in_flight([r.dossier_id for r in records.values()])
    out = []
    for code, their_status in sorted(theirs.items()):
        record = records.get(code)
        if record is None:
            out.append(Discrepancy(kind=DiscrepancyKind.MISSING_HERE, national_code=code, theirs=their_status,
                                   found_at=found_at))
            continue
        dossier = record.dossier
        ours = codes.get(dossier.status, "")
        if ours and ours != their_status and dossier.pk not in in_flight:
            out.append(Discrepancy(kind=DiscrepancyKind.STATUS_BEHIND, national_code=code, dossier=dossier,
                                   our_status=dossier.status, ours=ours, theirs=their_status, found_at=found_at))
    # They list what was filed since `since`: a dossier of ours filed before it is not expected in the list.
    unlisted = (NationalDossier.objects.select_related("dossier").filter(received_at__gte=since, filed_at__gte=since)
                .exclude(national_code__in=list(theirs)).order_by("national_code"))
    for record in unlisted:
        out.append(Discrepancy(kind=DiscrepancyKind.MISSING_THERE, national_code=record.national_code,
                               dossier=record.dossier, our_status=record.dossier.status,
                               ours=codes.get(record.dossier.status, ""), found_at=found_at))
    return out


def reconcile(*, client=None, since: dt.datetime | None = None, now: dt.datetime | None = None,
              by=None) -> ReconciliationRun:
    """Compare the national portal's list with ours (see the module's docstring); returns the recorded run."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(days=DEFAULT_DAYS)
    run = ReconciliationRun.objects.create(started_at=now, since=since, started_by=by)
    try:
        rows = (client or Client()).list_dossiers(since)
    except ClientError as exc:
        run.error, run.finished_at = str(exc)[:500], max(now, timezone.now())
        run.save(update_fields=["error", "finished_at"])
        log.warning("national portal reconciliation %s failed: %s", run.pk, exc)
        return run
    theirs, run.skipped = _listed(rows)
    with transaction.atomic():
        found = _compare(theirs, since, now)
        for discrepancy in found:
            discrepancy.run = run
        Discrepancy.objects.bulk_create(found)
        run.listed = len(theirs)
        for kind in DiscrepancyKind.values:
            setattr(run, kind, sum(1 for d in found if d.kind == kind))
        run.finished_at = max(now, timezone.now())
        run.save()
    return run


# -- the administrator's actions -----------------------------------------------------------------------


def _check_actionable(discrepancy: Discrepancy, kinds: frozenset) -> None:
    if discrepancy.resolved_at is not None:
        raise DomainError("already_resolved", _("Chênh lệch hồ sơ %(code)s đã được xử lý lúc %(at)s; không làm gì "
                                                "thêm.") % {"code": discrepancy.national_code,
                                                           "at": timezone.localtime(discrepancy.resolved_at)
                                                           .strftime("%H:%M %d/%m/%Y")}, http_status=409)
    if ReconciliationRun.objects.filter(pk__gt=discrepancy.run_id, error="", finished_at__isnull=False).exists():
        raise DomainError("stale", _("Chênh lệch này thuộc một lần đối soát cũ; hãy xem kết quả đối soát mới nhất."),
                          http_status=409)
    if discrepancy.kind not in kinds:
        raise DomainError("wrong_action", _("Thao tác này không áp dụng cho loại chênh lệch “%s”.")
                          % discrepancy.get_kind_display())


def _resolve(discrepancy: Discrepancy, by, now: dt.datetime, resolution: str) -> None:
    discrepancy.resolved_at, discrepancy.resolved_by, discrepancy.resolution = now, by, resolution[:500]
    discrepancy.save(update_fields=["resolved_at", "resolved_by", "resolution", "dossier"])


def latest_status_event(dossier: Dossier) -> DossierEvent | None:
    """The dossier's latest change of status (what the national portal should show)."""
    return (dossier.events.exclude(to_status="").exclude(to_status=F("from_status")).exclude(to_status=Status.DRAFT)
            .order_by("-at", "-id").first())


def _kick_push() -> None:
    """Start the push task after the commit, by its name: tasks.py imports this module, so importing the task
    here would be an import cycle."""
    try:
        signature("nationalportal.push_sync").delay()
    except Exception:  # noqa: BLE001 - the broker is down: beat picks the item up later
        pass


def resend(discrepancy: Discrepancy, by, *, now: dt.datetime | None = None) -> SyncItem:
    """Push the dossier's latest status change again (missing there, status behind): its SyncItem queued again
    (attempts 0, due now) or created (dated by its event, as `sync.enqueue` dates it, so that the monthly sync
    counts keep it in its month; due now), the dossier's failed items queued with it so that they go out in order,
    the push started after the commit. Raises DomainError (nothing changed) when it cannot."""
    now = now or timezone.now()
    if not sync.enabled():
        raise DomainError("sync_off", _("Chưa bật đồng bộ trạng thái lên Cổng DVC quốc gia (chưa cấu hình "
                                        "SYNC_TARGET_URL): không gửi lại được."))
    with transaction.atomic():
        discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
        _check_actionable(discrepancy, RESENDABLE)
        dossier = Dossier.objects.filter(pk=discrepancy.dossier_id).first()
        if dossier is None:
            raise DomainError("no_dossier", _("Hồ sơ %s không còn trong hệ thống.") % discrepancy.national_code)
        event = latest_status_event(dossier)
        if event is None:
            raise DomainError("no_status_event", _("Hồ sơ %s chưa có thay đổi trạng thái nào để gửi.")
                              % discrepancy.national_code)
        sync.retry(SyncItem.objects.filter(dossier=dossier).exclude(event=event), now=now)
        item = SyncItem.objects.select_for_update().filter(event=event).first()
        if item is None:
            item = SyncItem.objects.create(dossier=dossier, event=event, created_at=event.at or now,
                                           next_attempt_at=now)
        else:
            item.status, item.attempts, item.next_attempt_at = SyncStatus.PENDING, 0, now
            item.last_error, item.sent_at = "", None
            item.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"])
        _resolve(discrepancy, by, now, _("Đã xếp gửi lại trạng thái “%(status)s” (sự kiện lúc %(at)s).") % {
            "status": event.status_label, "at": timezone.localtime(event.at).strftime("%H:%M %d/%m/%Y")})
        transaction.on_commit(_kick_push)
    return item


def pull(discrepancy: Discrepancy, by, *, client=None, now: dt.datetime | None = None) -> intake.Outcome:
    """Take in a dossier missing here: its intake request fetched from the national portal and filed as a pushed
    one would be (idempotent: a dossier already taken in is found, not filed twice). Raises DomainError with the
    reason (the discrepancy stays open) when the national portal cannot be asked, does not have it, or the intake
    is refused (logged as an IntakeRefusal by the intake)."""
    discrepancy = Discrepancy.objects.get(pk=discrepancy.pk)
    _check_actionable(discrepancy, PULLABLE)
    code = discrepancy.national_code
    try:
        data = (client or Client()).get_dossier(code)
    except ClientError as exc:
        raise DomainError("national_portal_error", str(exc), http_status=502) from None
    if data is None:
        raise DomainError("not_found_there", _("Cổng DVC quốc gia không có hồ sơ mã %s.") % code, http_status=404)
    if not isinstance(data, dict):
        raise DomainError("national_portal_error", _("Cổng DVC quốc gia trả dữ liệu không đúng định dạng."),
                          http_status=502)
    if data.get("national_code") != code:
        raise DomainError("code_mismatch", _("Cổng DVC quốc gia trả về hồ sơ mã khác (%(got)s) khi hỏi hồ sơ "
                                             "%(code)s; không nhận.") % {"got": data.get("national_code"),
                                                                          "code": code})
    outcome = intake.intake(data, via=IntakeVia.PULL, now=now)
    now = now or timezone.now()
    with transaction.atomic():
        discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
        _check_actionable(discrepancy, PULLABLE)  # another administrator may have pulled it meanwhile
        discrepancy.dossier = outcome.record.dossier
        text = (_("Đã lấy hồ sơ về từ Cổng DVC quốc gia.") if outcome.created
                else _("Hồ sơ đã có trong hệ thống (nhận trước đó); không tạo thêm."))
        _resolve(discrepancy, by, now, text)
    return outcome
