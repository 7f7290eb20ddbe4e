"""The declared data of one declaration form as a spreadsheet: one row per finished declaration, the dossier's
code, status and reception date first, then one column per field in the layout's order (a repeating group in one
column, its rows joined "1) …; 2) …"). Every cell goes through `core.exports` (no formula ever runs)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import Sheet, xlsx_bytes
from eforms.definition import Form
from eforms.printing import printable, row_text, unit_codes, unit_names
from procedures.models import DeclarationForm

from .models import Declaration

LIMIT = 10_000  # rows in one file: a longer period is asked in parts


def columns(form: Form) -> list[tuple[str, str, bool]]:
    """(field name, header, is a group) in layout order; a label used twice is told apart by its section."""
    fields = [(section, f) for section in form.sections for f in section.fields]
    labels = [f.label for _s, f in fields]
    return [(f.name, f"{section.label} – {f.label}" if labels.count(f.label) > 1 else f.label, f.kind == "group")
            for section, f in fields]


def group_text(rows: list[list[str]]) -> str:
    return "; ".join(f"{number}) {row_text(row)}" for number, row in enumerate(rows, start=1))


def rows_of(eform: DeclarationForm, declarations: list[Declaration]) -> tuple[list[str], list[list]]:
    form = eform.form
    cols = columns(form)
    units = unit_names(set().union(*(unit_codes(d.data) for d in declarations))) if declarations else {}
    header = [_("Mã hồ sơ"), _("Trạng thái"), _("Ngày tiếp nhận"), *(h for _n, h, _g in cols)]
    out = []
    for declaration in declarations:
        texts = printable(form, declaration.data or {}, units=units)
        dossier = declaration.dossier
        data = declaration.data or {}
        out.append([dossier.code, dossier.get_status_display(),
                    timezone.localtime(dossier.received_at) if dossier.received_at else None,
                    *(group_text(texts["rows"].get(name) or []) if group
                      else typed(form.by_path[name], data.get(name), texts["values"].get(name, ""))
                      for name, _h, group in cols)])
    return header, out


def typed(field, value, text: str):
    """A date as a date cell and a number as a number (a spreadsheet sorts and sums them); the rest as printed."""
    if field.kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return text
    if field.kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return value
    return text


def declaration_xlsx(eform: DeclarationForm, declarations: list[Declaration], start, end) -> bytes:
    header, rows = rows_of(eform, declarations)
    procedure = eform.document.version.procedure
    heading = [_("%(title)s — thủ tục %(code)s, hồ sơ tiếp nhận từ %(start)s đến %(end)s") % {
        "title": eform.form.title, "code": procedure.code, "start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}]
    return xlsx_bytes([Sheet(title=_("Tờ khai"), heading=heading, header=header, rows=rows)])
