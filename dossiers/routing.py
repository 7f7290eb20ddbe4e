"""Reception regardless of administrative boundaries (thực hiện TTHC không phụ thuộc vào địa giới hành
chính, Decree 118/2025/NĐ-CP): a dossier has three agencies.

- the **receiving desk** (`receiving_agency`): where it was handed in. Its code carries this desk's
  identifier and the day's sequence of this desk (Decree 61/2018 Art. 26(a), Circular 01/2018 Art. 19:
  the code is made of the identifier of the agency that *receives* it), the receipt (Mẫu 01) is issued
  and signed here, and the reception counts go to it;
- the **competent agency** (`handling_agency`): who appraises, approves, is judged on time and issues the
  apology letter (Decree 61/2018 Art. 19(9): the competent agency);
- the **returning desk** (`returning_agency`): where the citizen collects the result.

When the competent agency is another one, the receiving desk digitises every component and forwards the
dossier (`handover_send`); the competent agency's desk acknowledges the electronic file
(`handover_acknowledge`) and, when the originals follow on paper, their arrival (`paper_receive`); the
result travels to the returning desk the same way. Each hand-over has an allotment (`RuleSet.handover_hours`);
one not acknowledged in time alerts both desks (`handovers_alert_overdue`, run by the deadline sweep). Whether
the travel time is inside the legal time limit is the rule set's `handover_clock`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from core.errors import Conflict, DomainError
from notifications.services import inbox_post
from procedures.anywhere import province_of, receivable_anywhere, receivable_versions
from procedures.models import ProcedureVersion
from procedures.selectors import LEVEL_OF_AGENCY
from regulations.models import HandoverClock
from regulations.selectors import rules_in_force
from workcalendar.selectors import calendar_for

from . import events, policies
from .attachments import missing_documents
from .models import Dossier, Handover, HandoverKind, ReturnChannel
from .workflow import Status

# -- who may handle, receive and return ----------------------------------------------------------------


def competent_agencies(version: ProcedureVersion) -> QuerySet[Agency]:
    """The agencies competent for a procedure version: those it lists, else every active agency of its level."""
    listed = version.agencies.filter(is_active=True)
    if listed.exists():
        return listed.order_by("name")
    levels = [lvl for lvl, proc_level in LEVEL_OF_AGENCY.items() if proc_level == version.procedure.level]
    return Agency.objects.filter(is_active=True, level__in=levels).order_by("name")


def is_competent(version: ProcedureVersion, agency: Agency) -> bool:
    listed = list(version.agencies.values_list("pk", flat=True))
    if listed:
        return agency.pk in listed
    return LEVEL_OF_AGENCY.get(agency.level) == version.procedure.level


def on_province_list(version: ProcedureVersion, agency: Agency, on: dt.date | None = None) -> bool:
    """Whether the procedure is on the list of the agency's province (or of the province itself) of procedures
    received anywhere."""
    province = province_of(agency)
    return province is not None and receivable_anywhere(version, province, on)


def desk_versions(versions: QuerySet[ProcedureVersion], desks: list[Agency]) -> QuerySet[ProcedureVersion]:
    """The versions (of `versions`, e.g. those in force) a desk form offers to the officer of `desks`: those one
    of the desks is competent for, and those on the desks' province's list (another agency is competent)."""
    levels = {LEVEL_OF_AGENCY.get(a.level) for a in desks} - {None}
    own = (Q(agencies__in=desks) | Q(agencies__isnull=True, procedure__level__in=levels))
    keep = versions.filter(pk__in=ProcedureVersion.objects.filter(own).values("pk"))
    for province in {p.pk: p for p in (province_of(a) for a in desks) if p is not None}.values():
        keep = keep | receivable_versions(versions, province)
    return keep


def desks_in_province(province: Agency) -> QuerySet[Agency]:
    """The active agencies of a province (to three levels below it) that have a one-stop desk (a reception
    officer), by name."""
    return (policies.agencies_with_desk().filter(Q(pk=province.pk) | Q(parent=province) | Q(parent__parent=province)
                                                 | Q(parent__parent__parent=province), is_active=True).order_by("name"))


def returning_choices(version: ProcedureVersion, desk: Agency, handling: Agency | None) -> list[Agency]:
    """Where the desk form offers to collect the result: the desk and the competent agency, and for a
    procedure on the province's list any desk of the province."""
    if on_province_list(version, desk):
        return list(desks_in_province(desk.province))
    return [a for a in (desk, handling) if a is not None and (a is desk or a.pk != desk.pk)]


