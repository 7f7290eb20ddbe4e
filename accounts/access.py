"""The one permission gate (ARCHITECTURE.md §3.6).

Every list and every detail page starts from what this module says the user may see, so a
list and its detail can never disagree. The rules:

- a superuser sees and acts on everything;
- an administrator (Role.ADMIN) of an agency sees and administers it and every agency below it;
- a reception officer, appraiser or approver sees and acts on their own agency only;
- a Home Affairs officer sees every agency of their province, read-only; as the one who appraises
  self-assessments and receives harassment reports and unhappy answers, a Home Affairs role at the province
  or a department (Sở Nội vụ) covers the whole province, one at a commune that commune only
  (`covers_as_home_affairs`, `home_affairs_for`);
- a citizen sees no agency's internal data (only public pages and their own dossiers);
- applicants' personal data (name, ID number, address, phone, e-mail, uploaded files) is seen only by
  those whose task needs it (Decree 13/2023/NĐ-CP): a superuser and the staff acting for the agency
  that receives or handles the dossier (`may_see_personal_data`). A Home Affairs officer watches every
  agency's numbers and control sheets, but sees applicants only masked (initials, last four digits of
  the ID number) and never their contact data or files.

`access_agency(user, pk)` fetches and authorises in one step: Http404 when the user may not
even see the object (no leak of its existence), PermissionDenied when they may see but not act.
Later apps add `access_dossier` etc. on top of `scope_queryset`.

This module and each app's `policies.py` are the only places that read `is_superuser` or compare roles
(`tests/test_one_rule.py` checks it): the base predicates live here (`is_unrestricted`, `has_role`,
`acting_agency_ids`, `covers_as_home_affairs`), the rules of an app's actions in its `policies.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Agency, AgencyLevel, Role, StaffRole, User

ACTING_ROLES = frozenset({Role.RECEPTION, Role.APPRAISER, Role.APPROVER, Role.ADMIN})

_CACHE_ATTR = "_portal_access_cache"


def _key(role) -> str:
    """Role.ADMIN and "admin" are one key (an Enum member hashes by its name, not its value)."""
    return getattr(role, "value", role)


class _Scope:
    __slots__ = ("acting", "roles", "visible")

    def __init__(self) -> None:
        self.roles: dict[str, set[int]] = defaultdict(set)  # role -> agency ids where held
        self.visible: set[int] = set()
        self.acting: dict[str, set[int]] = defaultdict(set)  # role -> agency ids where the user may act


def _tree() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return children


def _subtree(children: dict[int | None, list[int]], root: int) -> set[int]:
    out, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node in out:
            continue
        out.add(node)
        stack.extend(children.get(node, ()))
    return out


def _root_of(parents: dict[int, int | None], node: int) -> int:
    seen = set()
    while parents.get(node) is not None and node not in seen:
        seen.add(node)
        node = parents[node]
    return node


def province_ids() -> dict[int, int]:
    """Every agency's id -> the id of the root of its tree (its province), in one query (for bulk work)."""
    parents = dict(Agency.objects.values_list("pk", "parent_id"))
    return {pk: _root_of(parents, pk) for pk in parents}


def _scope(user: User) -> _Scope:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _Scope()
    if user.is_authenticated and user.is_active:
        held = list(StaffRole.objects.filter(user=user, agency__is_active=True).values_list("role", "agency_id"))
        for role, agency_id in held:
            scope.roles[_key(role)].add(agency_id)
        needs_tree = any(role in (Role.ADMIN, Role.HOME_AFFAIRS) for role, _ in held) or user.is_superuser
        children = _tree() if needs_tree else {}
        if user.is_superuser:
            every = {pk for kids in children.values() for pk in kids}
            scope.visible |= every
            for role in Role.values:
                scope.acting[_key(role)] |= every
        for role, agency_id in held:
            if role == Role.ADMIN:
                sub = _subtree(children, agency_id)
                scope.visible |= sub
                scope.acting[Role.ADMIN.value] |= sub
            elif role == Role.HOME_AFFAIRS:
                parents = {child: parent for parent, kids in children.items() for child in kids}
                scope.visible |= _subtree(children, _root_of(parents, agency_id))
                scope.acting[Role.HOME_AFFAIRS.value].add(agency_id)  # may act only as a reader of indices
            else:
                scope.visible.add(agency_id)
                scope.acting[role].add(agency_id)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget(user: User) -> None:
    """Drop the cached scope (after roles change within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_unrestricted(user: User) -> bool:
    """A superuser: sees and acts on everything (the first rule above). The one reader of `is_superuser`
    outside this module's own scope computation; policies and selectors ask here."""
    return bool(getattr(user, "is_superuser", False))


