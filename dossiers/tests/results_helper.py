"""Result PDFs as an appraiser uploads them (real files a signature can be added to)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from signing import pdf

RESULT_HTML = """<html><head><meta charset="utf-8"><style>@page {{ size: A4; margin: 20mm }}</style></head>
<body style="font-family: 'Liberation Serif'"><h1>GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH</h1>
<p>Số: {number}</p><p>Tên hộ kinh doanh: {name}</p>
<p style="page-break-before: always">Trang cuối. CHỦ TỊCH</p></body></html>"""

_CACHE: dict[tuple[str, str], bytes] = {}


def result_pdf(number: str = "001/GCN", name: str = "Hộ kinh doanh Nguyễn Văn An") -> bytes:
    """A two-page result (WeasyPrint), the same bytes for the same arguments within a test run."""
    key = (number, name)
    if key not in _CACHE:
        _CACHE[key] = pdf.render_html(RESULT_HTML.format(number=number, name=name)).pdf
    return _CACHE[key]


def result_upload(data: bytes | None = None, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else result_pdf(), content_type="application/pdf")
