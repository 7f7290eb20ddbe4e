"""XLSX and CSV downloads of the dashboard tables (one helper, so every table exports the same way;
every cell goes through core.exports, so no text runs as a formula and dates are date cells)."""

from __future__ import annotations

from django.http import HttpResponse

from core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, Sheet, csv_write, xlsx_bytes


def table_response(filename: str, sheets: list[tuple[str, list, list[list]]], kind: str) -> HttpResponse:
    """`sheets`: [(title, header, rows)]; CSV carries the first sheet (UTF-8 with a BOM for Excel)."""
    if kind == "csv":
        _title, header, rows = sheets[0]
        response = HttpResponse(content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        csv_write(response, header, rows)
        return response
    response = HttpResponse(xlsx_bytes([Sheet(title, header, rows) for title, header, rows in sheets]),
                            content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
