"""The province's list of procedures received regardless of administrative boundaries (Decree 118/2025/NĐ-CP:
a person or organisation may hand in a dossier and collect the result at any one-stop desk of the province,
whatever the tier, their residence or registered office, for the procedures on the list the province publishes).

What decides, for a procedure version, a province and a day:
1. the province's override in force that day (`AnywhereOverride` of that province and the version's procedure
   with the latest `effective_from` on or before the day), if there is one;
2. otherwise the version's own `anywhere` flag (as published with the catalogue).

Every function here is a pure read and costs at most one query, whatever the number of versions: the override
in force is a correlated subquery served by the unique index (province, procedure, effective_from).

`province` is the province's root agency (`Agency.province` of a desk, or `province_of(desk)`); None means
"no province known" (a portal serving several roots): then the version flag alone decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import BooleanField, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Agency, AgencyLevel

from .models import AnywhereOverride, Procedure, ProcedureVersion

_OVERRIDE = "_anywhere_override"


def province_of(agency: Agency | None) -> Agency | None:
    """The province (root agency of level "province") a desk belongs to, or None for a ministry's tree or no
    agency. Walks `agency.parent` (one query per level not already loaded: at most one on a two-tier tree)."""
    if agency is None:
        return None
    root = agency.province
    return root if root.level == AgencyLevel.PROVINCE else None


def portal_province() -> Agency | None:
    """The province this portal serves: its only active root agency of level "province"; None when there is
    none or several (then the catalogue states the version flag only). One query."""
    roots = list(Agency.objects.filter(parent__isnull=True, level=AgencyLevel.PROVINCE, is_active=True)[:2])
    return roots[0] if len(roots) == 1 else None


def _check_province(province: Agency | None) -> None:
    """A desk passed for its province would silently find no decision: refuse it (no query)."""
    if province is not None and (province.parent_id is not None or province.level != AgencyLevel.PROVINCE):
        raise ValueError(f"{province.code} is not a province root agency: pass province_of(agency)")


def override_in_force(province: Agency, procedure_ref, on: dt.date) -> QuerySet[AnywhereOverride]:
    """The `receivable` of the province's override in force on `on` for `procedure_ref` (a procedure, its id, or
    an OuterRef), as a one-row queryset usable as a Subquery."""
    return (AnywhereOverride.objects.filter(province=province, procedure=procedure_ref, effective_from__lte=on)
            .order_by("-effective_from").values("receivable")[:1])


def receivable_anywhere(version: ProcedureVersion, province: Agency | None, on: dt.date | None = None) -> bool:
    """Whether `version` may be handed in at any one-stop desk of `province` on `on` (default today).
    One query (none when `province` is None). The version's own status and dates are the caller's concern."""
    _check_province(province)
    if province is None:
        return version.anywhere
    on = on or timezone.localdate()
    override = override_in_force(province, version.procedure_id, on).values_list("receivable", flat=True).first()
    return version.anywhere if override is None else override


def receivable_versions(versions: QuerySet[ProcedureVersion], province: Agency | None,
                        on: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """`versions` narrowed to those receivable anywhere in `province` on `on` (default today). Lazy: it adds one
    condition to the caller's query (e.g. the desk form's versions in force), no query of its own."""
    _check_province(province)
    if province is None:
        return versions.filter(anywhere=True)
    on = on or timezone.localdate()
    decided = Coalesce(Subquery(override_in_force(province, OuterRef("procedure_id"), on)), F("anywhere"),
                       output_field=BooleanField())
    return versions.alias(**{_OVERRIDE: decided}).filter(**{_OVERRIDE: True})


def anywhere_version_ids(province: Agency | None,
                         versions: QuerySet[ProcedureVersion] | Iterable[ProcedureVersion | int],
                         on: dt.date | None = None) -> set[int]:
    """The ids of those of `versions` receivable anywhere in `province` on `on` (default today).

    `versions` is a queryset of ProcedureVersion (used as a subquery, never loaded) or an iterable of versions or
    version ids (e.g. the 2,000 versions the desk form lists). Exactly one query, whatever their number."""
    _check_province(province)
    if isinstance(versions, QuerySet):
        base = ProcedureVersion.objects.filter(pk__in=versions.values("pk"))
    else:
        ids = {v.pk if isinstance(v, ProcedureVersion) else int(v) for v in versions}
        if not ids:
            return set()
        base = ProcedureVersion.objects.filter(pk__in=ids)
    return set(receivable_versions(base.order_by(), province, on).values_list("pk", flat=True))


def receivable_procedures(procedures: QuerySet[Procedure], in_force: QuerySet[ProcedureVersion],
                          province: Agency | None, on: dt.date | None = None) -> QuerySet[Procedure]:
    """`procedures` narrowed to those receivable anywhere in `province` on `on`: `in_force` is the versions in
    force that day correlated to the procedure (`versions_in_force(on).filter(procedure=OuterRef("pk"))`). The
    catalogue search's filter: one extra condition, no query of its own."""
    _check_province(province)
    flagged = in_force.filter(anywhere=True)
    if province is None:
        return procedures.filter(Exists(flagged))
    on = on or timezone.localdate()
    decided = Coalesce(Subquery(override_in_force(province, OuterRef("pk"), on)), Exists(flagged),
                       output_field=BooleanField())
    return procedures.alias(**{_OVERRIDE: decided}).filter(**{_OVERRIDE: True})
