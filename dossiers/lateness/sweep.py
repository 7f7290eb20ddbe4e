"""The deadline sweep: classify every open dossier (and its current step) as on track, due soon or
overdue (the rule: `classify.py`), store it on the row (indexed, for worklists and statistics), and
tell the people who must act when a dossier crosses into due soon or overdue.

Then the risk forecast (`risk.py`): the probability of missing the appointment and its main reason, stored
on every open dossier, batched the same way, within the same time budget.

Set-based and batched: each batch is one UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)
... RETURNING, whose WHERE also says "not yet in that class". Two sweeps running at once therefore
share the work and never change the same dossier twice: no duplicate event, inbox item or e-mail.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from notifications.models import InboxItem
from notifications.services import Notice, email_queue, inbox_digests_add, inbox_post_many
from workcalendar.selectors import calendar_for

from .. import events
from ..models import DeadlineState, Dossier, DossierEvent, EventType, LateTally, LateTallyRun
from ..workflow import OPEN, WAITING_FOR_CITIZEN, Status
from .classify import due_soon_limit
from .letters import draft_for_sweep
from .risk import risk_sweep

# The clock is running: not waiting for the citizen, and the result has not reached the desk yet
# (a result waiting to be collected is finished for punctuality, legal.md §2.5).
RUNNING = sorted(OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY})
BATCH = 5000


def _classify(column: str, track_column: str, target: str, condition: str, params: list, batch: int,
              after: int) -> list[tuple[int, str]]:
    """Move up to `batch` rows with id > `after` into `target`; return (id, status) of the rows
    this call changed. Walking the ids forward (keyset) keeps every batch an index range scan
    instead of re-reading the rows earlier batches already moved."""
    table = Dossier._meta.db_table
    status_list = ", ".join(["%s"] * len(RUNNING))
    where = (f"id > %s AND status IN ({status_list}) AND {column} IS NOT NULL AND {condition} "
             f"AND {track_column} <> %s")
    args = [after, *RUNNING, *params, target]
    if connection.vendor == "postgresql":
        sql = (f"UPDATE {table} SET {track_column} = %s, tracked_at = %s WHERE id IN ("
               f"SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) "
               f"RETURNING id, status")
        with connection.cursor() as cursor:
            cursor.execute(sql, [target, timezone.now(), *args, batch])
            return cursor.fetchall()
    with connection.cursor() as cursor:  # SQLite (make run): one writer at a time anyway
        cursor.execute(f"SELECT id, status FROM {table} WHERE {where} ORDER BY id LIMIT %s", [*args, batch])
        rows = cursor.fetchall()
        if rows:
            marks = ", ".join(["%s"] * len(rows))
            cursor.execute(f"UPDATE {table} SET {track_column} = %s, tracked_at = %s WHERE id IN ({marks})",
                           [target, timezone.now(), *[r[0] for r in rows]])
        return rows


def sweep_deadlines(*, now: dt.datetime | None = None, batch: int = BATCH,
                    budget: float | None = None) -> dict[str, int]:
    """Classify, announce and draft, then count the late dossiers for the late report (`late_tally_refresh`)."""
    counts = _sweep(now=now, batch=batch, budget=budget)
    late_tally_refresh()
    return counts


def late_tally_refresh() -> int:
    """Count the late dossiers (overdue or due soon, clock running) per handling agency, officer and procedure
    version into `LateTally`, replacing the previous count, and stamp the time (`LateTallyRun`). One grouped read
    of the partial index `dossier_hand_late_due` (its columns alone); two runs at once take turns on the run row.
    Returns the rows written."""
    now = timezone.now()
    with transaction.atomic():
        LateTallyRun.objects.get_or_create(pk=1, defaults={"counted_at": now})
        LateTallyRun.objects.select_for_update().filter(pk=1).update(counted_at=now)
        rows = (Dossier.objects.filter(status__in=RUNNING, track__in=(DeadlineState.OVERDUE, DeadlineState.DUE_SOON),
                                       handling_agency__isnull=False)
                .values_list("handling_agency_id", "assignee_id", "procedure_version_id")
                .annotate(overdue=Count("id", filter=Q(track=DeadlineState.OVERDUE)),
                          due_soon=Count("id", filter=Q(track=DeadlineState.DUE_SOON))).order_by())
        LateTally.objects.all().delete()
        written = LateTally.objects.bulk_create(
            [LateTally(agency_id=a, assignee_id=u, procedure_version_id=v, overdue=o, due_soon=s)
             for a, u, v, o, s in rows], batch_size=5000)
    return len(written)


def _sweep(*, now: dt.datetime | None, batch: int, budget: float | None) -> dict[str, int]:
    """Classify, announce and draft. `budget` (seconds, default DEADLINE_SWEEP_BUDGET_SECONDS) bounds
    one run: no new batch starts after it, and `counts["more"]` says work was left for the next run
    (beat runs the sweep again in a few minutes; each batch is committed, so nothing is lost or
    announced twice). A normal run is far below the budget; only a mass change (a first
    classification of a whole province, a holiday added in the calendar) spreads over a few runs."""
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError("batch phải là số nguyên dương.")
    budget = getattr(settings, "DEADLINE_SWEEP_BUDGET_SECONDS", 50) if budget is None else budget
    if not isinstance(budget, int | float) or isinstance(budget, bool) or budget < 0:
        raise ValueError("budget phải là số giây không âm.")
    started = time.monotonic()

    def out_of_time() -> bool:
        if time.monotonic() - started > budget:
            counts["more"] = 1
            return True
        return False

    now = now or timezone.now()
    soon = due_soon_limit(calendar_for(None), now)
    counts = {"overdue": 0, "due_soon": 0, "on_track": 0, "steps": 0, "risk": 0, "more": 0}
    rules = [
        (DeadlineState.OVERDUE, "due_at < %s", [now]),
        (DeadlineState.DUE_SOON, "due_at >= %s AND due_at <= %s", [now, soon]),
        (DeadlineState.ON_TRACK, "due_at > %s", [soon]),
    ]
    cache: dict = {}  # calendars and step allotments, read once per sweep
    for target, condition, params in rules:
        after = 0
        digest = Digest()
        while True:
            with transaction.atomic():
                changed = _classify("due_at", "track", target, condition, params, batch, after)
                if changed and target != DeadlineState.ON_TRACK:
                    digest.add(_announce([pk for pk, _status in changed], target, now, cache))
            counts[target] += len(changed)
            if len(changed) < batch or out_of_time():
                break
            after = max(pk for pk, _status in changed)
        digest.send(target)
        if counts["more"]:
            return counts
    for target, condition, params in rules:  # the current step's own allotment, no alerts
        after = 0
        while True:
            with transaction.atomic():
                changed = _classify("step_due_at", "step_track", target, condition.replace("due_at", "step_due_at"),
                                    params, batch, after)
            counts["steps"] += len(changed)
            if len(changed) < batch or out_of_time():
                break
            after = max(pk for pk, _status in changed)
    if not counts["more"]:  # the forecast (risk.py): after the classification, within the same budget
        counts["risk"] = risk_sweep(now=now, batch=batch, out_of_time=out_of_time)
    return counts


def _texts(target: str) -> tuple[str, str, str]:
    label = "quá hạn" if target == DeadlineState.OVERDUE else "sắp đến hạn"
    return (label, "Đã lập dự thảo phiếu xin lỗi và hẹn lại, chờ lãnh đạo ký.",
            "QUÁ HẠN LẦN 2: đã hẹn lại đến {when} vẫn chưa có kết quả.")


class Digest:
    """Per person: how many dossiers crossed into the class during this sweep, and the first lines.
    Sent once at the end of the sweep (one e-mail per person, however many batches)."""

    LINES = 200

    def __init__(self):
        self.lines: dict[int, list[str]] = defaultdict(list)
        self.count: dict[int, int] = defaultdict(int)
        self.first: dict[int, str] = {}

    def add(self, found: dict[int, list[tuple[int, str]]]) -> None:
        for user_id, items in found.items():
            self.count[user_id] += len(items)
            self.first.setdefault(user_id, str(min(pk for pk, _ in items)))
            room = self.LINES - len(self.lines[user_id])
            if room > 0:
                self.lines[user_id].extend(text for _, text in sorted(items)[:room])

    def send(self, target: str) -> None:
        if not self.count:
            return
        label = _texts(target)[0]
        emails = dict(User.objects.filter(pk__in=self.count).values_list("pk", "email"))
        for user_id, total in self.count.items():
            if emails.get(user_id):
                email_queue(to=emails[user_id], template="notifications/email/deadline_digest",
                            key=f"track-digest:{user_id}:{target}:{self.first[user_id]}:{total}", user_id=user_id,
                            context={"lines": self.lines[user_id], "more": total - len(self.lines[user_id]),
                                     "label": label, "total": total})


def _announce(ids: list[int], target: str, now: dt.datetime,
              cache: dict | None = None) -> dict[int, list[tuple[int, str]]]:
    """One event per dossier; an apology letter drafted where one is owed; an inbox item for the
    assignee and the agency heads; one digest e-mail per person per sweep (a head does not want
    five hundred e-mails). A dossier overdue again after its re-appointment is "late twice".

    The events go through `events.bulk_record` (one INSERT per batch, then each is announced to the
    listeners like any other event). On PostgreSQL the inbox items are written by one INSERT ... SELECT
    per batch (no Python objects per row); elsewhere (SQLite, `make run`) by the ORM."""
    drafted = draft_for_sweep(ids, target, now, cache)
    if connection.vendor == "postgresql":
        return _announce_sql(ids, target, now, drafted)
    return _announce_orm(ids, target, now, drafted)


EVENT_OF = {DeadlineState.DUE_SOON: EventType.DUE_SOON, DeadlineState.OVERDUE: EventType.OVERDUE}


def _iso_utc(moment: dt.datetime | None) -> str | None:
    """How the control sheet stores the appointment: UTC, whole seconds ("2026-03-05T10:00:00+00:00")."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat() if moment else None


