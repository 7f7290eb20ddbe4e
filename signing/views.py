"""The public verification page: what a QR code on an issued document leads to. No login; it shows only
what identifies the document (type, number, issuing agency, date, signer, signature status, hash) — never
the applicant — and checks a dropped file against what was issued."""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core import ratelimit

from . import config
from . import verify as verification
from .models import IssuedDocument

CHECKS_PER_10_MIN = 30  # files checked per address: each check parses a PDF
CHECK_CACHE_SECONDS = 3600
logger = logging.getLogger(__name__)


class CheckForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp cần kiểm tra (PDF)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SIGNING_UPLOAD_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(_("Tệp lớn hơn %d MB: không kiểm tra được.") % settings.SIGNING_UPLOAD_MAX_MB)
        return upload


def _over_budget(request) -> bool:
    key = ratelimit.key_for("verify-file", request.META.get("REMOTE_ADDR", ""))
    return not ratelimit.Budget(key, limit=CHECKS_PER_10_MIN, window=600).reserve()


def stored_check(document: IssuedDocument) -> verification.PdfCheck | None:
    """The signature check of an issued file, kept for a while (a QR code scanned a thousand times is one
    check); None when the stored file is missing (said on the page)."""
    key = f"signing:check:{document.sha256}:{len(config.trust_roots())}"
    check = cache.get(key)
    if check is None:
        try:
            with document.file.open("rb") as handle:
                check = verification.check_pdf(handle.read())
        except (FileNotFoundError, OSError):
            logger.error("issued document %s: stored file missing", document.public_id)
            return None
        cache.set(key, check, CHECK_CACHE_SECONDS)
    return check


def _check_upload(request, form, known: dict | None = None) -> dict | None:
    """Hash and signatures of the dropped file, or None (the form carries the error). A file identical to an
    issued one is not parsed again: its stored check is the answer."""
    if not form.is_valid():
        return None
    if _over_budget(request):
        form.add_error("file", _("Bạn đã kiểm tra quá nhiều tệp. Hãy thử lại sau 10 phút."))
        return None
    data = form.cleaned_data["file"].read()
    sha256 = hashlib.sha256(data).hexdigest()
    if known and sha256 in known and known[sha256] is not None:
        check = known[sha256]
    else:
        check = verification.check_pdf(data) if data[:5] == b"%PDF-" else None
    return {"sha256": sha256, "check": check, "name": form.cleaned_data["file"].name}


@require_http_methods(["GET", "POST"])
def verify(request, public_id: str):
    document = (IssuedDocument.objects.select_related("agency", "replaced_by")
                .filter(public_id=public_id[:32]).first())
    if document is None:
        raise Http404(_("Không có văn bản nào mang mã xác minh này."))
    form = CheckForm(request.POST, request.FILES) if request.method == "POST" else CheckForm()
    stored = stored_check(document)
    dropped = _check_upload(request, form, known={document.sha256: stored}) if request.method == "POST" else None
    return render(request, "signing/verify.html", {
        "document": document, "stored": stored, "form": form, "dropped": dropped,
        "genuine": dropped is not None and dropped["sha256"] == document.sha256})


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Drop a file without a code: the portal says whether it issued exactly this file."""
    form = CheckForm(request.POST, request.FILES) if request.method == "POST" else CheckForm()
    dropped = _check_upload(request, form) if request.method == "POST" else None
    document = None
    if dropped is not None:
        document = (IssuedDocument.objects.select_related("agency", "replaced_by")
                    .filter(sha256=dropped["sha256"]).first())
    return render(request, "signing/lookup.html", {"form": form, "dropped": dropped, "document": document})
