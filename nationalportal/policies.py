"""Who may administer the national-portal link, written once (ARCHITECTURE.md §3.6).

Superusers and administrators (of any agency) map procedure versions and their components to the national
portal's codes and read the intake refusals, as they edit the procedure catalogue those codes belong to
(procedures.policies); they also reconcile with the national portal (its page, running it, resending a status,
pulling a dossier). No other staff role sees these pages.
"""

from __future__ import annotations

from accounts import access
from accounts.models import Role, User


def can_administer_link(user: User) -> bool:
    return access.is_unrestricted(user) or access.has_role(user, Role.ADMIN)
