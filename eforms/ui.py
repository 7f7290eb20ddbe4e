"""What the page template needs to draw a form: per section, per field, the input names, the values typed so
far, the error next to it, the choices, and when a field is shown (its conditional rule)."""

from __future__ import annotations

import unicodedata

from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .data import PREFIX, row_count
from .definition import Field, Form
from .models import AdministrativeUnit, UnitLevel


def unit_options() -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    """(provinces, communes grouped by province) of the active units, for the address selects."""
    units = list(AdministrativeUnit.objects.filter(is_active=True).values_list("code", "name", "level", "parent__code"))
    provinces = sorted(((c, n) for c, n, lvl, _p in units if lvl == UnitLevel.PROVINCE), key=lambda x: _order(x[1]))
    names = dict(provinces)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, name, level, parent in units:
        if level == UnitLevel.COMMUNE:
            grouped.setdefault(parent, []).append((code, name))
    communes = [(names.get(p, p), sorted(items, key=lambda x: _order(x[1]))) for p, items in grouped.items()]
    return provinces, sorted(communes, key=lambda x: _order(x[0]))


def _order(name: str) -> tuple:
    """Vietnamese alphabetical order, near enough for a list of place names: the name without its type word
    ("Tỉnh", "Thành phố", "Phường", "Xã"), by its letters without tone marks, then with them."""
    words = name.split()
    for kind in (("Thành", "phố"), ("Đặc", "khu"), ("Tỉnh",), ("Phường",), ("Xã",)):
        if tuple(words[:len(kind)]) == kind and len(words) > len(kind):
            words = words[len(kind):]
            break
    bare = " ".join(words)
    plain = unicodedata.normalize("NFD", bare.replace("Đ", "D~").replace("đ", "d~"))
    return "".join(ch for ch in plain if unicodedata.category(ch) != "Mn").lower(), bare


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


def _input(f: Field, key: str, raw: dict, errors: dict, *, cell: bool = False, condition: bool = False) -> dict:
    """One input: its name (also its id, and the error summary's link target), what was typed, its error and
    the ids of the texts that describe it (`aria-describedby`: its error first, then its hints)."""
    error = errors.get(key, "")
    described = [f"{key}-error"] if error else []
    if f.kind == "date":
        described.append(f"{key}-hint")
    if f.help and not cell:
        described.append(f"{key}-help")
    if condition:
        described.append(f"{key}-condition")
    describedby = " ".join(described)
    aria = format_html_join("", ' {}="{}"', [(k, v) for k, v in (
        ("aria-describedby", describedby), ("aria-required", "true" if f.required else ""),
        ("aria-invalid", "true" if error else "")) if v])
    return {"field": f, "name": key, "value": raw.get(key, ""), "error": error,
            "checked": (raw.get(key) or "") in ("on", "1", "true"),
            "choices": f.choices() if f.kind == "choice" else [],
            "required": f.required, "describedby": describedby, "aria": aria}


def sections(form: Form, raw: dict, errors: dict, *, extra_rows: dict | None = None) -> list[dict]:
    units = None
    drawn = []
    for section in form.sections:
        items = []
        for f in section.fields:
            key = f"{PREFIX}{f.name}"
            condition = _condition(form, f)
            item = _input(f, key, raw, errors, condition=bool(condition))
            item["condition"] = condition
            item["has_error"] = bool(item["error"])
            if f.kind == "address":
                units = units or unit_options()
                whole = f"{key}-error" if item["error"] else ""  # e.g. the commune is not in the province
                item["parts"] = {}
                for part in ("province", "commune", "street"):
                    name = f"{key}-{part}"
                    error = errors.get(name, "")
                    item["parts"][part] = {"name": name, "value": raw.get(name, ""), "error": error,
                                           "describedby": f"{name}-error" if error else whole}
                    item["has_error"] = item["has_error"] or bool(error)
                item["parts"]["commune_name"] = {"name": f"{key}-commune_name",
                                                 "value": raw.get(f"{key}-commune_name", "")}
                item["provinces"], item["communes"] = units
            if f.kind == "group":
                count = row_count(f, raw) + (extra_rows or {}).get(f.name, 0)
                count = max(count, f.min_rows, 1)
                count = min(count, f.max_rows)
                item["rows"] = [
                    {"number": n + 1,
                     "cells": [_input(c, f"{key}-{n}-{c.name}", raw, errors, cell=True) for c in f.children]}
                    for n in range(count)]
                item["rows_name"], item["row_count"] = f"{key}-rows", count
                if (extra_rows or {}).get(f.name) and item["rows"] and item["rows"][-1]["cells"]:
                    first = item["rows"][-1]["cells"][0]  # "Thêm dòng": the page opens on the new row, typing there
                    first["aria"] = first["aria"] + mark_safe(" autofocus")
                item["can_add"] = count < f.max_rows
                item["has_error"] = item["has_error"] or any(
                    cell["error"] for row in item["rows"] for cell in row["cells"])
            items.append(item)
        drawn.append({"title": section.label, "items": items})
    return drawn


def _anchors(drawn: list[dict]) -> dict[str, str]:
    """{error key: the id of the input its summary link goes to}, in the order of the page."""
    anchors: dict[str, str] = {}
    for section in drawn:
        for item in section["items"]:
            kind = item["field"].kind
            if kind == "address":
                parts = item["parts"]
                anchors[item["name"]] = parts["province"]["name"]
                for part in parts.values():
                    anchors[part["name"]] = part["name"]
            elif kind == "group":
                cells = [cell["name"] for row in item["rows"] for cell in row["cells"]]
                anchors[item["name"]] = cells[0] if cells else ""
                anchors.update((name, name) for name in cells)
            else:
                anchors[item["name"]] = item["name"]  # a radio group: its first choice has the field's id
    return anchors


def error_list(drawn: list[dict], errors: dict[str, str]) -> list[dict]:
    """The error summary: each error with the id of the input it is about (empty when it is about no single
    input), in the order of the fields on the page."""
    anchors = _anchors(drawn)
    order = {key: number for number, key in enumerate(anchors)}
    listed = sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order)))
    return [{"anchor": anchors.get(key, ""), "message": message} for key, message in listed]
