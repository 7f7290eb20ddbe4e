"""Reads of the fee payment pages: a dossier's fees and payments, one payment (who may see it, the views ask
the dossier's access gate)."""

from __future__ import annotations

from dossiers.models import Dossier, DossierFee

from .models import Payment


def dossier_fee_list(dossier: Dossier) -> list[DossierFee]:
    """The fees the dossier owes (empty when it owes nothing)."""
    return list(dossier.fees.all())


def payment_list(dossier: Dossier) -> list[Payment]:
    """Every payment of the dossier (pending, paid, failed …), newest first, with who recorded it."""
    return list(dossier.payments.select_related("created_by").order_by("-created_at", "-id"))


def payment_get(pk: int) -> Payment | None:
    return Payment.objects.filter(pk=pk).first()
