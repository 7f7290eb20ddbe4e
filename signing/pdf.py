"""Signing a PDF the portal rendered: PAdES (B-B, or B-T when a timestamp server is configured), with a
visible stamp in the box the form reserves for it (an element with id `chu-ky-so` in the HTML)."""

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


def _stamp(box: Box, *, name: str, when: datetime, demo: bool) -> str:
    """A one-page PDF the size of the box, drawn by WeasyPrint (Vietnamese text set properly), used as the
    signature's appearance; returned as a temporary file name (pyHanko imports a page from a file)."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the first PDF, not by every process

    width_mm, height_mm = (box.x2 - box.x1) / 72 * 25.4, (box.y2 - box.y1) / 72 * 25.4
    html = render_to_string("signing/stamp.html", {
        "name": name, "when": timezone.localtime(when), "demo": demo, "w": round(width_mm, 2),
        "h": round(height_mm, 2)})
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
    timestamper = None
    if conf.tsa_url:
        timestamper = h.HTTPTimeStamper(conf.tsa_url, timeout=10)
    stamp_file = None
    kwargs = {}
    if rendered.box is not None:
        b = rendered.box
        stamp_file = _stamp(b, name=name, when=when, demo=conf.demo)
        kwargs = {"stamp_style": h.StaticStampStyle.from_pdf_file(stamp_file, border_width=0),
                  "new_field_spec": h.fields.SigFieldSpec(FIELD, on_page=b.page, box=(b.x1, b.y1, b.x2, b.y2))}
    try:
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
