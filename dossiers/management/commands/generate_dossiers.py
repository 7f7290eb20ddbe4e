"""Generate N realistic dossiers with their event histories, fast (bulk inserts), for benchmarks.

    python manage.py generate_dossiers --count 1000000 [--agencies H21.65,H21.66] [--days 365] [--seed 1]
                                       [--officers 4] [--open-only]

Dossiers are received at the given agencies over the last --days days, for the commune-level
procedures in force, with codes from the real per-agency per-day counters (continued, never
reused), due dates from the working calendar, and a status mix like a real year: most returned,
the rest spread over the open states. Each gets its events (creation, reception, and
the later steps it reached) and its handed-in record (DossierComponent: what the receipt lists) — for a
desk dossier the originals and copies counted, for an online one the files. Needs the demo data
(seed_demo) for agencies, staff and procedures.

**Structure, so that lateness can be predicted** (the risk forecast's backtest, issue #22). Every step
takes, in working hours,

    appraisal = allotted × 0.5 × slowness(procedure) × slowness(appraiser) × noise
    approval  = allotted × 0.5 × slowness(procedure) × slowness(approver)  × noise
    return    = allotted × 0.5 × noise                        (up to the result reaching the desk)

where "allotted" is the step's time in the procedure's internal process (`InternalStep`), slowness is a
lognormal factor drawn once per procedure and per officer from --seed (σ = 0.35: some are systematically
slower), and noise a lognormal factor per dossier and step (σ = 0.45). About a tenth of the appraisal is the
wait before assignment. The events follow these durations on the agency's working calendar, so a dossier is
late when its procedure, its officers or its luck are slow. A closed dossier is received at a random moment
of the last --days days; an open one (status from the mix) is placed so that now falls inside the step it is
in. --officers N gives each agency N appraisers (creating generated accounts where the demo has fewer).

**A whole province** (`generate_province`, issue #21) calls `Command.generate` with a `Spread`: the agencies
are drawn with unequal weights (a few big, many small), each handles the procedures of its level (a commune
the commune-level ones, a department the province-level ones of its fields), each has a slowness factor of its
own (lognormal, σ = 0.3, on top of the procedure's and the officers'), and the status mix varies by agency and
procedure: a slow agency carries more open dossiers, and supplement requests, refusals and withdrawals are
more frequent for some procedures and some agencies; the open states (and a result never collected) are kept
for the intake of the last OPEN_HORIZON_DAYS (60) days only (the others end), so the dossiers in progress are the
last two months' share, not a quarter of five years. Without a Spread nothing changes (same --seed, same data).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import json
import math
import operator
import random
import time
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Agency, AgencyLevel, Role, StaffRole, User
from procedures.models import ChannelOption, Level, ProcedureVersion, RequiredDocument, Requirement
from procedures.selectors import versions_in_force
from workcalendar.bulk import as_datetimes, from_working_position, working_position
from workcalendar.deadlines import due, punctuality
from workcalendar.selectors import calendar_for

from ...models import Dossier, DossierCodeCounter, DossierComponent, DossierEvent, EventType
from ...workflow import STEP_OF, Status

MIX = [(Status.RETURNED, 70), (Status.RESULT_READY, 5), (Status.IN_APPRAISAL, 9), (Status.RECEIVED, 4),
       (Status.AWAITING_APPROVAL, 4), (Status.SUPPLEMENT_REQUESTED, 3), (Status.REFUSED, 2), (Status.WITHDRAWN, 1),
       (Status.STOPPED, 1), (Status.APPROVED, 1)]
# --open-only: every dossier still being handled (the deadline sweep's worst case).
MIX_OPEN = [(Status.IN_APPRAISAL, 50), (Status.RECEIVED, 18), (Status.AWAITING_APPROVAL, 15), (Status.APPROVED, 5),
            (Status.REFUSED, 2), (Status.SUPPLEMENT_REQUESTED, 10)]
TYPE_OF = {Status.IN_APPRAISAL: EventType.ASSIGN, Status.AWAITING_APPROVAL: EventType.PROPOSE,
           Status.APPROVED: EventType.APPROVE, Status.RESULT_READY: EventType.RESOLVE,
           Status.RETURNED: EventType.RETURN_RESULT, Status.REFUSED: EventType.REFUSE,
           Status.SUPPLEMENT_REQUESTED: EventType.REQUEST_SUPPLEMENT, Status.WITHDRAWN: EventType.WITHDRAW,
           Status.STOPPED: EventType.STOP}
NAMES = ["Nguyễn Văn", "Trần Thị", "Lê Minh", "Phạm Thu", "Hoàng Đức", "Rơ Mah", "Ksor", "Siu Thị"]
GIVEN = ["An", "Bình", "Hà", "Hùng", "Lan", "Nam", "Phúc", "Sơn", "Trang", "Vy", "Blong"]


def _copy_value(field):
    """How one field's value goes into the COPY text: the attribute as it is for the plain kinds (text,
    numbers, keys, booleans, aware datetimes print as PostgreSQL reads them), JSON dumped, and anything else
    (auto_now, a field of another kind) through Django's own preparation, as `save()` would."""
    plain = (models.CharField, models.TextField, models.IntegerField, models.BigAutoField, models.FloatField,
             models.BooleanField, models.ForeignKey, models.DateField, models.DecimalField)
    if (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            or not isinstance(field, (*plain, models.JSONField))):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname
    if isinstance(field, models.JSONField):
        return lambda obj: None if getattr(obj, attname) is None else json.dumps(getattr(obj, attname),
                                                                                ensure_ascii=False)
    return operator.attrgetter(attname)


