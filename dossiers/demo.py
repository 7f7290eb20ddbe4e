"""Demo dossiers: a few hundred across every state, channel and both demo communes, made through the
real services (so events, codes, due dates and punctuality are all genuine), with supplements,
refusals and late ones. Runs once: skipped when dossiers already exist.

Then three dossiers received at the Pleiku ward desk for other agencies (reception regardless of
administrative boundaries, Decree 118/2025; `routed`): a judicial record forwarded to the provincial police
(Công an tỉnh, competent for it since 07/2025) and not acknowledged in time (the overdue alert), a
marital-status certificate forwarded to Quy Nhơn ward and waiting for its acknowledgement, and a judicial
record handled by the provincial police whose result travelled to the Quy Nhơn ward desk the citizen chose
(the payments demo collects its fee and that desk hands it over)."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Agency, User
from core.errors import DomainError
from procedures.models import Level, Procedure
from procedures.selectors import version_in_force
from workcalendar.selectors import calendar_for

from . import attachments, routing, services
from .lateness.sweep import sweep_deadlines
from .models import Dossier

COUNT = 300
# A readable one-page PDF (cross-reference table and all), so the signature check of every demo file says
# "no signature" rather than "unreadable".
DEMO_PDF = (b"%PDF-1.4\n% demo scan\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
            b"2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
            b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>\nendobj\n"
            b"xref\n0 4\n0000000000 65535 f \n0000000021 00000 n \n0000000066 00000 n \n0000000117 00000 n \n"
            b"trailer\n<</Size 4/Root 1 0 R>>\nstartxref\n182\n%%EOF\n")
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Rơ Mah",
            "Ksor", "Siu", "Nay"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Đức", "Thu", "H'"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quang",
         "Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Blong", "H'Hen"]
# Where a dossier's story stops, with weights.
TARGETS = [("received", 8), ("in_appraisal", 12), ("supplement_requested", 6), ("awaiting_approval", 8),
           ("result_ready", 8), ("returned", 44), ("refused", 5), ("guided", 3), ("refused_at_reception", 3),
           ("withdrawn", 3)]
ORDER = ["received", "in_appraisal", "awaiting_approval", "approved", "result_ready", "returned"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def seed(context: dict) -> None:
    if Dossier.objects.exists():
        context["dossiers"] = 0
        return
    rng = random.Random(2026)
    now = timezone.now()
    versions = [v for v in (version_in_force(p) for p in Procedure.objects.filter(level=Level.COMMUNE)) if v]
    versions = [v for v in versions if v.channels.filter(channel="in_person").exists()]
    if not versions:
        return
    people = {key: {role: User.objects.get(email=f"{role}.{key}@demo.gov.vn")
                    for role in ("tiepnhan", "thamdinh", "lanhdao")} for key in ("pleiku", "quynhon")}
    agencies = {"pleiku": Agency.objects.get(code="H21.65"), "quynhon": Agency.objects.get(code="H21.66")}
    citizens = list(User.objects.filter(email__in=["an.nguyen@example.com", "binh.tran@example.com"]))
    made = 0
    for i in range(COUNT):
        key = "pleiku" if i % 3 else "quynhon"
        agency, staff = agencies[key], people[key]
        cal = calendar_for(agency)
        version = rng.choice(versions)
        target = rng.choices([t for t, _ in TARGETS], [w for _, w in TARGETS])[0]
        # finished stories spread over half a year (so the dashboards have a previous quarter to compare);
        # dossiers still in process were received in the last weeks
        back = rng.randint(2, 200) if target in ("returned", "refused", "withdrawn") else rng.randint(2, 45)
        day = cal.add_working_days((now - dt.timedelta(days=back)).date(), 0)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30))) + dt.timedelta(
            minutes=rng.randint(0, 420))
        if start >= now:
            continue
        online = version.channels.filter(channel="online").exists() and rng.random() < 0.45
        street = rng.choice(["Trần Phú", "Hùng Vương", "Lê Lợi", "Phạm Văn Đồng", "Nguyễn Huệ"])
        applicant = {"applicant_name": _name(rng), "applicant_commune": agency.short_name.replace("UBND ", ""),
                     "applicant_address": f"{rng.randint(1, 300)} {street}"}  # no phone: no SMS storm

        def later(moment, hours, cal=cal):
            return cal.add_working_time(moment, hours * 3600)

        if online:
            citizen = rng.choice(citizens)
            applicant.update(applicant_name=citizen.full_name, applicant_email="")
            drafted = start - dt.timedelta(minutes=rng.randint(5, 600))
            d = services.dossier_create_draft(citizen=citizen, version=version, agency=agency, at=drafted,
                                              **applicant)
            for document in version.documents.filter(requirement="required"):
                # the same paper of the same person is the same file (so the document store keeps one copy)
                content = DEMO_PDF + f"% {citizen.email} {document.name}\n".encode()
                attachments.attachment_add(dossier=d, actor=citizen, document=document, at=drafted, upload=(
                    SimpleUploadedFile(f"{slugify(document.name)[:60] or document.pk}.pdf", content,
                                       content_type="application/pdf")))
            d = services.dossier_submit(dossier=d, actor=citizen, at=start)
            t = later(start, rng.uniform(0.5, 6))
            if target in ("guided", "refused_at_reception") or rng.random() < 0.08:
                if target == "refused_at_reception":
                    services.dossier_refuse_at_reception(dossier=d, actor=staff["tiepnhan"], at=min(t, now),
                                                         reason="Thủ tục không thuộc thẩm quyền giải quyết của xã.")
                    made += 1
                    continue
                d = services.dossier_guide(dossier=d, actor=staff["tiepnhan"], at=min(t, now),
                                           reason="Tờ khai chưa có chữ ký; bổ sung bản sao giấy tờ tùy thân.")
                if target == "guided":
                    made += 1
                    continue
                t = later(t, rng.uniform(4, 24))
                if t >= now:
                    made += 1
                    continue
                d = services.dossier_submit(dossier=d, actor=citizen, at=t)
                t = later(t, rng.uniform(0.5, 4))
            if t >= now:
                made += 1
                continue
            d = services.dossier_receive(dossier=d, actor=staff["tiepnhan"], at=t)
        else:
            if target in ("guided", "refused_at_reception"):
                target = "received"
            d = services.dossier_create_at_desk(actor=staff["tiepnhan"], version=version, agency=agency, at=start,
                                                **applicant)
            t = start
        made += 1
        if target == "withdrawn":
            t = later(t, rng.uniform(1, 10))
            if t < now:
                services.dossier_withdraw(dossier=d, actor=staff["tiepnhan"], at=t, reason="Công dân xin rút hồ sơ.")
            continue
        _progress(d, target, t, now, staff, rng, later)
    made += routed(now)
    context["dossiers"] = made
    sweep_deadlines()  # the demo opens with overdue dossiers flagged and their apology letters drafted


# -- received at one desk for another agency ---------------------------------------------------------------

ROUTED_APPLICANTS = [
    {"applicant_name": "Siu H'Nhung", "applicant_id_number": "064196004417", "applicant_commune": "Phường Pleiku",
     "applicant_address": "45 Phạm Văn Đồng"},
    {"applicant_name": "Trần Minh Khoa", "applicant_id_number": "052094007731",
     "applicant_commune": "Phường Quy Nhơn", "applicant_address": "18 Nguyễn Huệ"},
    {"applicant_name": "Nay Y Blim", "applicant_id_number": "064093002258", "applicant_commune": "Phường Quy Nhơn",
     "applicant_address": "7 Lê Lợi"},
]


def _last_slot(cal, now: dt.datetime) -> dt.datetime:
    """The latest of a few office-hour moments of a working day that is at least ten minutes before `now`."""
    day = timezone.localdate(now)
    for _attempt in range(30):
        if cal.is_working_day(day):
            for slot in (dt.time(16, 30), dt.time(15, 0), dt.time(11, 0), dt.time(9, 30)):
                moment = timezone.make_aware(dt.datetime.combine(day, slot))
                if moment <= now - dt.timedelta(minutes=10):
                    return moment
        day -= dt.timedelta(days=1)
    raise RuntimeError("no working day in the last month")


def _on(cal, moment: dt.datetime, working_days: int, hh: int, mm: int = 0) -> dt.datetime:
    """`hh:mm` on the working day `working_days` after (negative: before) the day of `moment`."""
    day = cal.add_working_days(timezone.localdate(moment), working_days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def _scanned(d: Dossier, officer: User, at: dt.datetime) -> None:
    """The desk scans every component it keeps (a dossier received for another agency travels electronically)."""
    for document in d.procedure_version.documents.filter(requirement="required"):
        content = DEMO_PDF + f"% {d.code} {document.name}\n".encode()
        attachments.attachment_add(dossier=d, actor=officer, document=document, at=at, scanned=True, upload=(
            SimpleUploadedFile(f"{slugify(document.name)[:60] or document.pk}.pdf", content,
                               content_type="application/pdf")))


def routed(now: dt.datetime) -> int:
    """The Pleiku ward desk receives for the provincial police and for Quy Nhơn ward (see the module's
    docstring)."""
    judicial = Procedure.objects.filter(code="3.000333").first()
    marital = Procedure.objects.filter(code="1.004873").first()
    judicial, marital = (version_in_force(p) if p else None for p in (judicial, marital))
    agencies = {a.code: a for a in Agency.objects.filter(code__in=("H21.30", "H21.65", "H21.66"))}
    emails = ["tiepnhan.pleiku", "tiepnhan.quynhon", "tiepnhan.congan", "thamdinh.congan", "lanhdao.congan"]
    people = {u.email.split("@")[0]: u for u in User.objects.filter(email__in=[f"{e}@demo.gov.vn" for e in emails])}
    if judicial is None or marital is None or len(agencies) < 3 or len(people) < len(emails):
        return 0
    pleiku, quynhon, police = agencies["H21.65"], agencies["H21.66"], agencies["H21.30"]
    desk, cal = people["tiepnhan.pleiku"], calendar_for(pleiku)
    slot = _last_slot(cal, now)

    def receive(version, handling, returning, applicant, at):
        d = services.dossier_create_at_desk(actor=desk, version=version, agency=pleiku, at=at, handling_agency=handling,
                                            returning_agency=returning, **applicant)
        _scanned(d, desk, at + dt.timedelta(minutes=5))
        return d

    # 1. A judicial record for the provincial police, forwarded with the paper file three working days ago and never
    #    acknowledged: the sweep alerts both desks.
    at = _on(cal, slot, -3, 8, 15)
    d = receive(judicial, police, pleiku, ROUTED_APPLICANTS[0], at)
    routing.handover_send(dossier=d, actor=desk, kind="dossier", paper=True, carrier="Nguyễn Văn Chuyển (văn thư)",
                          at=at + dt.timedelta(minutes=40))

    # 2. A marital-status certificate of a Quy Nhơn resident, for Quy Nhơn ward, forwarded just now.
    d = receive(marital, quynhon, pleiku, ROUTED_APPLICANTS[1], slot - dt.timedelta(minutes=30))
    routing.handover_send(dossier=d, actor=desk, kind="dossier", at=slot)

    # 3. A judicial record handled by the provincial police, the result collected at the Quy Nhơn ward desk.
    police_desk, appraiser, head = people["tiepnhan.congan"], people["thamdinh.congan"], people["lanhdao.congan"]
    at = _on(cal, slot, -12, 8, 0)
    d = receive(judicial, police, quynhon, ROUTED_APPLICANTS[2], at)
    h = routing.handover_send(dossier=d, actor=desk, kind="dossier", paper=True, carrier="Nguyễn Văn Chuyển (văn thư)",
                              at=at + dt.timedelta(minutes=40))
    routing.handover_acknowledge(handover=h, actor=police_desk, at=_on(cal, at, 0, 10, 30))
    routing.paper_receive(handover=h, actor=police_desk, at=_on(cal, at, 1, 9, 0))
    d = services.dossier_assign(dossier=d, actor=head, appraiser=appraiser, at=_on(cal, at, 1, 9, 30))
    d = services.dossier_propose(dossier=d, actor=appraiser, proposal="approve", at=_on(cal, at, 4, 10, 0),
                                 result_summary="Phiếu lý lịch tư pháp số 1: không có án tích")
    d = services.dossier_approve(dossier=d, actor=head, at=_on(cal, at, 5, 9, 0))
    d = services.dossier_resolve(dossier=d, actor=police_desk, at=_on(cal, at, 5, 14, 0))
    h = routing.handover_send(dossier=d, actor=police_desk, kind="result", paper=True,
                              carrier="Phan Văn Giao (văn thư Công an tỉnh)", at=_on(cal, at, 5, 15, 0))
    routing.handover_acknowledge(handover=h, actor=people["tiepnhan.quynhon"], at=_on(cal, at, 6, 8, 30))
    routing.paper_receive(handover=h, actor=people["tiepnhan.quynhon"], at=_on(cal, at, 6, 10, 0))
    routing.handovers_alert_overdue(now=now)
    return 3


def _progress(d, target, t, now, staff, rng, later):
    """Move a received dossier towards `target`; each step happens at a fraction of the time left
    before the appointment (or after it, for the ~18% that end up late); nothing in the future."""
    late = rng.random() < 0.18

    def at(fraction):
        """`fraction` of the time left between the latest event and the appointment."""
        base = d.events.order_by("-at").values_list("at", flat=True).first()
        span = max((d.due_at - base).total_seconds(), 600) if d.due_at else 8 * 3600
        moment = base + dt.timedelta(seconds=span * fraction)
        return moment if moment < now else None

    if target == "received" or (t := at(0.1)) is None:
        return
    d = services.dossier_assign(dossier=d, actor=staff["tiepnhan"], appraiser=staff["thamdinh"], at=t)
    if target == "in_appraisal":
        return
    if target == "supplement_requested" or rng.random() < 0.1:
        t = later(t, rng.uniform(0.25, 4))
        if t >= now:
            return
        try:
            d = services.dossier_request_supplement(dossier=d, actor=staff["thamdinh"], at=t,
                                                    reason="Bổ sung bản sao Giấy chứng nhận quyền sử dụng đất.")
        except DomainError:  # more than 3 working days after receipt: the law no longer allows it
            return
        if target == "supplement_requested":
            return
        t = later(t, rng.uniform(8, 24))
        if t >= now:
            return
        d = services.dossier_supplement_received(dossier=d, actor=staff["tiepnhan"], at=t)
    if (t := at(0.5)) is None:
        return
    refuse = target == "refused"
    d = services.dossier_propose(dossier=d, actor=staff["thamdinh"], at=t, proposal="refuse" if refuse else "approve",
                                 result_summary="Dự thảo kết quả giải quyết")
    if target == "awaiting_approval" or (t := at(0.7)) is None:
        return
    if refuse:
        d = services.dossier_refuse(dossier=d, actor=staff["lanhdao"], at=t,
                                    reason="Hồ sơ không đáp ứng điều kiện theo quy định.")
    else:
        d = services.dossier_approve(dossier=d, actor=staff["lanhdao"], at=t)
    t = later(d.due_at, rng.uniform(1, 12)) if late else at(rng.uniform(0.2, 0.95))
    if t is None or t >= now:
        return
    d = services.dossier_resolve(dossier=d, actor=staff["thamdinh"], at=t)
    if target in ("result_ready", "refused"):
        return
    if d.fee_status == "unpaid":
        return  # the payments demo collects the fee (at the desk or online) and then hands the result over
    t = later(t, rng.uniform(0.5, 16))
    if t < now:
        services.dossier_return(dossier=d, actor=staff["tiepnhan"], at=t)
