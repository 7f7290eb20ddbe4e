"""Hand-made control sheets for the risk forecast's tests: a dossier row and its transition events, placed on
the agency's working calendar so that each step lasts exactly the working hours asked for."""

from __future__ import annotations

from dossiers.models import Dossier, DossierEvent, EventType
from dossiers.workflow import STEP_OF, Status
from workcalendar.selectors import calendar_for

# the main path: (status reached, event type); each step of `hours` ends with the next row
MAIN = [(Status.IN_APPRAISAL, EventType.ASSIGN), (Status.AWAITING_APPROVAL, EventType.PROPOSE),
        (Status.APPROVED, EventType.APPROVE), (Status.RESULT_READY, EventType.RESOLVE)]


def history(*, version, agency, received, appraisal: float, approval: float = 2.0, back: float = 1.0,
            assignee=None, stop_at: str | None = None, interrupt: str | None = None) -> Dossier:
    """A dossier received at `received` whose appraisal, approval and return steps took those working hours
    (the assignment half an hour after reception). `stop_at`: the status it is left in (the path is cut
    there). `interrupt` (a status such as supplement_requested): the appraisal ends that way instead."""
    cal = calendar_for(agency)
    moments = [received, cal.add_working_time(received, 0.5 * 3600)]
    moments.append(cal.add_working_time(received, appraisal * 3600))
    moments.append(cal.add_working_time(moments[-1], approval * 3600))
    moments.append(cal.add_working_time(moments[-1], back * 3600))
    path = [(Status.RECEIVED, EventType.RECEIVE), *MAIN]
    if interrupt:
        kind = {Status.SUPPLEMENT_REQUESTED: EventType.REQUEST_SUPPLEMENT, Status.WITHDRAWN: EventType.WITHDRAW}
        path = [*path[:2], (interrupt, kind[interrupt])]
        moments = moments[:3]
    if stop_at:
        k = [s for s, _ in path].index(stop_at)
        path, moments = path[:k + 1], moments[:k + 1]
    status = path[-1][0]
    step = STEP_OF[status] or ""
    step_started = next((m for (s, _), m in zip(path, moments, strict=True) if STEP_OF[s] == step), None)
    d = Dossier.objects.create(
        procedure_version=version, channel="in_person", receiving_agency=agency, handling_agency=agency,
        returning_agency=agency, applicant_name="Nguyễn Văn An", status=status, received_at=received,
        submitted_at=received, due_at=cal.add_working_time(received, 24 * 3600), step=step,
        step_started_at=step_started if step else None, assignee=assignee,
        resolved_at=moments[-1] if status == Status.RESULT_READY else None)
    rows = [DossierEvent(dossier=d, type=EventType.CREATE_AT_DESK, from_status=Status.DRAFT,
                         to_status=Status.SUBMITTED, at=received)]
    last = Status.SUBMITTED
    for (status, kind), moment in zip(path, moments, strict=True):
        rows.append(DossierEvent(dossier=d, type=kind, from_status=last, to_status=status, at=moment,
                                 step=STEP_OF[last] or ""))
        last = status
    DossierEvent.objects.bulk_create(rows)
    requests = [r.at for r in rows if r.type == EventType.REQUEST_SUPPLEMENT]
    if requests:  # as dossier_request_supplement keeps them
        Dossier.objects.filter(pk=d.pk).update(supplement_requests=len(requests),
                                               first_supplement_request_at=min(requests))
    return d