def _insert(model, objects: list, batch: int) -> None:
    """bulk_create, or on PostgreSQL COPY with ids taken from the table's sequence (~10x faster)."""
    if connection.vendor != "postgresql" or not objects:
        model.objects.bulk_create(objects, batch_size=batch)
        return
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields]
    values = [_copy_value(f) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(objects)])
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for obj in objects:
            row = []
            for value_of in values:
                value = value_of(obj)
                if value is None:
                    row.append("\\N")
                elif isinstance(value, dict | list):
                    row.append(json.dumps(value, ensure_ascii=False))
                elif hasattr(value, "adapted"):  # psycopg2 Json adapter
                    row.append(json.dumps(value.adapted, ensure_ascii=False))
                else:
                    row.append(value)
            writer.writerow(row)
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _components(d: Dossier, documents: list, rng: random.Random, officer_id, at) -> list[DossierComponent]:
    """The handed-in record of one generated dossier, as reception writes it: every component to hand in,
    the conditional ones whose case applies (about one in six), the ones to show only shown. At the desk
    the officer counts paper originals and copies (the procedure's numbers, at least one paper); online
    each is one electronic file."""
    online = d.channel == "online"
    rows = []
    for doc in documents:
        applies = doc.requirement == Requirement.REQUIRED or (
            doc.requirement == Requirement.CONDITIONAL and rng.random() < 0.16)
        row = DossierComponent(dossier_id=d.pk, document_id=doc.pk, order=doc.order, name=doc.name,
                               requirement=doc.requirement, condition=doc.condition, applies=applies,
                               presented=doc.requirement == Requirement.PRESENT and not online,
                               recorded_by_id=officer_id, recorded_at=at)
        if applies and online:
            row.files = 1
        elif applies:
            row.originals, row.copies = doc.originals, doc.copies
            if not (doc.originals or doc.copies):
                row.copies = 1
        rows.append(row)
    return rows


BASE = 0.5  # a step's median duration, as a share of its allotment
SLOW_SIGMA = 0.35  # per procedure and per officer
NOISE_SIGMA = 0.45  # per dossier and step
WAIT_SHARE = (0.05, 0.15)  # the part of the appraisal spent waiting for assignment (status "received")
STEP_SPLIT = {"appraisal": 0.6, "approval": 0.25, "return": 0.15}  # without an internal process


