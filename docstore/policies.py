"""Who may use a citizen's document store (kho dữ liệu), written once (ARCHITECTURE.md §3.6).

A store belongs to one account. Its owner downloads and deletes its documents; a dossier may take a
copy of one of them when the person adding the file is the store's owner or the desk of the dossier's
receiving agency (who scans papers on the owner's behalf), and only while that person may add a
component to the dossier at all (`dossiers.policies.can_add_attachment`).
"""

from __future__ import annotations

from accounts.models import User
from dossiers import policies as dossier_policies
from dossiers.models import AttachmentKind, Dossier

from .models import StoredDocument


def can_manage_document(user: User | None, document: StoredDocument) -> bool:
    """Open or delete a stored document: its owner only."""
    return bool(user is not None and user.is_authenticated and document.owner_id == user.pk)


def may_use_store_of(user: User | None, dossier: Dossier, owner_id: int) -> bool:
    """Whether the user may take documents from the store of `owner_id` for this dossier."""
    if user is None or not user.is_authenticated:
        return False
    return user.pk == owner_id or dossier_policies.is_receiving_desk(user, dossier)


def can_reuse_from_store(user: User | None, dossier: Dossier, owner: User | None) -> bool:
    """Whether the dossier page offers this user the "pick from the store" section (the dossier's store
    `owner`, see `services.store_owner`)."""
    return (owner is not None and dossier_policies.can_add_attachment(user, dossier, AttachmentKind.COMPONENT)
            and may_use_store_of(user, dossier, owner.pk))
