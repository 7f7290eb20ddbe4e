"""Reading the one-stop rules in force on a day.

`rules_in_force(on)` answers from a cached tuple of all versions (a handful of rows): the cache is Django's
(shared by every process and worker), filled by one query, and cleared whenever a version is saved or deleted
(`receivers.py`, at once and again after the commit), so an administrator's new version is read everywhere
without a restart. A transaction that changed a version reads the table itself and never fills the cache (its
rows may still roll back), so a test that changes rows reads its own rows and leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from .models import RuleSet
from .seed import seed_rulesets

CACHE_KEY = "regulations:rulesets:v3"  # v2: apology_notice_days; v3: hand-overs between desks


@dataclass(frozen=True)
class ApologyReasonEntry:
    code: str
    label_vi: str
    label_en: str = ""

    def label(self) -> str:
        """The label in the active language (Vietnamese unless English is asked for and written)."""
        english = (translation.get_language() or "").startswith("en")
        return self.label_en if english and self.label_en else self.label_vi


@dataclass(frozen=True)
class Rules:
    """One version of the rules, as plain values (safe to cache and to pass around)."""

    effective_from: dt.date
    legal_basis: str
    supplement_window_days: int
    feedback_accept_days: int
    feedback_info_days: int
    feedback_answer_days: int
    feedback_publish_days: int
    apology_notice_days: int
    apology_reasons: tuple[ApologyReasonEntry, ...]
    handover_clock: str = "included"
    handover_hours: int = 8

    @property
    def apology_reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.apology_reasons)

    def apology_reason_choices(self) -> list[tuple[str, str]]:
        """(code, label) pairs for a form's choices, in the active language."""
        return [(r.code, r.label()) for r in self.apology_reasons]

    def apology_reason(self, code: str) -> ApologyReasonEntry | None:
        return next((r for r in self.apology_reasons if r.code == code), None)


def _rules(row: RuleSet) -> Rules:
    return Rules(
        effective_from=row.effective_from, legal_basis=row.legal_basis,
        supplement_window_days=row.supplement_window_days, feedback_accept_days=row.feedback_accept_days,
        feedback_info_days=row.feedback_info_days, feedback_answer_days=row.feedback_answer_days,
        feedback_publish_days=row.feedback_publish_days, apology_notice_days=row.apology_notice_days,
        apology_reasons=tuple(ApologyReasonEntry(r["code"], r["label_vi"], r.get("label_en", ""))
                              for r in row.apology_reasons),
        handover_clock=row.handover_clock, handover_hours=row.handover_hours)


def versions() -> tuple[Rules, ...]:
    """Every version, oldest first. An empty table (a database restored without the seeded rows, or emptied by
    a transactional test) gets the starting versions back, as the survey questionnaire does."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        conn.regulations_changed = False
    shared = not getattr(conn, "regulations_changed", False)
    cached = cache.get(CACHE_KEY) if shared else None
    if cached is not None:
        return cached
    rows = list(RuleSet.objects.order_by("effective_from"))
    if not rows:
        with transaction.atomic():
            seed_rulesets(RuleSet)
        rows = list(RuleSet.objects.order_by("effective_from"))
    found = tuple(_rules(row) for row in rows)
    if shared:
        cache.set(CACHE_KEY, found, timeout=None)
    return found


def forget() -> None:
    cache.delete(CACHE_KEY)


def changed_in_this_transaction() -> None:
    """Called when a version is written: until this transaction ends, read the table, not the cache."""
    conn = transaction.get_connection()
    conn.regulations_changed = conn.in_atomic_block
    forget()


def _day(on: dt.date | dt.datetime | None) -> dt.date:
    if on is None:
        return timezone.localdate()
    if isinstance(on, dt.datetime):
        return timezone.localdate(on) if timezone.is_aware(on) else on.date()
    return on


def rules_in_force(on: dt.date | dt.datetime | None = None) -> Rules:
    """The version in force on a day (a date, or an aware datetime read in local time; default today).
    Before the first version, the first one applies (the portal keeps no older law)."""
    day = _day(on)
    found = versions()
    current = found[0]
    for version in found:
        if version.effective_from > day:
            break
        current = version
    return current


def apology_reason_label(code: str, *, on: dt.date | dt.datetime | None = None) -> str:
    """The printed label of an apology reason code: from the version in force on the letter's date; a code
    that version no longer lists is read from the newest version that has it; an unknown code is shown as is."""
    if not code:
        return ""
    entry = rules_in_force(on).apology_reason(code)
    if entry is None:
        entry = next((e for v in reversed(versions()) if (e := v.apology_reason(code))), None)
    return entry.label() if entry else code
