"""Who may change the procedure catalogue, written once (ARCHITECTURE.md §3.6).

Anyone reads the published catalogue. Administrators (of any agency) and superusers create and edit
procedures and their draft versions and publish them; the command line (`actor=None`) is trusted.
"""

from __future__ import annotations

from accounts import access
from accounts.models import Role, User


def can_edit_catalogue(user: User) -> bool:
    return access.is_unrestricted(user) or access.has_role(user, Role.ADMIN)
