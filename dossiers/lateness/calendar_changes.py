"""Calendar changes re-appoint (issue #22): a day off declared, or a working day moved, after dossiers were
received (a `workcalendar.CalendarOverride` added, changed or removed).

Every open dossier (received, its result not yet at the desk: lateness is judged then) whose appointment
lies on or after a changed day is counted again with the calendar in force now, by the same counting as
reception and the supplement receipt (`services.dossier_appointments`: working days skip the new day off; a
dossier waiting for a supplement has no running clock and is counted when the supplement arrives).
Where the appointment moves, the dossier keeps the new dates (the statistics read
`Coalesce(extended_from, due_at)`, so they judge it against the moved legal date), the control sheet gets
a `calendar_reappointed` event (the citizen's timeline shows it), and the citizen is told by e-mail and SMS
with the new date and the reason, after the commit, once per event.

Decisions:
- **Never earlier.** A make-up working day or a day off removed would bring some appointments earlier by
  the law's counting; the citizen already holds a date (the receipt, a message), and a dossier must not
  become late by an administrative change it did not know of, so an appointment only ever moves later.
- **The apology re-appointment is not used up.** For a dossier already re-appointed by an apology letter,
  the legal appointment (`extended_from`) is counted again; the letter's date (`due_at`) stays, unless it is
  no longer a working day (then the same time on the next working day), and is never before the legal one.
  Nothing here touches the apology letters: a second apology re-appointment is still refused.
- Idempotent: running it again (the same override saved twice, the command run twice) finds nothing to move.

Bulk: the dossier ids are read once, then each batch is one transaction (rows locked in id order, status
re-checked under the lock), one query for the batch's clock events, one UPDATE, one INSERT of events.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import Agency
from notifications.services import email_queue, sms_queue
from workcalendar.calendar import TZ, to_local
from workcalendar.deadlines import ClockEvent, ClockEventKind
from workcalendar.models import CalendarOverride
from workcalendar.selectors import calendar_for

from .. import events, routing, services
from ..models import Dossier, DossierEvent
from ..workflow import OPEN
from .classify import classify, due_soon_limit

BATCH = 500
EMAIL_TEMPLATE = "notifications/email/dossier_calendar_reappointed"


def _changes(dates: list[dt.date], province_id: int | None) -> dict[int | None, list[dict]]:
    """The overrides now on the changed days, by province (None: national), as the event payload keeps them."""
    qs = CalendarOverride.objects.filter(date__in=dates)
    if province_id is not None:
        qs = qs.filter(Q(province__isnull=True) | Q(province_id=province_id))
    out = defaultdict(list)
    for o in qs.order_by("date", "id"):
        out[o.province_id].append({"date": o.date.isoformat(), "kind": o.kind, "kind_label": o.get_kind_display(),
                                   "name": o.name, "legal_basis": o.legal_basis})
    return out


def _day_text(change: dict) -> str:
    text = f"{dt.date.fromisoformat(change['date']):%d/%m/%Y}: {change['name'] or change['kind_label']}"
    return text + (f" ({change['legal_basis']})" if change["legal_basis"] else "")


def _reason(changes: list[dict], dates: list[dt.date], before: dict, after: dict) -> str:
    days = "; ".join(_day_text(c) for c in changes) or ", ".join(f"{d:%d/%m/%Y}" for d in dates)
    when = {"days": days, "due": f"{to_local(after['due_at']):%H:%M %d/%m/%Y}"}
    if after["due_at"] != before["due_at"]:
        return _("Lịch làm việc thay đổi (%(days)s). Ngày hẹn trả kết quả mới: %(due)s.") % when
    legal = after["extended_from"] or after["original_due_at"]
    return _("Lịch làm việc thay đổi (%(days)s): thời hạn theo quy định được tính lại đến %(legal)s; ngày hẹn trả "
             "kết quả %(due)s giữ nguyên.") % {**when, "legal": f"{to_local(legal):%H:%M %d/%m/%Y}"}


def _same_time_on_working_day(cal, moment: dt.datetime) -> dt.datetime:
    local = to_local(moment)
    if cal.is_working_day(local.date()):
        return moment
    return dt.datetime.combine(cal.next_working_day(local.date()), local.time(), tzinfo=TZ)


def _iso(moment: dt.datetime | None) -> str | None:
    return to_local(moment).isoformat() if moment else None


def dossiers_reappoint_for_calendar(*, dates: Iterable[dt.date], province: Agency | None = None,
                                    now: dt.datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Move the appointments the calendar change on `dates` crosses (`province`: the province whose own
    calendar changed; None: a national change, every province). Returns {"checked": …, "moved": …}."""
    dates = sorted(set(dates))
    if not dates:
        return {"checked": 0, "moved": 0}
    now = now or timezone.now()
    first = dt.datetime.combine(dates[0], dt.time(0), tzinfo=TZ)
    after_last = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(0), tzinfo=TZ)
    roots = access.province_ids()
    qs = (Dossier.objects.filter(status__in=OPEN, received_at__lt=after_last, due_at__isnull=False,
                                 resolved_at__isnull=True)
          .filter(Q(due_at__gte=first) | Q(extended_from__gte=first) | Q(original_due_at__gte=first)))
    if province is not None:
        qs = qs.filter(receiving_agency_id__in=[pk for pk, root in roots.items() if root == province.pk])
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    changes = _changes(dates, province.pk if province is not None else None)
    moved = 0
    memo: dict = {}  # calendars, time limits and rule sets, read once for the whole run
    for start in range(0, len(ids), batch):
        moved += _reappoint_batch(ids[start:start + batch], dates=dates, changes=changes, roots=roots, now=now,
                                  memo=memo)
    return {"checked": len(ids), "moved": moved}


