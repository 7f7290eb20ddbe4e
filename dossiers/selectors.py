"""Reads on dossiers, always starting from what the user may see (the access gate)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import Agency, User
from eforms.printing import printable, row_text, unit_codes, unit_names
from procedures.models import (
    Channel,
    ChannelOption,
    DeclarationForm,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Requirement,
    VersionStatus,
)
from procedures.selectors import LEVEL_OF_AGENCY, version_in_force, versions_in_force
from procedures.text import search_key
from workcalendar.selectors import calendar_for

from . import policies
from .components import required_among
from .lateness.at_risk import at_risk_filter
from .lateness.classify import due_soon_limit
from .models import (
    ApologyLetter,
    Attachment,
    AttachmentKind,
    ConsultationTask,
    Declaration,
    DeclarationStatus,
    Dossier,
    DossierEvent,
    EventType,
    Handover,
    HandoverKind,
    LedgerExport,
    LetterStatus,
    PersonalDataAccess,
    ReturnChannel,
)
from .workflow import (
    ASSIGNED_ONLY,
    DESK_ROLES,
    HANDLING,
    OPEN,
    QUEUE_ROLES,
    RECEIVING,
    RESULT_RELEASED,
    RETURNING,
    ROLE_COLUMNS,
    TRANSITIONS,
    WAITING_FOR_CITIZEN,
    Status,
    queue_statuses,
)


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    if not user.is_authenticated:
        return Dossier.objects.none()
    if access.is_unrestricted(user):
        return Dossier.objects.all()
    agencies = access.visible_agency_ids(user)
    # the returning desk: once the result was sent to it (policies.returning_desk_sees)
    sent_back = Q(returning_agency__in=policies.desk_agency_ids(user),
                  pk__in=Handover.objects.filter(kind=HandoverKind.RESULT).values("dossier_id"))
    return Dossier.objects.filter(Q(citizen=user) | Q(receiving_agency__in=agencies) | Q(handling_agency__in=agencies)
                                  | sent_back)


def access_dossier(user: User, pk: int) -> Dossier:
    """Fetch and authorise in one step: a dossier the user may not see does not exist for them. Its three
    agencies and two people are read by primary key afterwards (two small queries), not joined: with seven
    tables and the visibility's OR, PostgreSQL spent about 6 ms planning the joined statement, more than
    the page's other 25 statements together (#21)."""
    dossier = (dossiers_visible_to(user).select_related("procedure_version__procedure").filter(pk=pk).first())
    if dossier is None:
        raise Http404("Không tìm thấy hồ sơ.")
    agencies = Agency.objects.in_bulk({dossier.receiving_agency_id, dossier.handling_agency_id,
                                       dossier.returning_agency_id} - {None})
    people = User.objects.in_bulk({dossier.assignee_id, dossier.citizen_id} - {None})
    for field, model_id, found in (("receiving_agency", dossier.receiving_agency_id, agencies),
                                   ("handling_agency", dossier.handling_agency_id, agencies),
                                   ("returning_agency", dossier.returning_agency_id, agencies),
                                   ("assignee", dossier.assignee_id, people), ("citizen", dossier.citizen_id, people)):
        if model_id is not None:
            setattr(dossier, field, found[model_id])
    return dossier


# -- What a citizen sees of a dossier ------------------------------------------------------------
# One rule for the citizen's own page, the API answering the citizen, the file URL (page and API)
# and the tracking page (anyone with the code and PIN). Staff of the dossier's agencies see all.

# The timeline a citizen sees: the workflow's transitions and these public facts. Anything else
# (uploads, apology drafts, deadline alerts, PIN locks, event types added later) stays internal.
CITIZEN_EVENTS = frozenset({EventType(t.name) for t in TRANSITIONS} | {
    EventType.CREATE, EventType.CREATE_AT_DESK, EventType.DIGITIZE, EventType.NOTIFIED, EventType.APOLOGY_ISSUED,
    EventType.CALENDAR_REAPPOINTED,
    EventType.FEE_PAID, EventType.FEE_PAID_TWICE, EventType.FEE_REFUNDED,
    EventType.HANDOVER_ACKNOWLEDGED})  # the dossier reached the competent agency, the result the chosen desk


