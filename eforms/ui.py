"""What the page template needs to draw a form: per section, per field, the input names, the values typed so
far, the error next to it, the choices, and when a field is shown (its conditional rule)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .data import PREFIX, row_count
from .definition import Field, Form
from .models import AdministrativeUnit, UnitLevel


def unit_options() -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    """(provinces, communes grouped by province) of the active units, for the address selects."""
    units = list(AdministrativeUnit.objects.filter(is_active=True).values_list("code", "name", "level", "parent__code"))
    provinces = sorted(((c, n) for c, n, lvl, _p in units if lvl == UnitLevel.PROVINCE), key=lambda x: x[1])
    names = dict(provinces)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, name, level, parent in units:
        if level == UnitLevel.COMMUNE:
            grouped.setdefault(parent, []).append((code, name))
    communes = [(names.get(p, p), sorted(items, key=lambda x: x[1])) for p, items in grouped.items()]
    return provinces, sorted(communes)


def _condition(form: Form, f: Field) -> dict | None:
    if not f.show_if:
        return None
    name, values = f.show_if
    source = form.by_path.get(name)
    if source is None:
        return None
    if source.kind == "boolean":
        shown = [("on" if v else "") for v in values]
        words = [_("có") if v else _("không") for v in values]
    else:
        shown = [str(v) for v in values]
        words = [source.choice_label(v) for v in values]
    return {"field": PREFIX + name, "values": "|".join(shown),
            "text": _("Chỉ điền khi “%(label)s” là: %(values)s.") % {"label": source.label, "values": ", ".join(words)}}


def _input(f: Field, key: str, raw: dict, errors: dict) -> dict:
    return {"field": f, "name": key, "value": raw.get(key, ""), "error": errors.get(key, ""),
            "checked": (raw.get(key) or "") in ("on", "1", "true"),
            "choices": f.choices() if f.kind == "choice" else [],
            "required": f.required}


def sections(form: Form, raw: dict, errors: dict, *, extra_rows: dict | None = None) -> list[dict]:
    units = None
    drawn = []
    for section in form.sections:
        items = []
        for f in section.fields:
            key = f"{PREFIX}{f.name}"
            item = _input(f, key, raw, errors)
            item["condition"] = _condition(form, f)
            if f.kind == "address":
                units = units or unit_options()
                item["parts"] = {part: {"name": f"{key}-{part}", "value": raw.get(f"{key}-{part}", ""),
                                        "error": errors.get(f"{key}-{part}", "")}
                                 for part in ("province", "commune", "street")}
                item["provinces"], item["communes"] = units
                item["error"] = item["error"] or " ".join(
                    p["error"] for p in item["parts"].values() if p["error"])
            if f.kind == "group":
                count = row_count(f, raw) + (extra_rows or {}).get(f.name, 0)
                count = max(count, f.min_rows, 1)
                count = min(count, f.max_rows)
                item["rows"] = [
                    {"number": n + 1, "cells": [_input(c, f"{key}-{n}-{c.name}", raw, errors) for c in f.children]}
                    for n in range(count)]
                item["rows_name"], item["row_count"] = f"{key}-rows", count
                item["can_add"] = count < f.max_rows
                item["group_errors"] = [msg for k, msg in errors.items() if k == key]
            items.append(item)
        drawn.append({"title": section.label, "items": items})
    return drawn