def _allotments(version, option) -> dict[str, float]:
    """The working hours of each step in the version's internal process (other steps count as appraisal);
    without one, the time limit split 60/25/15."""
    hours = {"appraisal": 0.0, "approval": 0.0, "return": 0.0}
    for step in option.steps.all():
        kind = "appraisal" if step.step == "other" else step.step
        if kind in hours:
            hours[kind] += float(step.hours)
    if not any(hours.values()):
        total = max(float(option.time_limit), 1.0) * 8 * (5 / 7 if option.unit == "days" else 1)
        hours = {k: total * share for k, share in STEP_SPLIT.items()}
    return {k: max(v, 0.5) for k, v in hours.items()}


def _officers(agency: Agency, role: str, wanted: int, *, active: bool = False) -> list[int]:
    """The agency's officers in `role`; with fewer than `wanted`, generated accounts are added (a made-up
    name, an address under the reserved .invalid domain, no usable password). `active`: the accounts can hold a
    session (the load test's staff), never a password login; an inactive one generated before is activated."""
    people = list(StaffRole.objects.filter(agency=agency, role=role).order_by("user_id").values_list("user_id",
                                                                                                     flat=True))
    for k in range(len(people) + 1, wanted + 1):
        email = f"{role}.sinh{k}.{agency.code.lower()}@sinh-du-lieu.invalid"
        names = random.Random(email)
        user, _created = User.objects.get_or_create(email=email, defaults={
            "full_name": f"{names.choice(NAMES)} {names.choice(GIVEN)} ({agency.code})" if active
            else f"Cán bộ sinh dữ liệu {k} ({agency.code})",
            "is_active": active, "password": make_password(None)})
        if active and not user.is_active:
            User.objects.filter(pk=user.pk).update(is_active=True)
        StaffRole.objects.get_or_create(user=user, agency=agency, role=role)
        people.append(user.pk)
    return people


def _lognormal(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma))


OPEN_TARGETS = {Status.RECEIVED, Status.IN_APPRAISAL, Status.AWAITING_APPROVAL, Status.APPROVED, Status.REFUSED,
                Status.SUPPLEMENT_REQUESTED}
AGENCY_SIGMA = 0.3  # an agency's own slowness (a Spread only)
# How the status mix leans, per agency and procedure (a Spread only): the open states grow with the agency's
# slowness squared (a backlog); these states with a lognormal factor per procedure and per agency.
MIX_SIGMA = {Status.SUPPLEMENT_REQUESTED: (0.7, 0.5), Status.REFUSED: (0.8, 0.3), Status.WITHDRAWN: (0.4, 0.5),
             Status.STOPPED: (0.4, 0.5)}
BACKLOG = {Status.RECEIVED, Status.IN_APPRAISAL, Status.AWAITING_APPROVAL, Status.APPROVED}
# A Spread over --days: the mix's open states (about a quarter of the dossiers) apply to the dossiers of the last
# OPEN_HORIZON_DAYS only, so a province holds about that many days of intake × the open share in progress (tens of
# thousands at 5,000,000 dossiers over five years), as a real one does, not a quarter of everything it ever received.
OPEN_HORIZON_DAYS = 60
LINGERING = OPEN_TARGETS | {Status.RESULT_READY}  # a result never collected, too: the last 60 days' share only


@dataclass
class Spread:
    """How a province's dossiers spread (generate_province): the share of each agency (code -> weight, any
    scale), the appraisers each has, and whether each agency handles the procedures of its level."""

    weights: dict[str, float]
    appraisers: dict[str, int] = field(default_factory=dict)
    by_level: bool = True


