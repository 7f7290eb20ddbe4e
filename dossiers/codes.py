"""Dossier codes <agency code>-YYMMDD-NNNN (Circular 01/2018 Art. 19), gap-free per agency per day.

The counter row is incremented inside the reception transaction: two receptions at the same
moment are serialised on that row, and a reception that rolls back takes its number back with it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import connection
from django.db.models import F

from accounts.models import Agency

from .models import DossierCodeCounter


def next_sequence(agency: Agency, day: dt.date) -> int:
    if connection.vendor == "postgresql":
        table = DossierCodeCounter._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
                "ON CONFLICT (agency_id, day) DO UPDATE SET last = " + table + ".last + 1 RETURNING last",
                [agency.pk, day],
            )
            return cursor.fetchone()[0]
    counter, _ = DossierCodeCounter.objects.select_for_update().get_or_create(agency=agency, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def next_in(model, **key) -> int:
    """Take the next number of a yearly counter row (`model` has a `last` field and a unique key), inside
    the caller's transaction: concurrent callers are serialised on the row, a rollback gives it back."""
    counter, _created = model.objects.select_for_update().get_or_create(**key)
    model.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return counter.last


def issue_code(agency: Agency, day: dt.date) -> str:
    sequence = next_sequence(agency, day)
    width = max(4, len(str(sequence)))
    return f"{agency.code}-{day:%y%m%d}-{sequence:0{width}d}"


def new_pin() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"
