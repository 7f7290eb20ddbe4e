"""The provinces the address fields offer, as the migration that loads them lists them (0002_provinces: the 34
provinces and centrally-run cities from 1 July 2025), and `provinces_ensure()` to put them back where a
database lost them (a flushed test database, a restore without the migration's rows): the demo seeding and
the tests call it."""

from __future__ import annotations

import importlib

from .models import AdministrativeUnit, UnitLevel

PROVINCES: list[tuple[str, str]] = importlib.import_module("eforms.migrations.0002_provinces").PROVINCES


def provinces_ensure() -> dict[str, AdministrativeUnit]:
    """{code: unit} of the 34 provinces, creating any that is missing (idempotent)."""
    have = {u.code: u for u in AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)}
    for code, name in PROVINCES:
        if code not in have:
            have[code] = AdministrativeUnit.objects.create(code=code, name=name, level=UnitLevel.PROVINCE)
    return have
