"""A write to what the catalogue search shows (procedures, their versions and the agencies receiving them, the
province's list of procedures received anywhere, fields, agencies) renews the catalogue's generation, so the
cached searches and filter lists are read again: at once, and again once the transaction commits (no other
process caches the old rows in between)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts.models import Agency

from .models import AnywhereOverride, Field, Procedure, ProcedureVersion
from .selectors import catalogue_changed, catalogue_renew

SHOWN = (Procedure, ProcedureVersion, AnywhereOverride, Field, Agency)


def on_catalogue_changed(sender, **kwargs):
    catalogue_changed()
    transaction.on_commit(catalogue_renew)


for model in SHOWN:
    post_save.connect(on_catalogue_changed, sender=model, dispatch_uid=f"procedures.catalogue.save.{model.__name__}")
    post_delete.connect(on_catalogue_changed, sender=model,
                        dispatch_uid=f"procedures.catalogue.delete.{model.__name__}")


@receiver(m2m_changed, sender=ProcedureVersion.agencies.through, dispatch_uid="procedures.catalogue.agencies")
def on_receiving_agencies_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        on_catalogue_changed(sender)