def _named_in(agency: Agency, text: str) -> bool:
    """Whether the folded `text` names the agency: its short name, or its name without the province
    ("Sở Tư pháp tỉnh Gia Lai" → "so tu phap"; "Công an tỉnh Gia Lai" → "cong an tinh", also read as
    "cong an cap tinh")."""
    names = {_folded(agency.short_name), _folded(agency.name).split(" tinh ")[0]} - {""}
    names |= {n.replace(" tinh", " cap tinh") for n in names if n.endswith(" tinh")}
    return any(f" {n} " in f" {text} " for n in names)


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").split())


def propose_competent(version: ProcedureVersion, desk: Agency, applicant_commune: str = "") -> Agency | None:
    """The competent agency the desk form proposes: the desk itself when it is competent; the only competent
    agency; the only one the published version names as competent ("Sở Tư pháp", "Công an cấp tỉnh" …, read
    against the agencies' short names); for a commune procedure the commune named in the applicant's address;
    else none (the officer chooses among `competent_agencies`)."""
    candidates = list(competent_agencies(version))
    if any(a.pk == desk.pk for a in candidates):
        return desk
    if len(candidates) == 1:
        return candidates[0]
    named = _folded(f"{version.competent_agency} {version.implementing_agencies}")
    by_name = [a for a in candidates if _named_in(a, named)]
    if len(by_name) == 1:
        return by_name[0]
    commune = _folded(applicant_commune)
    for prefix in ("phuong ", "xa ", "dac khu ", "thi tran "):
        commune = commune.removeprefix(prefix)
    if commune:
        matches = [a for a in candidates if _folded(a.name).endswith(" " + commune)]
        if len(matches) == 1:
            return matches[0]
    return None


def check_route(*, version: ProcedureVersion, receiving: Agency, handling: Agency, returning: Agency,
                return_channel: str, on: dt.date | None = None) -> None:
    """Refuse a route the law or the province's list does not allow (DomainError, Vietnamese, on the field).

    - the competent agency must be competent for the procedure;
    - a desk other than the competent agency receives only procedures on its province's list, and only for
      an agency of the same province;
    - the result is collected at the receiving desk or the competent agency's desk, or (procedures on the
      list) at any desk of the province; by post or online it leaves from the competent agency."""
    if not handling.is_active or not is_competent(version, handling):
        raise DomainError("agency_not_competent", _("%s không có thẩm quyền giải quyết thủ tục này.") % handling.name,
                          field="handling_agency")
    listed = None
    if receiving.pk != handling.pk:
        if receiving.province.pk != handling.province.pk:
            message = _("%(desk)s chỉ tiếp nhận hồ sơ của các cơ quan trong tỉnh; %(agency)s thuộc tỉnh khác.")
            raise DomainError("other_province", message % {"desk": receiving.name, "agency": handling.name},
                              field="handling_agency")
        listed = on_province_list(version, receiving, on)
        if not listed:
            raise DomainError("not_on_list", _(
                "Thủ tục này không thuộc danh mục tiếp nhận không phụ thuộc địa giới hành chính của tỉnh: hãy hướng "
                "dẫn người nộp đến Bộ phận Một cửa của %s.") % handling.name, field="handling_agency")
        _require_desk(handling, "handling_agency")
    if return_channel != ReturnChannel.DESK:
        if returning.pk != handling.pk:
            raise DomainError("returning_not_desk", _("Kết quả gửi qua bưu chính hoặc trực tuyến do %s trả; không "
                                                      "chọn nơi trả khác.") % handling.name, field="returning_agency")
        return
    if returning.pk in (receiving.pk, handling.pk):
        return
    if not returning.is_active or returning.province.pk != handling.province.pk:
        raise DomainError("returning_elsewhere", _("%s không phải Bộ phận Một cửa trong tỉnh.") % returning.name,
                          field="returning_agency")
    if listed is None:
        listed = on_province_list(version, returning, on)
    if not listed:
        raise DomainError("returning_not_on_list", _(
            "Thủ tục này không thuộc danh mục trả kết quả không phụ thuộc địa giới hành chính: chỉ trả tại nơi nộp "
            "hoặc tại %s.") % handling.name, field="returning_agency")
    _require_desk(returning, "returning_agency")


