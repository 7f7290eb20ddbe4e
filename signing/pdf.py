"""Signing a PDF the portal rendered: PAdES (B-B, or B-T when a timestamp server is configured), with a
visible stamp in the box the form reserves for it (an element with id `chu-ky-so` in the HTML).

A PDF the portal did not lay out (a result uploaded by the appraiser) has no reserved box: `result_box`
puts the stamp at a fixed spot of its last page, and the stamp can carry the QR code of the document's
verification page (`Rendered.qr_url`). `add_verification` writes that QR code and address into the page
itself, in an unsigned incremental update, for a leader who signs the file on their own PC."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from . import config

ANCHOR = "chu-ky-so"  # the id of the element a form reserves for the signature stamp
FIELD = "ChuKySo"
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF user space is 72 per inch


@dataclass(frozen=True)
class Box:
    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float  # PDF points, origin at the bottom left


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    box: Box | None
    qr_url: str = ""  # the verification address: the stamp then carries its QR code and the address


MM = 72 / 25.4  # PDF points per millimetre
STAMP_W, STAMP_H = 70 * MM, 24 * MM  # the stamp on an uploaded result
MARGIN_RIGHT, MARGIN_BOTTOM = 15 * MM, 20 * MM


def _last_page_area(data: bytes) -> tuple[int, float, float, float, float]:
    """(index, x1, y1, x2, y2) of the last page's visible area (its CropBox, which defaults to the MediaBox)."""
    from pypdf import PdfReader  # read only where a stamp is placed on an uploaded file
    from pypdf.errors import PdfReadError  # with the reader above

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = reader.pages
        page = pages[len(pages) - 1]
        area = page.cropbox
        return len(pages) - 1, float(area.left), float(area.bottom), float(area.right), float(area.top)
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as exc:
        raise config.SigningUnavailable("pdf_unreadable", _("Không đọc được tệp PDF: %s") % exc) from exc


def result_box(data: bytes) -> Box:
    """Where the signature stamp goes on a PDF the portal did not lay out: bottom right of the last page,
    70 × 24 mm, above the bottom margin (where the signer's block of an administrative document is)."""
    index, _x1, y1, x2, _y2 = _last_page_area(data)
    right, bottom = x2 - MARGIN_RIGHT, y1 + MARGIN_BOTTOM
    return Box(index, right - STAMP_W, bottom, right, bottom + STAMP_H)


def verification_box(data: bytes) -> Box:
    """Where the QR code and the verification address go on a draft a leader signs on their own PC: bottom
    left of the last page, so that the bottom right stays free for the leader's own signature stamp."""
    index, x1, y1, _x2, _y2 = _last_page_area(data)
    left, bottom = x1 + MARGIN_RIGHT, y1 + MARGIN_BOTTOM
    return Box(index, left, bottom, left + STAMP_W, bottom + STAMP_H)


def qr_svg(url: str, *, size_mm: float) -> str:
    """The QR code of `url` as inline SVG (medium error correction: it survives a stamp printed over it)."""
    import segno  # only drawn where a QR code is printed

    code = segno.make(url, error="m")
    width = code.symbol_size(scale=1)[0]
    return code.svg_inline(scale=size_mm / width, unit="mm", dark="#000", light="#fff")


def render_html(html: str) -> Rendered:
    """WeasyPrint, keeping where the signature stamp goes (the last page that has the anchor)."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the first PDF, not by every process

    document = HTML(string=html).render()
    box = None
    for index, page in enumerate(document.pages):
        where = page.anchors.get(ANCHOR)
        if where:
            x1, y1, x2, y2 = where
            height = page.height * PX_TO_PT
            if x2 > x1 and y2 > y1:
                box = Box(index, x1 * PX_TO_PT, height - y2 * PX_TO_PT, x2 * PX_TO_PT, height - y1 * PX_TO_PT)
    return Rendered(document.write_pdf(), box)


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    signer_name: str
    subject: str
    issuer: str
    serial: str
    demo: bool
    signed_at: datetime


def cert_name(cert) -> str:
    """The common name on a certificate (asn1crypto), else its organisation."""
    native = cert.subject.native
    return native.get("common_name") or native.get("organization_name") or cert.subject.human_friendly


def _stamp(box: Box, *, name: str = "", when: datetime | None = None, demo: bool = False, qr_url: str = "") -> str:
    """A one-page PDF the size of the box, drawn by WeasyPrint (Vietnamese text set properly), used as the
    signature's appearance (or, without a name, as the verification block of a draft); returned as a
    temporary file name (pyHanko imports a page from a file)."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the first PDF, not by every process

    width_mm, height_mm = (box.x2 - box.x1) / MM, (box.y2 - box.y1) / MM
    qr_mm = max(0.0, min(height_mm - 2, width_mm / 3))
    # sizes as plain strings: the template's number formatting would write "70,0" in Vietnamese
    html = render_to_string("signing/print/stamp.html", {
        "name": name, "when": timezone.localtime(when) if when else None, "demo": demo,
        "w": f"{width_mm:.2f}", "h": f"{height_mm:.2f}", "url": qr_url, "qr_mm": f"{qr_mm:.2f}",
        "qr": qr_svg(qr_url, size_mm=qr_mm) if qr_url else ""})
    handle = tempfile.NamedTemporaryFile(prefix="stamp-", suffix=".pdf", delete=False)
    with handle:
        handle.write(HTML(string=html).write_pdf())
    return handle.name


