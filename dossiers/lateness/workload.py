"""The workload of the appraisers of an agency, beside its dossiers at risk on the head's page: the open dossiers
assigned to each appraiser in the appraisal step and the working hours still allotted to that step on them (the
procedure's internal steps, `InternalStep`, read by `letters.allotments`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accounts.models import Agency, User
from procedures.models import ChannelOption
from workcalendar.selectors import calendar_for

from .. import policies
from ..models import Dossier
from ..workflow import OPEN, Step
from .letters import allotments


@dataclass
class Load:
    """One appraiser's work in the appraisal step of an agency's open dossiers."""

    user: User
    count: int = 0  # dossiers assigned to them in the appraisal step
    hours: float = 0.0  # working hours still allotted to that step on them (0 for a step past its deadline)
    late: int = 0  # of those, dossiers whose appraisal step is past its deadline
    dossiers: list[int] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        """Least loaded first: fewest dossiers held, then fewest hours still allotted, then by name."""
        return (self.count, self.hours, self.user.full_name, self.user.pk)


def appraiser_workload(agency: Agency, *, now: dt.datetime) -> list[Load]:
    """Every active appraiser of the agency with what they hold, least loaded first. Three queries and one
    calendar, whatever the number of dossiers (the allotments are read once per procedure channel)."""
    appraisers = list(policies.agency_appraisers(agency.pk))
    loads = {u.pk: Load(user=u) for u in appraisers}
    rows = list(Dossier.objects.filter(handling_agency=agency, assignee__in=list(loads), step=Step.APPRAISAL,
                                       status__in=OPEN).values_list("pk", "assignee_id", "step_due_at",
                                                                    "procedure_version_id", "channel"))
    needed = {(version, channel) for _pk, _user, due, version, channel in rows if due is None}
    options = {}
    if needed:
        for option in ChannelOption.objects.filter(version_id__in={v for v, _c in needed}).prefetch_related("steps"):
            options[(option.version_id, option.channel)] = allotments(option)[Step.APPRAISAL]
    cal = calendar_for(agency)
    for pk, user_id, step_due_at, version_id, channel in rows:
        load = loads[user_id]
        load.count += 1
        load.dossiers.append(pk)
        if step_due_at is None:
            seconds = options.get((version_id, channel), 0.0)
        else:
            seconds = max(0.0, cal.working_seconds_between(now, step_due_at))
            load.late += step_due_at <= now
        load.hours += seconds / 3600
    for load in loads.values():
        load.hours = round(load.hours, 1)
    return sorted(loads.values(), key=lambda x: x.sort_key)
