"""Reads on dossiers, always starting from what the user may see (the access gate)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.models import User

from . import policies
from .models import ApologyLetter, Attachment, AttachmentKind, Dossier, DossierEvent, LetterStatus
from .workflow import (
    AGENCY_COLUMN,
    ASSIGNED_ONLY,
    OPEN,
    QUEUE_ROLES,
    RESULT_RELEASED,
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
    return Dossier.objects.filter(Q(citizen=user) | Q(receiving_agency__in=agencies) | Q(handling_agency__in=agencies))


def access_dossier(user: User, pk: int) -> Dossier:
    """Fetch and authorise in one step: a dossier the user may not see does not exist for them."""
    dossier = (dossiers_visible_to(user).select_related("procedure_version__procedure", "receiving_agency",
                                                        "handling_agency", "assignee", "citizen")
               .filter(pk=pk).first())
    if dossier is None:
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def is_staff_view(user: User, dossier: Dossier) -> bool:
    return access.is_unrestricted(user) or bool(access.visible_agency_ids(user) & {dossier.receiving_agency_id,
                                                                                  dossier.handling_agency_id})


# -- What a citizen sees of a dossier ------------------------------------------------------------
# One rule for the citizen's own page, the API answering the citizen, the file URL (page and API)
# and the tracking page (anyone with the code and PIN). Staff of the dossier's agencies see all.

# The timeline a citizen sees: the workflow's transitions and these public facts. Anything else
# (uploads, apology drafts, deadline alerts, PIN locks, event types added later) stays internal.
CITIZEN_EVENTS = frozenset({t.name for t in TRANSITIONS} | {
    "create", "create_at_desk", "digitize", "notified", "apology_issued", "fee_paid", "fee_paid_twice",
    "fee_refunded"})


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
    if is_staff_view(user, dossier):
        return dossier.events.order_by("at", "id")
    return citizen_events(dossier)


def dossier_attachments_for(user: User, dossier: Dossier) -> QuerySet[Attachment]:
    if is_staff_view(user, dossier):
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


QUEUES = ("mine", "agency", "due_soon", "overdue", "waiting", "done")


def worklist(user: User, *, queue: str = "agency", role: str | None = None, after: tuple | None = None,
             limit: int = 25, now=None, **filters) -> list[Dossier]:
    """A staff worklist, ordered by due date, with keyset paging (fast at millions of rows).

    "Received by my agencies" and "handled by my agencies" are read separately, each an ordered scan
    of a partial index with LIMIT, then merged: an OR across the two columns would sort every match.
    With a `role` (reception, appraiser, approver) only the agencies where the user holds that role,
    on the side of the dossier that role acts for, are read; "mine" is then that role's own work.
    """
    role = role if role in QUEUE_ROLES else None
    columns = (AGENCY_COLUMN[role],) if role else ("receiving_agency", "handling_agency")
    agencies = policies.queue_agency_ids(user, role) if role else access.visible_agency_ids(user)
    keys: set[tuple] = set()
    for column in columns:
        qs = worklist_queryset(user, queue=queue, role=role, after=after, now=now, agency_column=column,
                               agencies=agencies, **filters)
        keys |= set(qs.values_list("due_at", "pk")[:limit])
    ordered = sorted(keys, key=lambda k: (k[0] is None, k[0] or 0, k[1]))[:limit]
    related = Dossier.objects.filter(pk__in=[pk for _, pk in ordered]).select_related(
        "procedure_version__procedure", "assignee")
    by_pk = {d.pk: d for d in related}
    return [by_pk[pk] for _, pk in ordered if pk in by_pk]


def my_work(user: User, *, role: str | None = None, agency_column: str | None = None) -> Q:
    """The "Của tôi" queue: dossiers in a state where one of the user's roles has the next routine move
    (see `workflow.queue_statuses`), at an agency where they hold that role; for an appraiser only the
    dossiers assigned to them. Never the dossiers waiting at another desk or for the citizen."""
    roles = [role] if role else policies.queue_roles(user)
    condition = Q(pk__in=[])
    for r in roles:
        column = AGENCY_COLUMN[r]
        if agency_column and column != agency_column:
            continue
        part = Q(**{f"{column}__in": policies.queue_agency_ids(user, r)}, status__in=queue_statuses(r))
        if r in ASSIGNED_ONLY:
            part &= Q(assignee=user)
        condition |= part
    return condition


def worklist_queryset(user: User, *, queue: str = "agency", role: str | None = None, after: tuple | None = None,
                      now=None, agency_column: str | None = None, agencies=None, **filters) -> QuerySet[Dossier]:
    from django.utils import timezone

    now = now or timezone.now()
    role = role if role in QUEUE_ROLES else None
    if role and agencies is None:
        agencies = policies.queue_agency_ids(user, role)
    agency_column = agency_column or (AGENCY_COLUMN[role] if role else None)
    agencies = access.visible_agency_ids(user) if agencies is None else agencies
    if queue == "mine":
        qs = Dossier.objects.filter(my_work(user, role=role, agency_column=agency_column))
    elif agency_column:
        qs = Dossier.objects.filter(**{f"{agency_column}__in": agencies})
    else:
        qs = Dossier.objects.filter(Q(receiving_agency__in=agencies) | Q(handling_agency__in=agencies))
    if queue == "due_soon":
        qs = qs.filter(status__in=OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY}, due_at__gte=now,
                       due_at__lt=now + timezone.timedelta(days=2))
    elif queue == "overdue":
        qs = qs.filter(status__in=OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY}, due_at__lt=now)
    elif queue == "waiting":
        qs = qs.filter(status__in=WAITING_FOR_CITIZEN)
    elif queue == "done":
        qs = qs.exclude(status__in=OPEN)
    elif queue != "mine":  # "mine" is already narrowed to the states where it is the user's move
        qs = qs.filter(status__in=OPEN)
    if filters.get("punctuality") == "late":  # late includes late twice (after the re-appointment)
        qs = qs.filter(punctuality__in=("late", "late_twice"))
        filters = {**filters, "punctuality": None}
    for key in ("status", "channel", "procedure_version__procedure__code", "punctuality", "received_at__date__gte",
                "received_at__date__lte"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
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
    from .models import PersonalDataAccess

    if dossier is not None and dossier.citizen_id == request.user.pk:
        return
    PersonalDataAccess.objects.create(user=request.user, dossier=dossier, action=action, detail=detail[:255],
                                      ip=request.META.get("REMOTE_ADDR") or None)


def mask_id_number(number: str) -> str:
    """064090000123 -> ********0123 (lists show only the last four digits)."""
    return ("*" * max(0, len(number) - 4) + number[-4:]) if number else ""
