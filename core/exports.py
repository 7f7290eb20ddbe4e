"""Every XLSX and CSV the portal hands out is written through this module, so no export runs what it
carries (CSV / formula injection: an applicant named `=HYPERLINK(...)` must stay a name).

- XLSX: every text cell is a string cell (`data_type` "s", with Excel's quote prefix so editing it
  keeps it text); dates and datetimes are real date cells shown the Vietnamese way (dd/mm/yyyy);
  numbers stay numbers.
- CSV: text starting with = + - @ TAB or CR gets a leading apostrophe (what Excel and LibreOffice
  show as text); dates are written dd/mm/yyyy; a file a portal import reads back goes through
  `csv_value_in` to drop that apostrophe again.

It lives in `core`, the lowest layer (ARCHITECTURE.md §1: the domain-free helpers every app may
import), because `procedures` (catalogue CSV), `dossiers` (Mẫu 06, late-dossier report) and
`parindex` (every dashboard table) all export; `portal/` only wires the project together.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
NUMBER_TYPES = (int, float, Decimal)


@dataclass
class Sheet:
    """One worksheet: an optional title line above the header, the header, the rows."""

    title: str
    header: Sequence = ()
    rows: Iterable[Sequence] = ()
    heading: Sequence = field(default_factory=tuple)


def _plain(value):
    """Lazy translations become text; aware datetimes become local wall-clock time (Excel has no zones)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


# -- CSV ------------------------------------------------------------------------------------------

def csv_value(value) -> str | int | float | Decimal:
    """One CSV cell: numbers as they are, dates dd/mm/yyyy [HH:MM], text neutralised."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, NUMBER_TYPES):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_value_in(text: str) -> str:
    """The inverse for the portal's own CSV imports: drop the apostrophe `csv_value` added."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text


def csv_write(out, header: Sequence, rows: Iterable[Sequence]) -> None:
    writer = csv.writer(out)
    writer.writerow([csv_value(v) for v in header])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    csv_write(out, header, rows)
    return out.getvalue()


# -- XLSX -----------------------------------------------------------------------------------------

def xlsx_cell(sheet, value, *, bold: bool = False, number_format: str | None = None):
    """A write-only cell that holds `value` as data, never as a formula."""

    value = _plain(value)
    if isinstance(value, bool):
        value = "x" if value else ""
    if value is not None and not isinstance(value, (*NUMBER_TYPES, dt.date, dt.time)):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    elif isinstance(value, dt.datetime):
        cell.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = number_format or DATE_FORMAT
    elif number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook (write-only: constant memory for long lists) with every cell through `xlsx_cell`."""

    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        if spec.heading:
            sheet.append([xlsx_cell(sheet, v, bold=True) for v in spec.heading])
        if spec.header:
            sheet.append([xlsx_cell(sheet, v, bold=True) for v in spec.header])
        for row in spec.rows:
            sheet.append([xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

