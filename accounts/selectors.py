"""Reads on agencies and staff, already filtered by the access gate."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from . import access, policies
from .models import Agency, AgencyLevel, StaffRole, User

LEVEL_ORDER = [AgencyLevel.PROVINCE, AgencyLevel.CENTER, AgencyLevel.DEPARTMENT, AgencyLevel.COMMUNE,
               AgencyLevel.MINISTRY]


def agency_public_list() -> QuerySet[Agency]:
    """The public directory: every active agency, for citizens (addresses, hotlines, office hours);
    the province first, then its service centre, departments and communes."""
    rank = Case(*[When(level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)], default=Value(99),
                output_field=IntegerField())
    return Agency.objects.filter(is_active=True).select_related("parent").order_by(rank, "name")


def agency_active_list(*order_by: str) -> QuerySet[Agency]:
    """Active agencies (a filter's choices, a public table), by name unless told otherwise."""
    return Agency.objects.filter(is_active=True).order_by(*(order_by or ("name",)))


def agency_get(*, pk: int | None = None, code: str | None = None, active_only: bool = False) -> Agency | None:
    """The agency with this id or code (only an active one if asked), or None."""
    qs = Agency.objects.filter(pk=pk) if pk is not None else Agency.objects.filter(code=code or "")
    return (qs.filter(is_active=True) if active_only else qs).first()


def agency_names(agency_ids) -> dict[int, str]:
    """{id: name} of the active agencies among `agency_ids`."""
    return dict(Agency.objects.filter(pk__in=agency_ids, is_active=True).values_list("pk", "name"))


def agency_list_for(user: User) -> QuerySet[Agency]:
    return access.agencies_visible_to(user).select_related("parent", "head").order_by("code")


def agency_staff(agency: Agency) -> QuerySet[User]:
    return (
        User.objects.filter(staff_roles__agency=agency)
        .distinct()
        .prefetch_related(Prefetch("staff_roles", queryset=StaffRole.objects.filter(agency=agency)))
        .order_by("full_name")
    )


def staff_role_list(user: User) -> QuerySet[StaffRole]:
    """The user's own roles, with their agencies (the profile page)."""
    return user.staff_roles.select_related("agency").order_by("agency__code", "role")


def staff_role_administered_get(user: User, pk: int) -> StaffRole | None:
    """One role the user administers (through an admin role on its agency), or None."""
    return staff_roles_administered_by(user).filter(pk=pk).first()


def staff_roles_administered_by(user: User) -> QuerySet[StaffRole]:
    return (
        StaffRole.objects.filter(agency__in=policies.administered_agency_ids(user))
        .select_related("user", "agency")
        .order_by("agency__code", "user__full_name", "role")
    )


def roles_by_agency(user: User, role: str) -> QuerySet[Agency]:
    """Agencies where the user holds `role` (all visible ones for a superuser)."""
    if access.is_unrestricted(user):
        return access.agencies_visible_to(user).order_by("code")
    return Agency.objects.filter(staff_roles__user=user, staff_roles__role=role).distinct().order_by("code")