def citizen_events(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.filter(type__in=CITIZEN_EVENTS).order_by("at", "id")


def result_released(dossier: Dossier) -> bool:
    """Whether the citizen may see the result (its files, its summary): the workflow says when."""
    return dossier.status in RESULT_RELEASED


def citizen_attachments(dossier: Dossier) -> QuerySet[Attachment]:
    """The files in use; a result only once the workflow released it."""
    files = dossier.attachments.filter(is_active=True)
    if not result_released(dossier):
        files = files.exclude(kind=AttachmentKind.RESULT)
    return files


def citizen_letters(dossier: Dossier) -> QuerySet[ApologyLetter]:
    """Issued apology letters only (drafts and cancelled ones are internal)."""
    return dossier.apology_letters.filter(status=LetterStatus.ISSUED)


def dossier_events_for(user: User, dossier: Dossier) -> QuerySet[DossierEvent]:
    if policies.sees_as_staff(user, dossier):
        return dossier.events.select_related("from_agency", "to_agency").order_by("at", "id")
    return citizen_events(dossier).select_related("from_agency", "to_agency")


def dossier_attachments_for(user: User, dossier: Dossier) -> QuerySet[Attachment]:
    if policies.sees_as_staff(user, dossier):
        return dossier.attachments.filter(is_active=True)
    return citizen_attachments(dossier)


def attachment_get(user: User, pk: int) -> tuple[Attachment, Dossier]:
    """The download gate of the page and the API: a file the user may not see does not exist."""
    attachment = Attachment.objects.filter(pk=pk, is_active=True).first()
    if attachment is None:
        raise Http404("Không tìm thấy tệp.")
    dossier = access_dossier(user, attachment.dossier_id)
    if not dossier_attachments_for(user, dossier).filter(pk=attachment.pk).exists():
        raise Http404("Không tìm thấy tệp.")
    return attachment, dossier


QUEUES = ("mine", "agency", "due_soon", "overdue", "at_risk", "waiting", "done", "sent", "incoming", "to_return")
# "Có nguy cơ trễ hẹn": the lateness forecast's queue, ordered by risk (highest first), not by due date.
BY_RISK = frozenset({"at_risk"})
# Reception regardless of administrative boundaries: what a desk received for other agencies, what other
# desks received for this agency, and results waiting at this desk (read on that one column).
ROUTE_QUEUES = {"sent": RECEIVING, "incoming": HANDLING, "to_return": RETURNING}
TO_SEND = "to_send"  # a pseudo column of "mine": the dossiers a desk must forward (`to_send`)


# What a worklist row shows, and what deciding whether its applicant may be shown reads
# (`policies.applicant_name_for`): a dossier has some 60 columns and its procedure the whole search text, and a
# page loads 26 rows with both (issue #21: loading whole rows was a third of the page's time).
WORKLIST_ROW_FIELDS = ("code", "national_code", "channel", "status", "due_at", "risk", "risk_reason",
                       "applicant_name", "applicant_id_number", "citizen_id", "receiving_agency_id",
                       "handling_agency_id", "returning_agency_id", "procedure_version__procedure__name",
                       "assignee__full_name")


def worklist(user: User, *, queue: str = "agency", role: str | None = None, after: tuple | None = None,
             limit: int = 25, now=None, **filters) -> list[Dossier]:
    """A staff worklist, ordered by due date (the at-risk queue: by risk, highest first), with keyset paging
    (fast at millions of rows). `after`: the last row's (due_at, pk), or (risk, pk) in the at-risk queue.

    "Received by my agencies" and "handled by my agencies" are read separately, each an ordered scan
    of a partial index with LIMIT, then merged: an OR across the two columns would sort every match.
    With a `role` (reception, appraiser, approver) only the agencies where the user holds that role,
    on the side of the dossier that role acts for, are read; "mine" is then that role's own work.
    """
    role = role if role in QUEUE_ROLES else None
    columns = ROLE_COLUMNS[role] if role else (RECEIVING, HANDLING, RETURNING)
    if queue != "mine":  # the returning desk's own lists are its "mine" (results that arrived) and "to_return"
        columns = tuple(c for c in columns if c != RETURNING) or (RECEIVING,)
    elif (role is None or role in DESK_ROLES) and policies.desk_agency_ids(user):
        columns = (*columns, TO_SEND)
    if queue in ROUTE_QUEUES:
        columns = (ROUTE_QUEUES[queue],)
    if queue in BY_RISK:  # the competent agency is judged on time and re-appoints: its column only
        columns = (HANDLING,)
    agencies = policies.queue_agency_ids(user, role) if role else access.visible_agency_ids(user)
    keys: set[tuple] = set()
    by_risk = queue in BY_RISK
    for column in columns:
        qs = worklist_queryset(user, queue=queue, role=role, after=after, now=now, agency_column=column,
                               agencies=agencies, **filters)
        keys |= set(qs.values_list("risk" if by_risk else "due_at", "pk")[:limit])
    if by_risk:
        ordered = sorted(keys, key=lambda k: (-k[0], k[1]))[:limit]
    else:
        ordered = sorted(keys, key=lambda k: (k[0] is None, k[0] or 0, k[1]))[:limit]
    related = (Dossier.objects.filter(pk__in=[pk for _, pk in ordered])
               .select_related("procedure_version__procedure", "assignee").only(*WORKLIST_ROW_FIELDS)
               .annotate(result_sent=Exists(Handover.objects.filter(dossier=OuterRef("pk"),
                                                                    kind=HandoverKind.RESULT))))
    by_pk = {d.pk: d for d in related}
    return [by_pk[pk] for _, pk in ordered if pk in by_pk]


def my_work(user: User, *, role: str | None = None, agency_column: str | None = None) -> Q:
    """The "Của tôi" queue: dossiers in a state where one of the user's roles has the next routine move
    (see `workflow.queue_statuses`), at an agency where they hold that role; for an appraiser only the
    dossiers assigned to them. Never the dossiers waiting at another desk or for the citizen."""
    roles = [role] if role else policies.queue_roles(user)
    condition = Q(pk__in=[])
    for r in roles:
        for column in ROLE_COLUMNS[r]:
            if agency_column and column != agency_column:
                continue
            part = Q(**{f"{column}__in": policies.queue_agency_ids(user, r)}, status__in=queue_statuses(r, column))
            if r in ASSIGNED_ONLY:
                part &= Q(assignee=user)
            if column == HANDLING:
                if r in DESK_ROLES:  # the result: handed over at this desk, or (another desk) sent there from here
                    part = Q(**{f"{column}__in": policies.queue_agency_ids(user, r)},
                             status__in=queue_statuses(r, column) | {Status.RESULT_READY})
                    part &= ~Q(Q(status=Status.RESULT_READY) & ~Q(returning_agency=F("handling_agency"))
                               & Q(pk__in=_handed_over(HandoverKind.RESULT)))
                # a dossier received elsewhere is the competent agency's work once acknowledged (the filters are
                # negations, so the planner keeps the ordered scan of the open-dossier index with LIMIT)
                part &= ~Q(Q(status=Status.RECEIVED) & ~Q(receiving_agency=F("handling_agency"))
                           & ~Q(pk__in=_handed_over(HandoverKind.DOSSIER, acknowledged=True)))
            if column == RETURNING:  # a result that travelled to another desk: once it arrived there
                part &= (~Q(returning_agency=F("handling_agency"))
                         & Q(pk__in=_handed_over(HandoverKind.RESULT, acknowledged=True)))
            condition |= part
    return condition


def _handed_over(kind: str, *, acknowledged: bool = False) -> QuerySet:
    rows = Handover.objects.filter(kind=kind)
    return (rows.filter(acknowledged_at__isnull=False) if acknowledged else rows).values("dossier_id")


def to_send(user: User) -> Q:
    """Dossiers the user's desks received for another competent agency and have not forwarded yet: the desk's
    next move, in its "Của tôi" (read on its own: few rows, the routed-dossier index)."""
    return (Q(receiving_agency__in=policies.desk_agency_ids(user), status=Status.RECEIVED)
            & ~Q(receiving_agency=F("handling_agency")) & ~Q(pk__in=_handed_over(HandoverKind.DOSSIER)))


def worklist_queryset(user: User, *, queue: str = "agency", role: str | None = None, after: tuple | None = None,
                      now=None, agency_column: str | None = None, agencies=None, **filters) -> QuerySet[Dossier]:
    now = now or timezone.now()
    role = role if role in QUEUE_ROLES else None
    if role and agencies is None:
        agencies = policies.queue_agency_ids(user, role)
    agency_column = agency_column or (ROLE_COLUMNS[role][0] if role and len(ROLE_COLUMNS[role]) == 1 else None)
    agencies = access.visible_agency_ids(user) if agencies is None else agencies
    if agency_column == TO_SEND:
        qs = Dossier.objects.filter(to_send(user))
    elif queue == "mine":
        qs = Dossier.objects.filter(my_work(user, role=role, agency_column=agency_column))
    elif queue in ROUTE_QUEUES:
        column = ROUTE_QUEUES[queue]
        qs = Dossier.objects.filter(**{f"{column}__in": agencies})
        if queue == "to_return":  # results that reached this desk (acknowledged), to hand over
            qs = qs.filter(status=Status.RESULT_READY, return_channel=ReturnChannel.DESK,
                           pk__in=Handover.objects.filter(kind=HandoverKind.RESULT, acknowledged_at__isnull=False)
                           .values("dossier_id")).exclude(returning_agency=F("handling_agency"))
        else:
            qs = qs.exclude(receiving_agency=F("handling_agency"))
    elif agency_column:
        qs = Dossier.objects.filter(**{f"{agency_column}__in": agencies})
    else:
        qs = Dossier.objects.filter(Q(receiving_agency__in=agencies) | Q(handling_agency__in=agencies))
    if queue == "due_soon":
        # The sweep's rule (lateness.classify): due by the end of the next working day.
        qs = qs.filter(status__in=OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY}, due_at__gte=now,
                       due_at__lte=due_soon_limit(calendar_for(None), now))
    elif queue == "overdue":
        qs = qs.filter(status__in=OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY}, due_at__lt=now)
    elif queue == "at_risk":  # the forecast stored by the sweep; a paused or already late dossier is not "at risk"
        qs = qs.filter(at_risk_filter(now))
    elif queue == "waiting":
        qs = qs.filter(status__in=WAITING_FOR_CITIZEN)
    elif queue == "done":
        qs = qs.exclude(status__in=OPEN)
    elif queue not in ("mine", "to_return"):  # those are already narrowed to the states where it is the user's move
        qs = qs.filter(status__in=OPEN)
    if filters.get("punctuality") == "late":  # late includes late twice (after the re-appointment)
        qs = qs.filter(punctuality__in=("late", "late_twice"))
        filters = {**filters, "punctuality": None}
    for key in ("status", "channel", "procedure_version__procedure__code", "punctuality", "received_at__date__gte",
                "received_at__date__lte"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    declared = search_key(filters.get("declared") or "")
    if declared:  # what was declared on a finished declaration (trigram index), where the user sees the applicant
        qs = qs.filter(policies.applicant_visible(user), pk__in=Declaration.objects.filter(
            status=DeclarationStatus.DONE, search_text__contains=declared).values("dossier_id"))
    if filters.get("code"):  # our code or the national portal's, as typed or in capitals (both unique, indexed)
        typed = {filters["code"], filters["code"].upper()}
        qs = qs.filter(Q(code__in=typed) | Q(national_code__in=typed))
    if queue in BY_RISK:  # ORDER BY risk DESC, pk: the partial index dossier_hand_open_risk
        if after:
            risk, pk = after
            qs = qs.filter(Q(risk__lt=risk) | Q(risk=risk, pk__gt=pk))
        return qs.select_related("procedure_version__procedure", "assignee").order_by("-risk", "pk")
    if after:
        due_at, pk = after
        # ORDER BY due_at, pk puts dossiers without a due date (not yet received) last.
        if due_at is None:
            qs = qs.filter(due_at__isnull=True, pk__gt=pk)
        else:
            qs = qs.filter(Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=pk) | Q(due_at__isnull=True))
    return qs.select_related("procedure_version__procedure", "assignee").order_by("due_at", "pk")