def agency_versions(found: dict[str, Agency], options_by_version: dict, level_of: dict[int, str],
                    field_of: dict[int, int], pinned: dict[int, set[str]], seed: int) -> dict[str, list[int]]:
    """The procedure versions each agency receives: a commune the commune-level ones (as the demo desks do); a
    department or centre the province-level ones pinned to it, and of the others those of its fields (the fields,
    in order, dealt to the departments in code order; one without a field gets three drawn from --seed)."""
    departments = sorted(c for c, a in found.items() if a.level != AgencyLevel.COMMUNE)
    province_open = sorted(v for v in options_by_version if level_of[v] == Level.PROVINCE and not pinned.get(v))
    fields = sorted({field_of[v] for v in province_open})
    dealt = {f: departments[i % len(departments)] for i, f in enumerate(fields)} if departments else {}
    out: dict[str, list[int]] = {}
    for code, agency in found.items():
        if agency.level == AgencyLevel.COMMUNE:
            mine = [v for v in options_by_version if level_of[v] == Level.COMMUNE
                    and (not pinned.get(v) or code in pinned[v])]
        else:
            mine = [v for v in options_by_version if level_of[v] == Level.PROVINCE and code in pinned.get(v, ())]
            mine += [v for v in province_open if dealt.get(field_of[v]) == code]
            if not mine and province_open:
                mine = random.Random(f"versions:{seed}:{code}").sample(province_open, min(3, len(province_open)))
        out[code] = sorted(mine)
    return out


def _factor(draw: dict, name: str, sigma: float) -> float:
    factors = draw.setdefault("factors", {})
    if name not in factors:
        factors[name] = _lognormal(random.Random(f"mix:{draw['seed']}:{name}"), sigma)
    return factors[name]


def _mix(draw: dict, statuses, weights, code: str, procedure_id: int, agency_slow: float) -> list[float]:
    """The cumulative status weights of one agency and procedure (cached in `draw`): the backlog states grow
    with the agency's slowness squared; supplement requests, refusals, withdrawals and stops with a lognormal
    factor of the procedure and one of the agency, each drawn from its own seeded stream (order-free)."""
    cache = draw.setdefault("mix", {})
    key = (code, procedure_id)
    if key not in cache:
        out = []
        for status, w in zip(statuses, weights, strict=True):
            w = float(w)
            if status in BACKLOG:
                w *= agency_slow ** 2
            if status in MIX_SIGMA:
                by_procedure, by_agency = MIX_SIGMA[status]
                w *= _factor(draw, f"{status}:p{procedure_id}", by_procedure)
                w *= _factor(draw, f"{status}:{code}", by_agency)
            out.append(w)
        cache[key] = list(accumulate(out))
    return cache[key]


