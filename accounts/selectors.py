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


def agency_list_for(user: User) -> QuerySet[Agency]:
    return access.agencies_visible_to(user).select_related("parent", "head").order_by("code")


def agency_staff(agency: Agency) -> QuerySet[User]:
    return (
        User.objects.filter(staff_roles__agency=agency)
        .distinct()
        .prefetch_related(Prefetch("staff_roles", queryset=StaffRole.objects.filter(agency=agency)))
        .order_by("full_name")
    )


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