def _record_events(ids: list[int], target: str, now: dt.datetime) -> list[DossierEvent]:
    """The events of one batch, through `events` so that the listeners hear them."""
    rows = Dossier.objects.filter(pk__in=ids).only("status", "due_at", "extended_from").order_by("pk")
    return events.bulk_record([
        DossierEvent(dossier=d, from_status=d.status, to_status=d.status, at=now,
                     type=(EventType.LATE_TWICE if target == DeadlineState.OVERDUE and d.extended_from is not None
                           else EVENT_OF[target]),
                     payload={"due_at": _iso_utc(d.due_at)})
        for d in rows])


def _announce_orm(ids, target, now, drafted) -> dict[int, list[tuple[int, str]]]:
    label, drafted_note, twice_text = _texts(target)
    _record_events(ids, target, now)
    rows = list(Dossier.objects.filter(pk__in=ids).values(
        "pk", "code", "status", "due_at", "extended_from", "assignee_id", "handling_agency_id", "receiving_agency_id"))
    twice = {r["pk"] for r in rows if target == DeadlineState.OVERDUE and r["extended_from"] is not None}
    heads = dict(Agency.objects.filter(pk__in={r["handling_agency_id"] for r in rows} |
                                       {r["receiving_agency_id"] for r in rows}).values_list("pk", "head_id"))
    items: list[Notice] = []
    digest: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        people = {r["assignee_id"], heads.get(r["handling_agency_id"]), heads.get(r["receiving_agency_id"])} - {None}
        when = timezone.localtime(r["due_at"]).strftime("%H:%M %d/%m/%Y")
        if r["pk"] in twice:
            text = f"Hồ sơ {r['code']} " + twice_text.format(when=when)
        else:
            text = f"Hồ sơ {r['code']} {label} (hẹn trả {when})."
            if r["pk"] in drafted:
                text += " " + drafted_note
        for user_id in people:
            items.append(Notice(user_id=user_id, key=f"track:{r['pk']}:{target}:{_stamp(r['due_at'])}:{user_id}",
                                text=text, url=f"{_detail_prefix()}{r['pk']}/", kind=_kind(target)))
    for notice in inbox_post_many(notices=items):  # only the new ones, as the SQL's RETURNING
        digest[notice.user_id].append((int(notice.key.split(":")[1]), notice.text))
    return digest


