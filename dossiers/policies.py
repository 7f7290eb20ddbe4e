"""Who may see the applicant behind a dossier (the personal-data rule of accounts.access applied to a
dossier). Pages, the API, the printed forms and file downloads all ask here; templates only read the
answer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts import access
from accounts.models import User

from .models import Dossier


def can_see_applicant(user: User, dossier: Dossier) -> bool:
    """The applicant's name, ID number, address, phone, e-mail and the dossier's files: the citizen who
    filed it and the staff acting for its receiving or handling agency (not a Home Affairs reader)."""
    if user.is_authenticated and dossier.citizen_id == user.pk:
        return True
    return access.may_see_personal_data(user, (dossier.receiving_agency_id, dossier.handling_agency_id))


def require_applicant(user: User, dossier: Dossier) -> None:
    """For downloads and printed forms that carry the applicant's data or files: 403 otherwise."""
    if not can_see_applicant(user, dossier):
        raise PermissionDenied("Bạn chỉ được xem phiếu kiểm soát và số liệu của hồ sơ này, không được xem "
                               "thông tin cá nhân và tệp của người nộp.")


def initials(name: str) -> str:
    """Nguyễn Văn An -> N. V. A. (what anyone without the applicant's data sees)."""
    return " ".join(word[0] + "." for word in (name or "").split() if word)


def applicant_name_for(user: User, dossier: Dossier) -> str:
    return dossier.applicant_name if can_see_applicant(user, dossier) else initials(dossier.applicant_name)