class Command(BaseCommand):
    help = ("Sinh nhanh N hồ sơ kèm lịch sử xử lý để đo hiệu năng. Thời gian từng bước = thời gian được giao × "
            "0,5 × hệ số chậm của thủ tục × hệ số chậm của cán bộ × nhiễu (phân phối log-chuẩn, theo --seed): "
            "có thủ tục, có cán bộ chậm hơn hẳn, nên có thể dự báo hồ sơ trễ hẹn.")

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--agencies", default="H21.65,H21.66,H21.67")
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--officers", type=int, default=1,
                            help="số chuyên viên thẩm định mỗi cơ quan (thêm tài khoản sinh dữ liệu nếu thiếu)")
        parser.add_argument("--open-only", action="store_true",
                            help="chỉ tạo hồ sơ đang giải quyết (đo quét thời hạn với 1.000.000 hồ sơ mở)")

    def handle(self, *args, count, agencies, days, seed, batch, open_only=False, officers=1, **options):
        if count <= 0 or count > 20_000_000:
            raise CommandError("--count phải từ 1 đến 20.000.000.")
        if days <= 0:
            raise CommandError("--days phải lớn hơn 0.")
        if batch <= 0:
            raise CommandError("--batch phải lớn hơn 0.")
        if not 1 <= officers <= 200:
            raise CommandError("--officers phải từ 1 đến 200.")
        codes = [c.strip() for c in agencies.split(",") if c.strip()]
        found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        missing = sorted(set(codes) - set(found))
        if missing:
            raise CommandError(f"Không có cơ quan mã: {', '.join(missing)} (chạy seed_demo trước?).")
        self.generate(found={c: found[c] for c in codes}, count=count, days=days, seed=seed, batch=batch,
                      open_only=open_only, officers=officers)

    def generate(self, *, found: dict[str, Agency], count: int, days: int, seed: int = 1, batch: int = 5000,
                 open_only: bool = False, officers: int = 1, spread: Spread | None = None,
                 part: tuple[int, int] | None = None) -> int:
        """Write `count` dossiers received at the agencies `found` (code -> Agency); returns how many.

        `part` (k, n), with a Spread: only the agencies whose place in code order is k modulo n, and their share
        of `count` by weight, so that n processes started at once generate one province without sharing a code
        counter (each with its own random stream; the slowness factors stay those of the whole province)."""
        levels = [Level.COMMUNE, Level.PROVINCE] if spread and spread.by_level else [Level.COMMUNE]
        # The version in force of each procedure (procedures.selectors.version_in_force's rule: the latest
        # effective_from), read in one query with its in-person channel's steps: 2,000 procedures in seconds.
        versions, level_of, field_of, seen = [], {}, {}, set()
        in_person = Prefetch("channels", queryset=ChannelOption.objects.filter(channel="in_person")
                             .prefetch_related("steps"), to_attr="in_person")
        for v in (versions_in_force().filter(procedure__level__in=levels).select_related("procedure")
                  .order_by("procedure_id", "-effective_from").prefetch_related(in_person)):
            if v.procedure_id not in seen:
                seen.add(v.procedure_id)
                versions.append(v)
                level_of[v.pk], field_of[v.pk] = v.procedure.level, v.procedure.field_id
        options_by_version = {}
        for v in versions:
            option = v.in_person[0] if v.in_person else None
            if option:
                options_by_version[v.pk] = (v, option.time_limit, option.unit, _allotments(v, option))
        if not options_by_version:
            raise CommandError("Không có thủ tục cấp xã nào đang hiệu lực (chạy seed_demo trước?).")
        draw = None
        if spread:
            pinned: dict[int, set[str]] = {}
            for vid, code in ProcedureVersion.agencies.through.objects.filter(
                    procedureversion_id__in=list(options_by_version)).values_list("procedureversion_id",
                                                                                  "agency__code"):
                pinned.setdefault(vid, set()).add(code)
            handled = agency_versions(found, options_by_version, level_of, field_of, pinned, seed)
            found = {c: a for c, a in found.items() if handled[c] and spread.weights.get(c, 0) > 0}
            if not found:
                raise CommandError("Không cơ quan nào có thủ tục đang hiệu lực để sinh hồ sơ.")
            draw = {"codes": list(found), "cum": list(accumulate(spread.weights[c] for c in found)),
                    "versions": handled, "seed": seed, "open_keep": min(1.0, OPEN_HORIZON_DAYS / days)}
        staff, appraisers = {}, {}
        with transaction.atomic():
            for code, agency in found.items():
                people = {r.role: r.user_id for r in StaffRole.objects.filter(agency=agency)}
                fallback = next(iter(people.values()), None)
                staff[code] = {role: people.get(role, fallback)
                               for role in (Role.RECEPTION, Role.APPRAISER, Role.APPROVER)}
                wanted = spread.appraisers.get(code, officers) if spread else officers
                appraisers[code] = (_officers(agency, Role.APPRAISER, wanted, active=bool(spread)) if wanted > 1
                                    else [staff[code][Role.APPRAISER]])
        if part and draw:
            k, n = part
            mine = [c for i, c in enumerate(sorted(found)) if i % n == k]
            total = sum(spread.weights[c] for c in found)
            count = round(count * sum(spread.weights[c] for c in mine) / total)
            found = {c: found[c] for c in mine}
            draw["codes"], draw["cum"] = mine, list(accumulate(spread.weights[c] for c in mine))
            rng = random.Random(f"{seed}:part{k}/{n}")
        else:
            rng = random.Random(seed)
        codes = list(found)
        # Systematic slowness, drawn in a fixed order so that the same --seed gives the same structure.
        slow_rng = random.Random(f"slowness:{seed}")
        slowness = {("procedure", v.procedure_id): _lognormal(slow_rng, SLOW_SIGMA)
                    for v, *_ in sorted(options_by_version.values(), key=lambda x: x[0].procedure_id)}
        for user_id in sorted({u for people in appraisers.values() for u in people if u} |
                              {p[Role.APPROVER] for p in staff.values() if p[Role.APPROVER]}):
            slowness[("officer", user_id)] = _lognormal(slow_rng, SLOW_SIGMA)
        if spread:  # a separate stream: the structure above stays what it is without a Spread
            agency_rng = random.Random(f"agency-slowness:{seed}")
            for code in sorted(found):
                slowness[("agency", code)] = _lognormal(agency_rng, AGENCY_SIGMA)
        now = timezone.now()
        cals = {code: calendar_for(agency) for code, agency in found.items()}
        now_pos = {code: float(working_position(cal, [now])[0]) for code, cal in cals.items()}
        counters = {(c.agency_id, c.day): c.last for c in DossierCodeCounter.objects.filter(agency__in=found.values())}
        touched: set[tuple] = set()
        version_ids = list(options_by_version)
        documents = {v: [] for v in options_by_version}
        for doc in RequiredDocument.objects.filter(version_id__in=list(options_by_version)).order_by("order", "id"):
            documents[doc.version_id].append(doc)
        statuses, weights = zip(*(MIX_OPEN if open_only else MIX), strict=True)
        started = time.perf_counter()
        made = events_made = components_made = 0
        while made < count:
            n = min(batch, count - made)
            plans = [self._plan(rng, codes, found, cals, options_by_version, version_ids, statuses, weights, staff,
                                appraisers, slowness, now, days, draw=draw) for _ in range(n)]
            self._place(plans, cals, now_pos)
            dossiers = []
            for plan in plans:
                code, cal = plan["code"], cals[plan["code"]]
                agency = found[code]
                received = plan["moments"][0]
                day = timezone.localtime(received).date()
                key = (agency.pk, day)
                counters[key] = counters.get(key, 0) + 1
                touched.add(key)
                version, limit, unit, _allot = options_by_version[plan["version"]]
                due_at = due(cal, received, limit if unit == "working_hours" else int(limit), unit)
                path = plan["path"]
                target = plan["status"]
                reached = dict(zip(path, plan["moments"], strict=True))
                resolved = reached.get(Status.RESULT_READY)
                returned = reached.get(Status.RETURNED)
                closed = returned or reached.get(Status.WITHDRAWN) or reached.get(Status.STOPPED)
                step = STEP_OF[target] or ""
                step_started = None
                if step and target != Status.RESULT_READY:
                    step_started = next(m for s, m in zip(path, plan["moments"], strict=True)
                                        if STEP_OF[s] == step)
                step_hours = plan["allot"].get(step, 0.0) if step else 0.0
                d = Dossier(
                    code=f"{agency.code}-{day:%y%m%d}-{counters[key]:04d}", pin=f"{rng.randrange(1_000_000):06d}",
                    procedure_version=version, channel="in_person", receiving_agency=agency, handling_agency=agency,
                    returning_agency=agency,
                    applicant_name=f"{rng.choice(NAMES)} {rng.choice(GIVEN)}", status=target, submitted_at=received,
                    received_at=received, due_at=due_at, original_due_at=due_at, resolved_at=resolved,
                    returned_at=returned, closed_at=closed, step=step,
                    step_started_at=step_started,
                    step_due_at=(cal.add_working_time(step_started, step_hours * 3600)
                                 if step_started and step_hours else None),
                    assignee_id=plan["appraiser"] if target != Status.RECEIVED else None,
                    punctuality=punctuality(resolved, due_at) if resolved else "",
                    # as dossier_request_supplement keeps them with the event written below
                    supplement_requests=int(Status.SUPPLEMENT_REQUESTED in reached),
                    first_supplement_request_at=reached.get(Status.SUPPLEMENT_REQUESTED),
                )
                dossiers.append(d)
            with transaction.atomic():
                _insert(Dossier, dossiers, batch)
                events, components = [], []
                for d, plan in zip(dossiers, plans, strict=True):
                    people = plan["people"]
                    received = plan["moments"][0]
                    events.append(DossierEvent(dossier_id=d.pk, type=EventType.CREATE_AT_DESK,
                                               actor_id=people[Role.RECEPTION], from_status=Status.DRAFT,
                                               to_status=Status.SUBMITTED, at=received))
                    events.append(DossierEvent(dossier_id=d.pk, type=EventType.RECEIVE, actor_id=people[Role.RECEPTION],
                                               from_status=Status.SUBMITTED, to_status=Status.RECEIVED, at=received,
                                               step="reception", punctuality="on_time"))
                    components += _components(d, documents[d.procedure_version_id], rng, people[Role.RECEPTION],
                                              received)
                    last = Status.RECEIVED
                    for status, moment in zip(plan["path"][1:], plan["moments"][1:], strict=True):
                        if status == Status.RETURNED:
                            actor = people[Role.RECEPTION]
                        elif status in (Status.APPROVED, Status.REFUSED, Status.STOPPED):
                            actor = people[Role.APPROVER]
                        else:
                            actor = plan["appraiser"]
                        events.append(DossierEvent(dossier_id=d.pk, type=TYPE_OF[status], from_status=last,
                                                   to_status=status, at=moment, step=STEP_OF[last] or "",
                                                   actor_id=actor))
                        last = status
                _insert(DossierEvent, events, batch * 2)
                _insert(DossierComponent, components, batch * 4)
            made += n
            events_made += len(events)
            components_made += len(components)
            rate = made / (time.perf_counter() - started)
            self.stdout.write(f"\r{made:,}/{count:,} hồ sơ, {events_made:,} sự kiện ({rate:,.0f} hồ sơ/s)", ending="")
            self.stdout.flush()
        # One upsert for the counters this run moved (a province over years has ~100,000 agency-days).
        DossierCodeCounter.objects.bulk_create(
            [DossierCodeCounter(agency_id=agency_id, day=day, last=counters[(agency_id, day)])
             for agency_id, day in sorted(touched)],
            update_conflicts=True, unique_fields=["agency", "day"], update_fields=["last"], batch_size=5000)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"\nXong: {made:,} hồ sơ, {events_made:,} sự kiện, {components_made:,} thành phần đã nộp "
                          f"trong {elapsed:.0f} s.")
        return made

    @staticmethod
    def _plan(rng, codes, found, cals, options_by_version, version_ids, statuses, weights, staff, appraisers,
              slowness, now, days, draw=None) -> dict:
        """One dossier's path and the working hours of each move after reception (not yet placed in time).
        `draw` (a Spread): the agency by its weight, a procedure it handles, the mix of that agency and
        procedure, and the agency's slowness on every step."""
        if draw:
            code = draw["codes"][bisect.bisect(draw["cum"], rng.random() * draw["cum"][-1])]
            version_id = rng.choice(draw["versions"][code])
        else:
            code = rng.choice(codes)
            version_id = rng.choice(version_ids)
        version, _limit, _unit, allot = options_by_version[version_id]
        people = staff[code]
        appraiser = rng.choice(appraisers[code])
        agency_slow = slowness.get(("agency", code), 1.0)
        if draw:
            cum = _mix(draw, statuses, weights, code, version.procedure_id, agency_slow)
            target = rng.choices(statuses, cum_weights=cum)[0]
            if target in LINGERING and draw["open_keep"] < 1 and rng.random() >= draw["open_keep"]:
                # received too long ago to be still in progress (or its result still uncollected): one of the ended
                # states, in their proportions
                ended = [(s, c - (cum[i - 1] if i else 0)) for i, (s, c) in enumerate(zip(statuses, cum, strict=True))
                         if s not in LINGERING]
                target = rng.choices([s for s, _ in ended], [w for _, w in ended])[0]
        else:
            target = rng.choices(statuses, weights)[0]
        proc = slowness[("procedure", version.procedure_id)] * agency_slow
        appraisal = allot["appraisal"] * BASE * proc * slowness.get(("officer", appraiser), 1.0) * _lognormal(
            rng, NOISE_SIGMA)
        approval = allot["approval"] * BASE * proc * slowness.get(("officer", people[Role.APPROVER]), 1.0) * (
            _lognormal(rng, NOISE_SIGMA))
        back = allot["return"] * BASE * _lognormal(rng, NOISE_SIGMA)
        wait = appraisal * rng.uniform(*WAIT_SHARE)
        if target in (Status.SUPPLEMENT_REQUESTED, Status.WITHDRAWN, Status.STOPPED):
            cut = wait + (appraisal - wait) * rng.uniform(0.1, 0.9)
            path = [Status.RECEIVED, Status.IN_APPRAISAL, target]
            offsets = [0.0, wait, cut]
        else:
            decided = Status.REFUSED if target == Status.REFUSED else Status.APPROVED
            path = [Status.RECEIVED, Status.IN_APPRAISAL, Status.AWAITING_APPROVAL, decided, Status.RESULT_READY,
                    Status.RETURNED]
            offsets = [0.0, wait, appraisal, appraisal + approval, appraisal + approval + back,
                       appraisal + approval + back + rng.uniform(0.5, 30)]
            if target == Status.RESULT_READY:  # never collected (yet)
                path, offsets = path[:-1], offsets[:-1]
        plan = {"code": code, "version": version_id, "allot": allot, "people": people, "appraiser": appraiser,
                "target": target, "path": path, "offsets": offsets}
        if target in OPEN_TARGETS:
            # now falls inside the state: received that many working hours ago
            k = path.index(target)
            span = offsets[k + 1] - offsets[k] if k + 1 < len(offsets) else rng.uniform(1, 40)
            plan["ago"] = offsets[k] + rng.uniform(0.02, 0.98) * span
            plan["path"], plan["offsets"] = path[:k + 1], offsets[:k + 1]
        else:
            cal = cals[code]
            day = cal.add_working_days((now - dt.timedelta(days=rng.randint(0, days))).date(), 0)
            received = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0))) + dt.timedelta(
                minutes=rng.randint(0, 480))
            plan["received"] = min(received, now - dt.timedelta(hours=1))
        return plan

    @staticmethod
    def _place(plans: list[dict], cals, now_pos) -> None:
        """Turn working-hour offsets into moments on each agency's calendar (vectorised per agency), and cut
        the path of a closed dossier whose later moves are still in the future (its status is then the
        state it is in now)."""
        by_code: dict[str, list[dict]] = {}
        for plan in plans:
            by_code.setdefault(plan["code"], []).append(plan)
        for code, group in by_code.items():
            cal = cals[code]
            placed = [p for p in group if "received" in p]
            start = np.empty(len(group))
            if placed:
                start_placed = working_position(cal, [p["received"] for p in placed])
                for p, pos in zip(placed, start_placed, strict=True):
                    p["start"] = float(pos)
            for i, p in enumerate(group):
                start[i] = p["start"] if "received" in p else max(now_pos[code] - p["ago"] * 3600, 0.0)
            lengths = [len(p["offsets"]) for p in group]
            flat = np.concatenate([start[i] + np.asarray(p["offsets"]) * 3600 for i, p in enumerate(group)])
            instants = as_datetimes(from_working_position(cal, flat))
            positions = iter(zip(flat.tolist(), instants, strict=True))
            for i, p in enumerate(group):
                rows = [next(positions) for _ in range(lengths[i])]
                if "received" in p:
                    p["moments"] = [p["received"]] + [m for _, m in rows[1:]]
                else:
                    p["moments"] = [m for _, m in rows]
                keep = 1 + sum(1 for pos, _ in rows[1:] if pos <= now_pos[code])
                p["path"], p["moments"] = p["path"][:keep], p["moments"][:keep]
                p["status"] = p["path"][-1]
