"""A saved or deleted field (lĩnh vực) or agency clears the catalogue page's cached filter lists (now, and
again once the transaction commits, so no other process caches the old rows in between)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Agency

from .models import Field
from .selectors import catalogue_filters_changed, catalogue_filters_forget


@receiver([post_save, post_delete], sender=Field, dispatch_uid="procedures.filters_field_changed")
@receiver([post_save, post_delete], sender=Agency, dispatch_uid="procedures.filters_agency_changed")
def on_filter_choice_changed(sender, **kwargs):
    catalogue_filters_changed()
    transaction.on_commit(catalogue_filters_forget)