def log_personal_data_access(request, dossier: Dossier | None, action: str, detail: str = "") -> None:
    """Record that a staff member saw or exported applicants' personal data (citizens' own views are not logged)."""
    if dossier is not None and dossier.citizen_id == request.user.pk:
        return
    PersonalDataAccess.objects.create(user=request.user, dossier=dossier, action=action, detail=detail[:255],
                                      ip=request.META.get("REMOTE_ADDR") or None)


def mask_id_number(number: str) -> str:
    """064090000123 -> ********0123 (lists show only the last four digits)."""
    return ("*" * max(0, len(number) - 4) + number[-4:]) if number else ""


# -- the people and agencies a transition names ----------------------------------------------------

def user_get(pk: int) -> User | None:
    """The user a transition names (the appraiser assigned); the service checks their role."""
    return User.objects.filter(pk=pk).first()


def consultable_agency_list() -> QuerySet[Agency]:
    """The agencies a dossier's appraiser may consult (liên thông): every active agency."""
    return Agency.objects.filter(is_active=True).order_by("name")


def consultable_agency_get(code: str) -> Agency | None:
    return consultable_agency_list().filter(code=code).first()


# -- reads of the dossier pages and the API ----------------------------------------------------------

def dossier_list(user: User, *, status: str = "", channel: str = "", procedure: str = "",
                 agency: str = "") -> QuerySet[Dossier]:
    """The API's list: the dossiers the user may see, filtered by status, channel, procedure code and
    receiving agency code (an empty filter is no filter)."""
    qs = dossiers_visible_to(user).select_related("procedure_version__procedure")
    filters = {"status": status, "channel": channel, "procedure_version__procedure__code": procedure,
               "receiving_agency__code": agency}
    return qs.filter(**{lookup: value for lookup, value in filters.items() if value})


