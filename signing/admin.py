"""The administrator's pages: leaders' personal certificates (registered from the certificate file, through
`officer_certificate_add`, errors on the form) and the register of issued documents (read only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ReadOnlyAdmin
from core.errors import DomainError

from .models import IssuedDocument, OfficerCertificate
from .services import officer_certificate_add

CERTIFICATE_MAX_BYTES = 64 * 1024  # a certificate is a few kilobytes; anything larger is not one


class OfficerCertificateAddForm(forms.ModelForm):
    """Pick the leader, upload the public certificate (.cer / .crt / .pem: never the private key).

    The certificate is registered by `officer_certificate_add` while the form is checked, so that what the
    service refuses (not a certificate, expired, already registered) is shown on the form; the admin's add
    view runs in one transaction, so nothing stays behind if anything after it fails."""

    certificate = forms.FileField(label=gettext_lazy("Tệp chứng thư số (.cer, .crt, .pem)"))
    actor = None  # the administrator (set by the admin for each request)

    class Meta:
        model = OfficerCertificate
        fields = ("user",)

    def clean(self):
        cleaned = super().clean()
        upload, user = cleaned.get("certificate"), cleaned.get("user")
        if upload is None or user is None:
            return cleaned
        if upload.size > CERTIFICATE_MAX_BYTES:
            self.add_error("certificate", _("Tệp quá lớn để là một chứng thư số (.cer, .crt, .pem)."))
            return cleaned
        try:
            with transaction.atomic():
                self.instance = officer_certificate_add(user=user, data=upload.read(), actor=self.actor)
        except DomainError as exc:
            self.add_error("certificate" if exc.field == "certificate" else None, exc.message)
        return cleaned


@admin.register(OfficerCertificate)
class OfficerCertificateAdmin(admin.ModelAdmin):
    list_display = ("user", "subject", "issuer", "not_after", "is_active", "added_at")
    list_filter = ("is_active",)
    search_fields = ("user__email", "user__full_name", "subject", "serial", "fingerprint")
    autocomplete_fields = ("user",)
    readonly_fields = ("user", "subject", "issuer", "serial", "fingerprint", "not_before", "not_after", "added_at",
                       "added_by")
    fields = ("user", "subject", "issuer", "serial", "fingerprint", "not_before", "not_after", "is_active",
              "added_at", "added_by")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("user", "certificate") if obj is None else self.fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = OfficerCertificateAddForm
        kwargs["fields"] = ("user",)
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("OfficerCertificateAddFormFor", (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        if change:  # only "in use" can change: a certificate's content never does
            obj.save(update_fields=["is_active"])
        # added: `officer_certificate_add` stored it while the form was checked


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    """The register of what the portal issued, read only: a document is revoked from the page it belongs to
    (the dossier page for a result), never edited."""

    list_display = ("number", "kind", "agency", "issued_at", "signature", "status", "public_id")
    list_filter = ("kind", "status", "signature", "agency")
    search_fields = ("number", "public_id")
    date_hierarchy = "issued_at"
    list_select_related = ("agency",)

    def get_fields(self, request, obj=None):
        # the file is private (no public address): its name only; anyone checks it on the verification page
        return [("stored_file" if f.name == "file" else f.name) for f in self.model._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=gettext_lazy("tệp"))
    def stored_file(self, obj) -> str:
        return obj.file.name