def _require_desk(agency: Agency, field: str) -> None:
    """A hand-over is acknowledged by the desk it goes to: an agency without an active reception officer would
    leave the dossier waiting for ever."""
    if not policies.agencies_with_desk().filter(pk=agency.pk).exists():
        raise DomainError("no_desk", _("%s chưa có cán bộ Bộ phận Một cửa để nhận hồ sơ, kết quả chuyển đến.")
                          % agency.name, field=field)


def waiting_for(condition: str, dossier: Dossier) -> str:
    """Why a transition waits on a hand-over (`workflow.Transition.condition`), in words for the officer."""
    if condition == "dossier_arrived":
        return _("Chưa được: %(to)s chưa xác nhận đã nhận hồ sơ do %(from)s chuyển đến.") % {
            "to": dossier.handling_agency.name, "from": dossier.receiving_agency.name}
    return _("Chưa được: kết quả chưa được chuyển đến và xác nhận tại Bộ phận Một cửa của %s.") % (
        dossier.returning_agency.name)


def route(dossier: Dossier) -> list[str]:
    """The hand-overs this dossier's route needs (HandoverKind values)."""
    out = []
    if dossier.receiving_agency_id != dossier.handling_agency_id:
        out.append(HandoverKind.DOSSIER)
    if dossier.return_channel == ReturnChannel.DESK and dossier.returning_agency_id != dossier.handling_agency_id:
        out.append(HandoverKind.RESULT)
    return out


def memoized(memo: dict | None, key: tuple, read):
    """`read()` once per `key` in `memo` (a dict a bulk caller keeps across dossiers); without a memo, `read()`."""
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def appointment_with_travel(dossier: Dossier, legal_due: dt.datetime, on: dt.datetime, *,
                            memo: dict | None = None) -> dt.datetime:
    """The appointment printed on the receipt: the legal due date, plus the forwarding allotment when the rule
    set in force on the reception day says travel time is added (`HandoverClock.ADDED`): the competent agency
    then has the whole legal time from its acknowledgement. The result's way back to another desk is not added:
    lateness is judged when the result is ready at the competent agency's desk (`resolve`), as for every
    dossier, and the result's hand-over has its own allotment and alert."""
    rules = memoized(memo, ("rules", timezone.localdate(on)), lambda: rules_in_force(on))
    if rules.handover_clock != HandoverClock.ADDED or HandoverKind.DOSSIER not in route(dossier):
        return legal_due
    cal = memoized(memo, ("calendar", dossier.handling_agency_id), lambda: calendar_for(dossier.handling_agency))
    return cal.add_working_time(legal_due, rules.handover_hours * 3600)


# -- the hand-overs ------------------------------------------------------------------------------------------

SIDES = {HandoverKind.DOSSIER: ("receiving_agency", "handling_agency"),
         HandoverKind.RESULT: ("handling_agency", "returning_agency")}
SEND_STATES = {HandoverKind.DOSSIER: Status.RECEIVED, HandoverKind.RESULT: Status.RESULT_READY}


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related(  # the dossier row, not the joined agencies
        "procedure_version__procedure", "receiving_agency", "handling_agency", "returning_agency").get(pk=dossier.pk)