def citizen_dossier_list(user: User, *, limit: int = 200) -> list[Dossier]:
    """The citizen's own dossiers, newest first ("Hồ sơ của tôi")."""
    return list(Dossier.objects.filter(citizen=user).select_related("procedure_version__procedure")
                .order_by("-created_at")[:limit])


def dossier_track_queryset() -> QuerySet[Dossier]:
    """Where the tracking by code and PIN (the page and the API) looks (dossiers.pins checks the PIN)."""
    return Dossier.objects.select_related("procedure_version__procedure", "receiving_agency")


def online_version_get(code: str) -> tuple[Procedure, ProcedureVersion | None]:
    """The procedure (404 if there is none) and its version in force if that takes dossiers online."""
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise Http404("Không tìm thấy thủ tục.")
    version = version_in_force(procedure)
    if version is None or version.online_level == "none" or not version.channels.filter(channel="online").exists():
        return procedure, None
    return procedure, version


def receiving_agency_list(version: ProcedureVersion) -> QuerySet[Agency]:
    """Where a citizen may file a dossier of this version online: the agencies it lists, else every active
    agency of its level; of those, only the ones with a one-stop desk (an active reception officer): a dossier
    filed where nobody receives would wait for ever."""
    listed = version.agencies.filter(is_active=True)
    if not listed.exists():
        levels = [lvl for lvl, proc_level in LEVEL_OF_AGENCY.items() if proc_level == version.procedure.level]
        listed = Agency.objects.filter(is_active=True, level__in=levels)
    return listed.filter(pk__in=policies.agencies_with_desk().values("pk")).order_by("name")


