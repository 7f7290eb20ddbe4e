"""XLSX and CSV downloads of the dashboard tables (one helper, so every table exports the same way)."""

from __future__ import annotations

import csv

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(filename: str, sheets: list[tuple[str, list, list[list]]], kind: str) -> HttpResponse:
    """`sheets`: [(title, header, rows)]; CSV carries the first sheet (UTF-8 with a BOM for Excel)."""
    if kind == "csv":
        title, header, rows = sheets[0]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    book.save(response)
    return response