@transaction.atomic
def handover_send(*, dossier: Dossier, actor: User, kind: str, paper: bool = False, carrier: str = "",
                  note: str = "", at: dt.datetime | None = None) -> Handover:
    """The desk sends the dossier to the competent agency (kind "dossier", from the receiving desk, once the
    dossier is received and every component digitised) or the result to the returning desk (kind "result",
    from the competent agency's desk, once the result is at its desk)."""
    if kind not in HandoverKind.values:
        raise DomainError("invalid_kind", _("Loại chuyển không hợp lệ."), field="kind")
    locked = _locked(dossier)
    source, target = SIDES[kind]
    if kind not in route(locked):
        raise DomainError("no_handover", _("Hồ sơ này không phải chuyển: nơi nhận và nơi gửi là một."), http_status=409)
    if not policies.can_send_handover(actor, locked, kind):
        raise PermissionDenied(_("Chỉ Bộ phận Một cửa của %s mới chuyển được.") % getattr(locked, source).name)
    if locked.handovers.filter(kind=kind).exists():
        raise Conflict("already_sent", _("Đã chuyển rồi; không chuyển lần thứ hai."))
    if locked.status != SEND_STATES[kind]:
        raise DomainError("not_ready_to_send", _("Chưa chuyển được khi hồ sơ đang ở trạng thái “%s”.")
                          % locked.get_status_display(), http_status=409)
    if kind == HandoverKind.DOSSIER:
        missing = missing_documents(locked)
        if missing:
            raise DomainError("not_digitized", _(
                "Chưa số hóa đủ thành phần hồ sơ (%s): hãy quét và tải lên trước khi chuyển, hồ sơ tiếp nhận nơi khác "
                "phải được chuyển bản điện tử.") % "; ".join(doc.name for doc in missing), field="components")
    carrier, note = " ".join((carrier or "").split())[:255], (note or "").strip()[:500]
    if paper and not carrier:
        raise DomainError("carrier_required", _("Hãy ghi người vận chuyển bản giấy."), field="carrier")
    at = at or timezone.now()
    to_agency = getattr(locked, target)
    hours = rules_in_force(at).handover_hours
    handover = Handover.objects.create(
        dossier=locked, kind=kind, from_agency=getattr(locked, source), to_agency=to_agency, sent_at=at, sent_by=actor,
        due_at=calendar_for(to_agency).add_working_time(at, hours * 3600), paper=bool(paper),
        carrier=carrier if paper else "", note=note)
    events.handover_sent(handover=handover, actor=actor, at=at)
    text = (_("%(from)s chuyển hồ sơ %(code)s đến: hãy xác nhận đã nhận.") if kind == HandoverKind.DOSSIER
            else _("%(from)s chuyển kết quả hồ sơ %(code)s để trả tại quầy: hãy xác nhận đã nhận.")) % {
        "from": handover.from_agency.name, "code": locked.code}
    _tell_desk(to_agency.pk, key=f"handover-sent:{handover.pk}", text=text, dossier=locked)
    return handover


def _tell_desk(agency_id: int, *, key: str, text: str, dossier: Dossier, officers: list[int] | None = None) -> None:
    url = reverse("dossiers:detail", args=[dossier.pk]) + "#chuyen-ho-so"
    if officers is None:
        officers = list(policies.desk_officers(agency_id).values_list("pk", flat=True))
    transaction.on_commit(lambda: [inbox_post(user_id=pk, key=f"{key}:{pk}", text=text, url=url) for pk in officers])


def _locked_handover(handover: Handover) -> Handover:
    return Handover.objects.select_for_update(of=("self", "dossier")).select_related(
        "dossier", "from_agency", "to_agency").get(pk=handover.pk)


