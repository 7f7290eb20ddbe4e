"""The header navigation, built from the roles the user holds (one place, data not branches)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import access, policies
from .models import Role

# The roles whose daily work is a queue of dossiers: their menu entry opens the worklist for that role
# (URL name only: accounts imports no higher app).
QUEUE_NAV_ROLES = (Role.RECEPTION, Role.APPRAISER, Role.APPROVER)


def role_url(role: str) -> str:
    """Where a role's menu entry leads: its own queue of dossiers, else the role's workspace."""
    if role in QUEUE_NAV_ROLES:
        try:
            return f"{reverse('dossiers:worklist')}?role={role}&queue=mine"
        except NoReverseMatch:
            pass
    return reverse("workspace:workspace", kwargs={"role": role})


# role -> (label, url name, kwargs); order = order in the header
ROLE_NAV = [
    (Role.RECEPTION, _("Tiếp nhận hồ sơ"), "workspace:workspace", {"role": Role.RECEPTION}),
    (Role.APPRAISER, _("Thẩm định"), "workspace:workspace", {"role": Role.APPRAISER}),
    (Role.APPROVER, _("Phê duyệt"), "workspace:workspace", {"role": Role.APPROVER}),
    (Role.HOME_AFFAIRS, _("Chỉ số CCHC"), "workspace:workspace", {"role": Role.HOME_AFFAIRS}),
    (Role.ADMIN, _("Quản trị"), "workspace:workspace", {"role": Role.ADMIN}),
]

# Pages of higher apps a role works on (linked by URL name, when the app is installed).
ROLE_LINKS = [
    (Role.RECEPTION, _("Quầy tiếp dân"), "queueing:counter", "queue-counter"),  # the desk floor's counter page
    # the leaders' page of dossiers at risk of being late: reassign, draft the apology letter early
    (Role.APPROVER, _("Nguy cơ trễ hẹn"), "dossiers:at_risk", "at-risk"),
]


def _optional(items: list, label, name: str, key: str) -> None:
    """Links to higher apps by URL name only (accounts imports none of them)."""
    try:
        items.append({"label": label, "url": reverse(name), "key": key})
    except NoReverseMatch:
        pass


def navigation(request):
    user = getattr(request, "user", None)
    path = request.path
    items = [
        {"label": _("Trang chủ"), "url": reverse("home"), "key": "home"},
        {"label": _("Thủ tục hành chính"), "url": reverse("procedures:list"), "key": "procedures"},
        {"label": _("Cơ quan giải quyết"), "url": reverse("workspace:agency_directory"), "key": "agencies"},
    ]
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = access.roles_of(user)
        for role, label, _name, _kwargs in ROLE_NAV:
            if role in roles:
                items.append({"label": label, "url": role_url(role), "key": f"role:{role}"})
        for role, label, name, key in ROLE_LINKS:
            if role in roles:
                _optional(items, label, name, key)
        if policies.works_on_dossiers(user):
            _optional(items, _("Hồ sơ cần xử lý"), "dossiers:worklist", "worklist")
        if policies.sees_service_quality(user):
            _optional(items, _("Đánh giá hài lòng"), "satisfaction:results", "satisfaction")
            _optional(items, _("Phản ánh cần xử lý"), "feedback:queue", "feedback-queue")
        if policies.sees_own_index(user):
            _optional(items, _("Chỉ số CCHC"), "parindex:overview", "index")
        if not roles:
            _optional(items, _("Hồ sơ của tôi"), "dossiers:mine", "my-dossiers")
            _optional(items, _("Kho dữ liệu"), "docstore:store", "docstore")
            items.append({"label": _("Tài khoản của tôi"), "url": reverse("accounts:profile"), "key": "citizen"})
    _optional(items, _("Tra cứu hồ sơ"), "dossiers:track", "track")
    if not roles:
        _optional(items, _("Phản ánh, kiến nghị"), "feedback:list", "feedback")
        _optional(items, pgettext_lazy("navigation: the public page of dossier statistics", "Kết quả giải quyết"),
                  "parindex:transparency", "transparency")
    current_role = request.GET.get("role") or None
    for item in items:
        url = urlsplit(item["url"])
        item_role = (parse_qs(url.query).get("role") or [None])[0]
        # The worklist is one page for several entries: the `role` in its query tells them apart.
        item["active"] = ((url.path != "/" and path.startswith(url.path)) or url.path == path) and (
            item_role == current_role)
    return {
        "nav_items": items,
        "user_roles": roles,
        "is_staff_member": bool(roles),
        "can_use_admin_site": bool(user and user.is_authenticated and user.is_staff),
    }
