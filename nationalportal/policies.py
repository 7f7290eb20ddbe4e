"""Who may do what with the national-portal link, written once (ARCHITECTURE.md §3.6).

Reconciliation with the national portal (its page, running it, resending a status, pulling a dossier) is the
administrators' work: a superuser or an administrator (Role.ADMIN) of an agency.
"""

from __future__ import annotations

from accounts import access
from accounts.models import Role, User


def can_reconcile(user: User) -> bool:
    return access.is_unrestricted(user) or access.has_role(user, Role.ADMIN)