@transaction.atomic
def handover_acknowledge(*, handover: Handover, actor: User, at: dt.datetime | None = None) -> Handover:
    """The receiving side's desk confirms the electronic file arrived. Two desks at once: the first wins, the
    second is told who did it. When the rule set adds travel time, the competent agency's step clock runs
    from this moment."""
    locked = _locked_handover(handover)
    if not policies.can_acknowledge_handover(actor, locked):
        raise PermissionDenied(_("Chỉ Bộ phận Một cửa của %s mới xác nhận được.") % locked.to_agency.name)
    if locked.dossier.status in (Status.WITHDRAWN, Status.STOPPED):
        raise DomainError("dossier_closed", _("Hồ sơ đã rút hoặc đã dừng xử lý (“%s”): không xác nhận nữa.")
                          % locked.dossier.get_status_display(), http_status=409)
    if locked.acknowledged_at is not None:
        raise Conflict("already_acknowledged", _("Đã được xác nhận lúc %(at)s (%(who)s); không xác nhận lần hai.") % {
            "at": f"{timezone.localtime(locked.acknowledged_at):%H:%M %d/%m/%Y}",
            "who": locked.acknowledged_by.full_name if locked.acknowledged_by else "?"})
    at = at or timezone.now()
    locked.acknowledged_at, locked.acknowledged_by = at, actor
    locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    dossier = _locked(locked.dossier)
    locked.dossier = dossier
    events.handover_acknowledged(handover=locked, actor=actor, at=at, late=at > locked.due_at)
    added = rules_in_force(dossier.received_at or at).handover_clock == HandoverClock.ADDED
    if locked.kind == HandoverKind.DOSSIER and added and dossier.step_started_at:
        # The competent agency's clock runs from the acknowledgement: its step keeps its allotted length.
        cal = calendar_for(dossier.handling_agency)
        seconds = (cal.working_seconds_between(dossier.step_started_at, dossier.step_due_at)
                   if dossier.step_due_at else 0)
        dossier.step_started_at = at
        dossier.step_due_at = cal.add_working_time(at, seconds) if seconds else None
        dossier.save(update_fields=["step_started_at", "step_due_at"])
    return locked


@transaction.atomic
def paper_receive(*, handover: Handover, actor: User, at: dt.datetime | None = None) -> Handover:
    """The receiving side's desk confirms the paper originals arrived with the carrier named on the slip."""
    locked = _locked_handover(handover)
    if not policies.can_acknowledge_handover(actor, locked):
        raise PermissionDenied(_("Chỉ Bộ phận Một cửa của %s mới xác nhận được.") % locked.to_agency.name)
    if not locked.paper:
        raise DomainError("no_paper", _("Lần chuyển này không kèm bản giấy."), http_status=409)
    if locked.paper_received_at is not None:
        raise Conflict("paper_already_received", _("Bản giấy đã được xác nhận nhận lúc %s.")
                       % f"{timezone.localtime(locked.paper_received_at):%H:%M %d/%m/%Y}")
    at = at or timezone.now()
    locked.paper_received_at, locked.paper_received_by = at, actor
    locked.save(update_fields=["paper_received_at", "paper_received_by"])
    events.paper_received(handover=locked, actor=actor, at=at)
    return locked


def handovers_alert_overdue(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Every hand-over not acknowledged within its allotment alerts both desks, once (an event on the
    control sheet and a notice in each desk officer's inbox). Safe to run twice at once."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        rows = list(Handover.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("dossier", "from_agency", "to_agency")
                    .filter(acknowledged_at__isnull=True, alerted_at__isnull=True, due_at__lt=now)
                    .exclude(dossier__status__in=(Status.WITHDRAWN, Status.STOPPED))
                    .order_by("due_at")[:limit])
        officers = policies.desk_officer_ids({a for h in rows for a in (h.from_agency_id, h.to_agency_id)})
        for handover in rows:
            handover.alerted_at = now
            handover.save(update_fields=["alerted_at"])
            events.handover_overdue(handover=handover, at=now)
            text = _("Hồ sơ %(code)s chuyển từ %(from)s đến %(to)s chưa được xác nhận đã nhận (hạn %(due)s).") % {
                "code": handover.dossier.code, "from": handover.from_agency.name, "to": handover.to_agency.name,
                "due": f"{timezone.localtime(handover.due_at):%H:%M %d/%m/%Y}"}
            for agency_id in (handover.from_agency_id, handover.to_agency_id):
                _tell_desk(agency_id, key=f"handover-overdue:{handover.pk}", text=text, dossier=handover.dossier,
                           officers=officers.get(agency_id, []))
            done += 1
    return done