@transaction.atomic
def _reappoint_batch(ids: list[int], *, dates: list[dt.date], changes: dict, roots: dict[int, int],
                     now: dt.datetime, memo: dict | None = None) -> int:
    dossiers = list(Dossier.objects.select_for_update(of=("self",)).select_related(
        "procedure_version", "receiving_agency", "handling_agency", "returning_agency")
        .filter(pk__in=ids, status__in=OPEN, received_at__isnull=False, resolved_at__isnull=True).order_by("pk"))
    clock_rows = defaultdict(list)
    for e in (DossierEvent.objects.filter(dossier_id__in=[d.pk for d in dossiers],
                                          type__in=services.CLOCK_EVENT_KINDS).order_by("at", "id")):
        clock_rows[e.dossier_id].append(ClockEvent(services.CLOCK_EVENT_KINDS[e.type], e.at))
    soon = due_soon_limit(calendar_for(None), now)
    changed, rows, notify = [], [], []
    for d in dossiers:
        original, legal = services.dossier_appointments(d, clock_rows[d.pk], memo=memo)
        if legal is None or d.due_at is None:
            continue  # waiting for a supplement: counted with the calendar then in force when it arrives
        before = {"due_at": d.due_at, "extended_from": d.extended_from, "original_due_at": d.original_due_at}
        if any(e.kind == ClockEventKind.SUPPLEMENT_REQUESTED for e in clock_rows[d.pk]):
            new_original = d.original_due_at  # the receipt's date was suspended by the supplement: history now
        else:
            new_original = max(d.original_due_at, original) if d.original_due_at else original
        if d.extended_from is not None:  # re-appointed by an apology letter: the letter's date stays if it can
            new_legal = max(d.extended_from, legal)
            cal = routing.memoized(memo, ("calendar", d.handling_agency_id),
                                   lambda d=d: calendar_for(d.handling_agency))
            letter_due = _same_time_on_working_day(cal, d.due_at)
            new_due = max(letter_due, new_legal)
        else:
            new_legal, new_due = None, max(d.due_at, legal)
        after = {"due_at": new_due, "extended_from": new_legal, "original_due_at": new_original}
        if after == before:
            continue
        d.due_at, d.extended_from, d.original_due_at = new_due, new_legal, new_original
        d.track = classify(new_due, now, soon=soon)
        changed.append(d)
        mine = changes.get(None, []) + changes.get(roots.get(d.receiving_agency_id), [])
        payload = {"dates": [x.isoformat() for x in dates], "changes": mine,
                   **{f"previous_{k}": _iso(v) for k, v in before.items()},
                   **{f"new_{k}": _iso(v) for k, v in after.items()}}
        rows.append((d, _reason(mine, dates, before, after), payload))
        notify.append(before["due_at"] != new_due)
    if not changed:
        return 0
    Dossier.objects.bulk_update(changed, ["due_at", "extended_from", "original_due_at", "track"])
    written = events.calendar_reappointed(rows, at=now)
    tell = [e.pk for e, moved in zip(written, notify, strict=True) if moved]
    if tell:
        transaction.on_commit(lambda: tell_citizens(tell))
    return len(changed)


def tell_citizens(event_ids: list[int]) -> None:
    """E-mail and SMS each applicant the new appointment and the reason (one message per event and channel),
    and put the notification on the timeline."""
    for event in (DossierEvent.objects.filter(pk__in=event_ids)
                  .select_related("dossier__procedure_version__procedure", "dossier__receiving_agency")
                  .order_by("pk")):
        d = event.dossier
        new_due = f"{to_local(dt.datetime.fromisoformat(event.payload['new_due_at'])):%H:%M %d/%m/%Y}"
        previous = f"{to_local(dt.datetime.fromisoformat(event.payload['previous_due_at'])):%H:%M %d/%m/%Y}"
        link = d.citizen_url()
        sent = []
        if d.applicant_email:
            email_queue(to=d.applicant_email, template=EMAIL_TEMPLATE, key=f"calendar-reappointed:{event.pk}",
                        user_id=d.citizen_id, link=link,
                        context={"dossier": d, "new_due": new_due, "previous_due": previous, "reason": event.reason})
            sent.append("email")
        if d.applicant_phone:
            text = (f"{d.code}: lich lam viec thay doi, hen tra moi {new_due} (truoc: {previous}). "
                    f"Tra cuu bang ma ho so va PIN.")
            sms_queue(to=d.applicant_phone, text=text, key=f"calendar-reappointed-sms:{event.pk}",
                      user_id=d.citizen_id, link=link)
            sent.append("sms")
        if sent and not d.events.filter(type="notified", payload__event=event.pk).exists():
            events.citizen_notified(dossier=d, at=timezone.now(), channels=sent, about=event.pk)