def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _scope(user).roles))


def roles_of(user: User) -> set[str]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Role.values)
    return {role for role, agencies in _scope(user).roles.items() if agencies}


def has_role(user: User, role: str, agency: Agency | int | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    held = _scope(user).roles.get(_key(role), set())
    if agency is None:
        return bool(held)
    return (agency.pk if isinstance(agency, Agency) else agency) in held


def visible_agency_ids(user: User) -> frozenset[int]:
    return frozenset(_scope(user).visible)


def acting_agency_ids(user: User, roles: Iterable[str] | None = None) -> frozenset[int]:
    """Agencies where the user may act in one of `roles` (default: any acting role)."""
    scope = _scope(user)
    wanted = {_key(r) for r in (roles if roles is not None else ACTING_ROLES)}
    out: set[int] = set()
    for role in wanted:
        out |= scope.acting.get(role, set())
    return frozenset(out)


def may_see_personal_data(user: User, agency_ids: Iterable[int | None]) -> bool:
    """Whether the user may see applicants' personal data of a record held by any of `agency_ids`
    (a dossier: its receiving and handling agency). Seeing an agency is not enough: one must act for it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(acting_agency_ids(user) & {pk for pk in agency_ids if pk is not None})


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=visible_agency_ids(user))


def scope_queryset(
    user: User, queryset: QuerySet, *, agency_field: str = "agency", roles: Iterable[str] | None = None,
    for_write: bool = False,
) -> QuerySet:
    """Restrict any queryset with an agency foreign key to what the user may see (or act on)."""
    ids = acting_agency_ids(user, roles) if for_write else visible_agency_ids(user)
    return queryset.filter(**{f"{agency_field}__in": ids})


def access_agency(
    user: User, pk: int, *, for_update: bool = False, roles: Iterable[str] | None = None,
) -> Agency:
    """Fetch an agency the user may see; with `for_update`, one they may act on (row locked)."""
    if not user.is_authenticated or pk not in visible_agency_ids(user):
        raise Http404("Không tìm thấy cơ quan.")
    if for_update:
        if pk not in acting_agency_ids(user, roles if roles is not None else [Role.ADMIN]):
            raise PermissionDenied("Bạn chỉ được xem, không được thay đổi thông tin cơ quan này.")
        return Agency.objects.select_for_update().get(pk=pk)
    return Agency.objects.get(pk=pk)


def _home_affairs_covers(role_agency: Agency, agency: Agency) -> bool:
    if role_agency.pk == agency.pk:
        return True
    return role_agency.level != AgencyLevel.COMMUNE and role_agency.province.pk == agency.province.pk


def covers_as_home_affairs(user: User, agency: Agency) -> bool:
    """Whether the user holds a Home Affairs role over `agency`: one at the province or a department (Sở Nội vụ)
    covers the whole province; one at a commune covers that commune only (a ward's officer does not see another
    ward's reports)."""
    if not user.is_authenticated:
        return False
    return any(_home_affairs_covers(r.agency, agency)
               for r in StaffRole.objects.filter(user=user, role=Role.HOME_AFFAIRS).select_related("agency"))


def home_affairs_for(agency: Agency) -> set[int]:
    """The active users holding a Home Affairs role over `agency` (the same rule, seen from the agency)."""
    roles = StaffRole.objects.filter(role=Role.HOME_AFFAIRS, user__is_active=True).select_related("agency")
    return {r.user_id for r in roles if _home_affairs_covers(r.agency, agency)}
