"""The header navigation, built from the roles the user holds (one place, data not branches)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Role

# role -> (label, url name, kwargs); order = order in the header
ROLE_NAV = [
    (Role.RECEPTION, _("Tiếp nhận hồ sơ"), "workspace:workspace", {"role": Role.RECEPTION}),
    (Role.APPRAISER, _("Thẩm định"), "workspace:workspace", {"role": Role.APPRAISER}),
    (Role.APPROVER, _("Phê duyệt"), "workspace:workspace", {"role": Role.APPROVER}),
    (Role.HOME_AFFAIRS, _("Chỉ số CCHC"), "workspace:workspace", {"role": Role.HOME_AFFAIRS}),
    (Role.ADMIN, _("Quản trị"), "workspace:workspace", {"role": Role.ADMIN}),
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
        for role, label, name, kwargs in ROLE_NAV:
            if role in roles:
                items.append({"label": label, "url": reverse(name, kwargs=kwargs), "key": f"role:{role}"})
        if roles & {Role.RECEPTION, Role.APPRAISER, Role.APPROVER}:
            _optional(items, _("Hồ sơ cần xử lý"), "dossiers:worklist", "worklist")
        if roles & {Role.RECEPTION, Role.APPRAISER, Role.APPROVER, Role.HOME_AFFAIRS, Role.ADMIN}:
            _optional(items, _("Đánh giá hài lòng"), "satisfaction:results", "satisfaction")
            _optional(items, _("Phản ánh cần xử lý"), "feedback:queue", "feedback-queue")
        if roles & {Role.ADMIN, Role.APPROVER} and Role.HOME_AFFAIRS not in roles:
            _optional(items, _("Chỉ số CCHC"), "parindex:overview", "index")
        if not roles:
            _optional(items, _("Hồ sơ của tôi"), "dossiers:mine", "my-dossiers")
            _optional(items, _("Kho dữ liệu"), "docstore:store", "docstore")
            items.append({"label": _("Tài khoản của tôi"), "url": reverse("accounts:profile"), "key": "citizen"})
    _optional(items, _("Tra cứu hồ sơ"), "dossiers:track", "track")
    if not roles:
        _optional(items, _("Phản ánh, kiến nghị"), "feedback:list", "feedback")
        _optional(items, _("Kết quả giải quyết"), "parindex:transparency", "transparency")
    for item in items:
        item["active"] = (item["url"] != "/" and path.startswith(item["url"])) or item["url"] == path
    return {
        "nav_items": items,
        "user_roles": roles,
        "is_staff_member": bool(roles),
        "can_use_admin_site": bool(user and user.is_authenticated and user.is_staff),
    }
