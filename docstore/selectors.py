"""Reads on the citizen's document store, already limited to the owner."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import User
from dossiers.models import Dossier

from .models import StoredDocument


def store_owner(dossier: Dossier) -> User | None:
    """Whose store a dossier belongs to: its account, or the account registered with the applicant's
    citizen ID (a walk-in applicant who also has an account). A dossier filed on the national portal has none
    here: the ID number it carries was typed there (VNeID vouches for it or not), and the citizen's documents
    live in the national portal's own store; matching it to an account could hand one person's papers to
    another."""
    if dossier.citizen_id:
        return dossier.citizen
    if dossier.national_code:
        return None
    number = (dossier.applicant_id_number or "").strip()
    if number and dossier.applicant_kind == "person":
        return User.objects.filter(citizen_id=number, is_active=True).first()
    return None


def stored_document_list(owner: User) -> QuerySet[StoredDocument]:
    """The documents in the owner's store (not deleted)."""
    return StoredDocument.objects.filter(owner=owner, deleted_at=None)


def stored_document_page_list(owner: User) -> QuerySet[StoredDocument]:
    """The store page: newest first, with the dossier each came from and how many dossiers reused it."""
    return (stored_document_list(owner).select_related("source_dossier").annotate(used=Count("reuses"))
            .order_by("-created_at"))


def stored_document_get(pk: int, *, deleted: bool = True) -> StoredDocument | None:
    """One stored document (a deleted one too, unless `deleted=False`), or None. Whose it is, the caller checks."""
    qs = StoredDocument.objects.filter(pk=pk)
    return (qs if deleted else qs.filter(deleted_at=None)).first()
