"""The declaration on paper: the data written into the official layout (WeasyPrint).

`print_template` names a template under `templates/eforms/print/`: `generic` draws any definition from its
layout (national header, form number, title, addressee, the fields section by section with dotted lines,
groups as tables, the commitment and the signature block); a form whose official layout differs has its own
template, fed the same context (`values` by field name, already formatted for print; `rows` of each group;
`addresses`: each address's street, commune and province for layouts that print them on lines of their own).
"""

from __future__ import annotations

import datetime as dt

from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .definition import Field, Form
from .models import AdministrativeUnit

TEMPLATES = {
    "generic": _("Bố cục chung (theo thứ tự các mục của mẫu)"),
    "ket_hon": _("Tờ khai đăng ký kết hôn (hai cột Bên nữ / Bên nam)"),
    "ct01": _("Mẫu CT01 – Tờ khai thay đổi thông tin cư trú"),
    "trich_luc": _("Tờ khai cấp bản sao trích lục hộ tịch (một trang)"),
    "ho_kinh_doanh": _("Giấy đề nghị đăng ký hộ kinh doanh (các mục 1–7)"),
}


def template_choices() -> list[tuple[str, str]]:
    return list(TEMPLATES.items())


def template_path(name: str) -> str:
    return f"eforms/print/{name if name in TEMPLATES else 'generic'}.html"


def register_template(name: str, label) -> None:
    """Add an official layout (its file is templates/eforms/print/<name>.html)."""
    TEMPLATES[name] = label


def _units(codes: set[str]) -> dict[str, str]:
    return dict(AdministrativeUnit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def unit_codes(data: dict) -> set[str]:
    """The administrative unit codes the addresses of `data` name (to look their names up once for many)."""
    return {v.get(part) for v in (data or {}).values() if isinstance(v, dict)
            for part in ("province", "commune")} - {None, ""}


def unit_names(codes: set[str]) -> dict[str, str]:
    """{code: name} of these units, in one query: pass it to `printable(..., units=)` for many declarations."""
    return _units(set(codes))


def text_of(f: Field, value, units: dict[str, str]) -> str:
    if value in (None, "", [], {}):
        return ""
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if f.kind == "choice":
        return f.choice_label(value)
    if f.kind == "boolean":
        return "Có" if value else "Không"
    if f.kind == "number" and isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}".replace(",", ".")  # 150.000.000 (a year such as 1996 stays as it is)
    if f.kind == "address" and isinstance(value, dict):
        parts = address_parts(value, units)
        return ", ".join(p for p in (parts["street"], parts["commune"], parts["province"]) if p)
    return str(value)


def address_parts(value, units: dict[str, str]) -> dict[str, str]:
    """An address's three printed parts, {"street", "commune", "province"}, the units by name (empty when missing):
    official layouts print them on lines of their own."""
    value = value if isinstance(value, dict) else {}
    commune = value.get("commune") or ""
    return {"street": value.get("street") or "",
            "commune": units.get(commune, commune),  # a name typed where the province's communes are not listed
            "province": units.get(value.get("province") or "", "")}


def printable(form: Form, data: dict, *, units: dict[str, str] | None = None) -> dict:
    """{"sections": [...], "values": {name: text}, "rows": {group: [[text, ...], ...]}, "addresses": {name:
    address_parts}} in Vietnamese. `units`: the unit names already looked up (`unit_names`), else they are read
    here."""
    units = _units(unit_codes(data)) if units is None else units
    with override("vi"):
        sections, values, rows, addresses = [], {}, {}, {}
        for section in form.sections:
            items = []
            for f in section.fields:
                if f.kind == "group":
                    table = [[text_of(c, (row or {}).get(c.name), units) for c in f.children]
                             for row in data.get(f.name) or []]
                    rows[f.name] = table
                    items.append({"label": f.label, "group": True, "columns": [c.label for c in f.children],
                                  "rows": table, "blank_rows": range(max(0, f.min_rows - len(table)))})
                else:
                    text = text_of(f, data.get(f.name), units)
                    values[f.name] = text
                    if f.kind == "address":
                        addresses[f.name] = address_parts(data.get(f.name), units)
                    if f.show_if and not text:
                        continue  # a conditional part that does not apply is not printed
                    items.append({"label": f.label, "value": text, "checkbox": f.kind == "boolean",
                                  "checked": bool(data.get(f.name))})
            sections.append({"title": section.title, "items": items})
    return {"sections": sections, "values": values, "rows": rows, "addresses": addresses}


def row_text(row: list[str]) -> str:
    """One row of a repeating group as one line: its filled cells, comma-separated."""
    return ", ".join(cell for cell in row if cell)


def render_html(form: Form, data: dict, *, template: str = "generic", context: dict | None = None) -> str:
    """The declaration as HTML for WeasyPrint. `context`: the dossier's code, the place, who fills it in."""
    signer = form.layout.get("signer_field")
    with override("vi"):
        return render_to_string(template_path(template), {
            "layout": form.layout, "title": form.layout["title"], **printable(form, data),
            "signer": (data.get(signer) or "") if signer else "", "today": timezone.localdate(),
            **(context or {})})


def render_pdf(form: Form, data: dict, *, template: str = "generic", context: dict | None = None) -> bytes:
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the first PDF, not by every process

    return HTML(string=render_html(form, data, template=template, context=context)).write_pdf()


def template_exists(name: str) -> bool:
    try:
        get_template(template_path(name))
    except TemplateDoesNotExist:
        return False
    return name in TEMPLATES