def sign(rendered: Rendered, *, agency_code: str, reason: str, location: str = "") -> Signed | None:
    """Sign with the agency's key from the configuration; None when the agency has no key there."""
    signer = config.signer_for(agency_code)
    if signer is None:
        return None
    from . import hanko as h  # pyHanko is heavy to import: loaded by the first signature (see hanko.py)

    conf = config.load()
    cert = signer.signing_cert
    name = cert_name(cert)
    when = timezone.now()
    meta = h.signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256", reason=reason[:200],
                                        location=location[:200], subfilter=h.fields.SigSeedSubFilter.PADES)
    stamp_file = None
    try:
        timestamper = h.HTTPTimeStamper(conf.tsa_url, timeout=10) if conf.tsa_url else None
        kwargs = {}
        if rendered.box is not None:
            b = rendered.box
            stamp_file = _stamp(b, name=name, when=when, demo=conf.demo, qr_url=rendered.qr_url)
            kwargs = {"stamp_style": h.StaticStampStyle.from_pdf_file(stamp_file, border_width=0),
                      "new_field_spec": h.fields.SigFieldSpec(FIELD, on_page=b.page,
                                                              box=(b.x1, b.y1, b.x2, b.y2))}
        writer = h.IncrementalPdfFileWriter(io.BytesIO(rendered.pdf))
        out = h.signers.PdfSigner(meta, signer=signer, timestamper=timestamper, **kwargs).sign_pdf(writer)
    except Exception as exc:  # a token unplugged, a TSA down: the desk gets a message, not a 500
        reason_text = str(exc) or type(exc).__name__
        raise config.SigningUnavailable("signing_failed", _("Không ký số được văn bản: %s") % reason_text) from exc
    finally:
        if stamp_file:
            os.unlink(stamp_file)
    return Signed(pdf=out.getvalue(), signer_name=name, subject=cert.subject.human_friendly,
                  issuer=cert.issuer.human_friendly, serial=format(cert.serial_number, "X"), demo=conf.demo,
                  signed_at=when)


def add_verification(data: bytes, *, url: str, box: Box | None = None) -> bytes:
    """`data` with the QR code and the address of its verification page drawn on the last page (in `box`,
    by default `verification_box`), in an incremental update: the original bytes stay the first revision,
    and nothing is signed (a leader signs the result on their own PC afterwards)."""
    from pyhanko.pdf_utils.layout import BoxConstraints  # pyHanko is heavy to import (see hanko.py)

    from . import hanko as h  # pyHanko is heavy to import (see hanko.py)

    box = box or verification_box(data)
    block = _stamp(box, qr_url=url)
    try:
        writer = h.IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        style = h.StaticStampStyle.from_pdf_file(block, border_width=0)
        stamp = style.create_stamp(writer, BoxConstraints(width=box.x2 - box.x1, height=box.y2 - box.y1),
                                   {})
        stamp.apply(box.page, box.x1, box.y1)
        out = io.BytesIO()
        writer.write(out)
    except Exception as exc:  # pyHanko raises many kinds of errors on a malformed file: all mean "cannot"
        raise config.SigningUnavailable("pdf_unreadable", _("Không thêm được mã QR vào tệp PDF: %s") % exc) from exc
    finally:
        os.unlink(block)
    return out.getvalue()