def _kind(target: str) -> str:
    return f"track-{target}"  # notifications.kinds: one digest line per person, day and class


def _stamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment, dt.UTC).strftime("%Y%m%dT%H%M%S")


def _detail_prefix() -> str:
    return reverse("dossiers:detail", args=[0])[:-2]  # "/ho-so/0/" -> "/ho-so/"


def _announce_sql(ids, target, now, drafted) -> dict[int, list[tuple[int, str]]]:
    label, drafted_note, twice_text = _texts(target)
    dossier, agency = Dossier._meta.db_table, Agency._meta.db_table
    tz = settings.TIME_ZONE
    twice = target == DeadlineState.OVERDUE
    local_due = f"to_char(d.due_at AT TIME ZONE '{tz}', 'HH24:MI DD/MM/YYYY')"
    before, after = twice_text.split("{when}")
    created = timezone.now()
    day = timezone.localdate(created)
    _record_events(ids, target, now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {InboxItem._meta.db_table} (user_id, key, kind, day, text, url, created_at)
            SELECT DISTINCT ON (u.user_id, d.id) u.user_id,
                   'track:' || d.id || ':' || %s || ':' || to_char(d.due_at AT TIME ZONE 'UTC',
                   'YYYYMMDD"T"HH24MISS') || ':' || u.user_id, %s, %s,
                   CASE WHEN %s AND d.extended_from IS NOT NULL
                        THEN 'Hồ sơ ' || d.code || ' ' || %s || {local_due} || %s
                        ELSE 'Hồ sơ ' || d.code || ' ' || %s || ' (hẹn trả ' || {local_due} || ').'
                             || CASE WHEN d.id = ANY(%s) THEN ' ' || %s ELSE '' END END,
                   %s || d.id || '/', %s
            FROM {dossier} d
            JOIN {agency} ha ON ha.id = d.handling_agency_id
            JOIN {agency} ra ON ra.id = d.receiving_agency_id
            CROSS JOIN LATERAL (VALUES (d.assignee_id), (ha.head_id), (ra.head_id)) AS u(user_id)
            WHERE d.id = ANY(%s) AND u.user_id IS NOT NULL
            ON CONFLICT (key) DO NOTHING
            RETURNING user_id, split_part(key, ':', 2)::bigint, text, url""",
            [target, _kind(target), day, twice, before, after, label, list(drafted), drafted_note, _detail_prefix(),
             created, ids])
        added = cursor.fetchall()
    # the digests (per person, day and class) count the rows really inserted, in this transaction
    inbox_digests_add(added=[(user_id, day, _kind(target), created, text, url) for user_id, _d, text, url in added])
    digest: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for user_id, dossier_id, text, _url in added:
        digest[user_id].append((dossier_id, text))
    return digest
