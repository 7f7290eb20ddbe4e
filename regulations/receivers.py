"""A saved or deleted rule set clears the cached versions (now, and again once the transaction commits, so
no other process caches the old rows in between)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import RuleSet
from .selectors import changed_in_this_transaction, forget


@receiver([post_save, post_delete], sender=RuleSet, dispatch_uid="regulations.forget_rulesets")
def on_ruleset_changed(sender, **kwargs):
    changed_in_this_transaction()
    transaction.on_commit(forget)