def conditional_document_list(version: ProcedureVersion) -> QuerySet[RequiredDocument]:
    return version.documents.filter(requirement=Requirement.CONDITIONAL)


def procedure_version_get(pk: int) -> ProcedureVersion | None:
    return ProcedureVersion.objects.filter(pk=pk).first()


def agency_get(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()


def dossier_document_get(dossier: Dossier, pk: int | None) -> RequiredDocument | None:
    """A component (required document) of the dossier's procedure version, or None."""
    return dossier.procedure_version.documents.filter(pk=pk or 0).first()


def dossier_document_rows(dossier: Dossier, files: list[Attachment]) -> list[dict]:
    """The dossier page's components table: each component of the procedure version with the files on it,
    whether it must be handed in (components.required_documents) and what the desk counted."""
    parts = {c.document_id: c for c in dossier.components.all()}
    documents = list(dossier.procedure_version.documents.all())
    must = {d.pk for d in required_among(documents, {c.document_id for c in parts.values()
                                                     if c.applies and c.requirement == Requirement.CONDITIONAL})}
    forms = set(DeclarationForm.objects.filter(document__version_id=dossier.procedure_version_id)
                .values_list("document_id", flat=True))
    declared = {d.document_id: d for d in dossier.declarations.select_related("form")} if forms else {}
    return [{"doc": doc, "files": [f for f in files if f.document_id == doc.pk], "required": doc.pk in must,
             "part": parts.get(doc.pk), "has_form": doc.pk in forms, "declaration": declared.get(doc.pk)}
            for doc in documents]


def declaration_panels(rows: list[dict]) -> list[dict]:
    """The finished declarations among the component rows (`dossier_document_rows`, which read them in one
    query), each as the fields the appraiser reads (`printable`; only those filled in, so the panel stays short),
    the unit names of all of them read at once."""
    done = [row for row in rows if row["declaration"] is not None
            and row["declaration"].status == DeclarationStatus.DONE and row["declaration"].data]
    units = unit_names(set().union(*(unit_codes(row["declaration"].data) for row in done))) if done else {}
    panels = []
    for row in done:
        printed = printable(row["declaration"].form.form, row["declaration"].data, units=units)
        sections = []
        for section in printed["sections"]:
            items = [{**item, "lines": [row_text(cells) for cells in item["rows"]]} if item.get("group") else item
                     for item in section["items"] if item.get("rows") or item.get("value")]
            if items:
                sections.append({"title": section["title"], "items": items})
        panels.append({"document": row["doc"], "declaration": row["declaration"], "sections": sections})
    return panels


def receive_fee_list(dossier: Dossier) -> list[dict]:
    """The fees of the dossier's channel that cost something, each with the exemptions it allows (what the
    officer may apply on receiving)."""
    option = dossier.channel_option
    if option is None:
        return []
    return [{"item": item, "choices": item.exemption_choices()}
            for item in option.fees.prefetch_related("allowed_exemptions") if item.amount]


def supplement_form_exists(dossier: Dossier) -> bool:
    """Whether the dossier has a Mẫu 02 to print (a guidance or a supplement request)."""
    return dossier.events.filter(type__in=(EventType.GUIDE, EventType.REQUEST_SUPPLEMENT)).exists()


def consultation_list(dossier: Dossier) -> QuerySet[ConsultationTask]:
    return dossier.consultations.select_related("agency")


def removable_attachment_get(user: User, pk: int) -> Attachment:
    """A file of a dossier the user may see (404 otherwise); attachments.attachment_remove decides whether
    they may remove it."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404("Không tìm thấy tệp.")
    access_dossier(user, attachment.dossier_id)
    return attachment


def reception_agency_list(user: User) -> QuerySet[Agency]:
    """The agencies where the user is a reception officer (the desk receives for these)."""
    return Agency.objects.filter(pk__in=policies.desk_agency_ids(user))


def desk_version_list() -> QuerySet[ProcedureVersion]:
    """The procedure versions the desk may receive (in force), by procedure name."""
    return versions_in_force().select_related("procedure").order_by("procedure__name")


def desk_version_get(pk) -> ProcedureVersion | None:
    return desk_version_list().filter(pk=pk).first()


def desk_fee_option_list(version: ProcedureVersion) -> QuerySet[ChannelOption]:
    """The version's channels other than online (the desk's), with their fees and the exemptions allowed."""
    return version.channels.exclude(channel=Channel.ONLINE).prefetch_related("fees__allowed_exemptions")


def visible_agency_list(user: User) -> QuerySet[Agency]:
    """The agencies whose dossiers the user sees (the ledger's choice of agency)."""
    return Agency.objects.filter(pk__in=access.visible_agency_ids(user)).order_by("name")


def visible_agency_get(user: User, code: str) -> Agency | None:
    """The visible agency with this code, else the first visible one (by name)."""
    agencies = visible_agency_list(user)
    return agencies.filter(code=code).first() or agencies.first()


def consultation_task_list(agency_ids, *, limit: int = 200) -> list[ConsultationTask]:
    """The questions other agencies sent to these agencies, open ones first, oldest deadline first."""
    return list(ConsultationTask.objects.filter(agency__in=agency_ids).select_related(
        "dossier__procedure_version__procedure", "dossier__handling_agency", "agency")
        .order_by("answered_at", "due_at")[:limit])


def consultation_task_get(agency_ids, pk) -> ConsultationTask:
    """A question sent to one of these agencies (404 otherwise)."""
    task = ConsultationTask.objects.filter(pk=pk or 0, agency__in=agency_ids).first()
    if task is None:
        raise Http404("Không tìm thấy yêu cầu xin ý kiến.")
    return task


def apology_letter_get(dossier: Dossier, pk: int) -> ApologyLetter | None:
    """One of the dossier's apology letters (any status), or None."""
    return ApologyLetter.objects.select_related("dossier", "agency").filter(pk=pk, dossier=dossier).first()


def issued_apology_letter_get(dossier: Dossier, pk: int) -> ApologyLetter | None:
    """One of the dossier's issued apology letters (what a citizen may download), or None."""
    return (ApologyLetter.objects.select_related("dossier")
            .filter(pk=pk, status=LetterStatus.ISSUED, dossier=dossier).first())


def apology_draft_list(user: User, *, limit: int = 50) -> list[ApologyLetter]:
    """Draft apology letters of the agencies the user sees, the nearest appointment first.

    The letters are chosen on the partial index `apology_agency_drafts`, and their dossiers read by id in a second
    statement: joined to the dossier table in one statement, the planner merge-joined along the whole dossier
    primary key (67–229 ms at 100,000 dossiers, growing with every dossier ever received) to show 50 letters."""
    dossiers = Prefetch("dossier", queryset=Dossier.objects.select_related("procedure_version__procedure"))
    return list(ApologyLetter.objects.filter(status=LetterStatus.DRAFT, agency__in=access.visible_agency_ids(user))
                .select_related("agency").prefetch_related(dossiers).order_by("due_at", "id")[:limit])


# -- hand-overs between desks -------------------------------------------------------------------------------

def pending_handovers(user: User, *, limit: int = 50) -> list[Handover]:
    """The hand-overs not yet acknowledged that go to or leave from a desk of the user's (a reception
    officer's), oldest deadline first: what must be confirmed, and what the other desk has not confirmed."""
    desks = policies.desk_agency_ids(user)
    if not desks:
        return []
    return list(Handover.objects.filter(Q(to_agency__in=desks) | Q(from_agency__in=desks), acknowledged_at__isnull=True)
                .exclude(dossier__status__in=(Status.WITHDRAWN, Status.STOPPED))
                .select_related("dossier", "from_agency", "to_agency")
                .only("kind", "paper", "due_at", "dossier__code", "dossier__status", "from_agency__name",
                      "to_agency__name")
                .order_by("due_at", "pk")[:limit])


def dossier_handovers(dossier: Dossier) -> list[Handover]:
    return list(dossier.handovers.select_related("from_agency", "to_agency", "sent_by", "acknowledged_by",
                                                 "paper_received_by").order_by("sent_at", "pk"))


def handover_get(dossier: Dossier, pk: int | None) -> Handover | None:
    return dossier.handovers.select_related("from_agency", "to_agency").filter(pk=pk or 0).first()


def ledger_export_get(user: User, pk: int) -> LedgerExport:
    """A ledger PDF export of this user's own (404 for anyone else's)."""
    export = LedgerExport.objects.select_related("agency").filter(pk=pk, requested_by=user).first()
    if export is None:
        raise Http404(_("Không tìm thấy bản in này."))
    return export


# -- declared data: the export of one form's finished declarations ---------------------------------------------

def declaration_form_export_list(user: User) -> QuerySet[DeclarationForm]:
    """The declaration forms of the procedures the agencies whose applicants the user may see take dossiers of
    (the agencies a version lists, else every agency of its level); drafts take none. Every form for an
    unrestricted user."""
    forms = (DeclarationForm.objects.exclude(document__version__status=VersionStatus.DRAFT)
             .select_related("document__version__procedure"))
    agencies = policies.applicant_agency_ids(user)
    if agencies is not None:
        levels = {LEVEL_OF_AGENCY.get(level) for level in
                  Agency.objects.filter(pk__in=agencies).values_list("level", flat=True)} - {None}
        listed = ProcedureVersion.agencies.through.objects.filter(agency_id__in=agencies).values("procedureversion_id")
        anyone = ProcedureVersion.agencies.through.objects.values("procedureversion_id")
        forms = forms.filter(Q(document__version__in=listed)
                             | (~Q(document__version__in=anyone) & Q(document__version__procedure__level__in=levels)))
    return forms.order_by("document__version__procedure__code", "-document__version__number", "pk")


def declaration_form_export_get(user: User, pk) -> DeclarationForm | None:
    return declaration_form_export_list(user).filter(pk=pk).first() if pk else None


def declaration_export_list(user: User, form: DeclarationForm, start, end, *, limit: int) -> list[Declaration]:
    """The finished declarations of `form` on the dossiers the user sees with their applicant's data, received
    between `start` and `end` (local dates, inclusive), oldest first; at most `limit` + 1 (the caller says when
    there are more)."""
    dossiers = dossiers_visible_to(user).filter(policies.applicant_visible(user), received_at__date__gte=start,
                                                received_at__date__lte=end)
    return list(Declaration.objects.filter(form=form, status=DeclarationStatus.DONE, dossier__in=dossiers.values("pk"))
                .select_related("dossier").order_by("dossier__received_at", "dossier_id")[:limit + 1])
