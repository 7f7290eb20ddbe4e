"""Declarations filled in on the portal (tờ khai điện tử): saved as a draft while the citizen (or the desk, for
a walk-in citizen) types, and, once finished and valid whole, printed in the official layout and attached as
the component's file: no paper form to print, sign and scan, no retyping at the desk.

Who may fill one is who may add a component file to the dossier now (`policies.can_add_attachment`): the
citizen while the dossier is a draft or a supplement is asked for, the desk before reception. A refused
declaration changes nothing; finishing the same data twice makes one file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.validators import display_phone
from core.errors import DomainError
from eforms import prefill
from eforms.data import check_raw, clean_raw, coerce, raw_from
from eforms.printing import printable, render_pdf
from procedures.models import DeclarationForm, RequiredDocument, Requirement
from procedures.text import search_key

from . import attachments, policies
from .components import components_ensure
from .models import Attachment, AttachmentKind, Declaration, DeclarationStatus, Dossier


class DeclarationInvalid(DomainError):
    """A finished declaration that is not valid whole: `errors` by page input name, each naming the field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("declaration_invalid", _("Tờ khai chưa hợp lệ: %s lỗi, xem bên cạnh từng trường.")
                         % len(errors), field="__all__", http_status=400)
        self.errors = errors


def form_of(document: RequiredDocument) -> DeclarationForm | None:
    return DeclarationForm.objects.filter(document=document).first()


def _check(actor: User, dossier: Dossier) -> None:
    attachments.check_add(actor, dossier, AttachmentKind.COMPONENT)


def _locked(dossier: Dossier, document: RequiredDocument, actor: User) -> tuple[Dossier, Declaration | None]:
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _check(actor, locked)
    if document.version_id != locked.procedure_version_id:
        raise DomainError("wrong_document", _("Thành phần này không thuộc thủ tục của hồ sơ."), field="document")
    return locked, Declaration.objects.filter(dossier=locked, document=document).first()


@transaction.atomic
def declaration_save_draft(*, dossier: Dossier, document: RequiredDocument, actor: User, post) -> Declaration:
    """Keep what was typed so far (not checked: a draft may be incomplete)."""
    form = form_of(document)
    if form is None:
        raise DomainError("no_form", _("Thành phần này không có tờ khai điện tử."), field="document", http_status=404)
    locked, declaration = _locked(dossier, document, actor)
    raw = clean_raw(form.form, post)
    if declaration is None:
        declaration = Declaration(dossier=locked, document=document, form=form)
    declaration.raw = raw
    declaration.filled_by = actor
    if declaration.data is None:  # a finished one stays finished (its data, its file) until finished again
        declaration.by_desk = policies.sees_as_staff(actor, locked)
    declaration.save()
    return declaration


@transaction.atomic
def declaration_discard_changes(*, dossier: Dossier, document: RequiredDocument, actor: User) -> Declaration:
    """Drop the changes typed into a finished declaration: it is again exactly as finished (its data, its file)."""
    _dossier, declaration = _locked(dossier, document, actor)
    if declaration is None or declaration.data is None:
        raise DomainError("not_finished", _("Tờ khai chưa hoàn tất lần nào: không có bản để khôi phục."),
                          http_status=409)
    declaration.raw = raw_from(declaration.form.form, declaration.data)
    declaration.filled_by = actor
    declaration.save(update_fields=["raw", "filled_by", "updated_at"])
    return declaration


def has_pending_changes(declaration: Declaration) -> bool:
    """A finished declaration whose typed content now differs from what was finished (and attached)."""
    if declaration.status != DeclarationStatus.DONE or declaration.data is None or not declaration.raw:
        return False
    data, errors = coerce(declaration.form.form, declaration.raw)
    return bool(errors) or data != declaration.data


def require_finished(dossier: Dossier) -> None:
    """Before the dossier is submitted: no declaration left half-changed (the file attached would not say what the
    page shows). Raises a DomainError naming them."""
    pending = [d.document.name for d in dossier.declarations.select_related("form", "document")
               if has_pending_changes(d)]
    if pending:
        raise DomainError("declaration_changed", _(
            "Tờ khai “%s” có thay đổi chưa hoàn tất: hãy mở tờ khai và bấm “Hoàn tất tờ khai”, hoặc “Bỏ các thay "
            "đổi” để nộp bản đã hoàn tất.") % "; ".join(pending), http_status=409)


@dataclass
class Finished:
    declaration: Declaration
    replayed: bool
    cases: tuple[str, ...] = ()  # the conditional components the declaration made apply (they did not before)


def declaration_finish(*, dossier: Dossier, document: RequiredDocument, actor: User, post) -> Finished:
    """Check the declaration whole; print it in the official layout and attach the PDF as the component's file
    (the file of an earlier finish of it is set aside, never deleted). Invalid: `DeclarationInvalid`, nothing
    stored."""
    form = form_of(document)
    if form is None:
        raise DomainError("no_form", _("Thành phần này không có tờ khai điện tử."), field="document", http_status=404)
    raw = clean_raw(form.form, post)
    data, errors = check_raw(form.form, raw)
    if errors:
        raise DeclarationInvalid(errors)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            locked, declaration = _locked(dossier, document, actor)
            if (declaration is not None and declaration.status == DeclarationStatus.DONE
                    and declaration.data == data and declaration.attachment_id):
                if declaration.raw != raw:  # changes typed, then typed back: nothing is left pending
                    declaration.raw, declaration.filled_by = raw, actor
                    declaration.save(update_fields=["raw", "filled_by", "updated_at"])
                return Finished(declaration, True)  # the same declaration finished twice: one file
            by_desk = policies.sees_as_staff(actor, locked)
            pdf = render_pdf(form.form, data, template=form.print_template, context={
                "dossier_code": locked.code or "", "filled_by_desk": by_desk,
                "place": _place(locked),
                # "Kính gửi": the competent agency itself where the official form names it (its kind otherwise)
                "addressee": locked.handling_agency.name if form.layout.get("addressee_from_dossier") else ""})
            name = f"to-khai-{(locked.code or str(locked.pk)).replace('/', '-')}.pdf"
            attachment = attachments.attachment_add(dossier=locked, actor=actor, upload=ContentFile(pdf, name=name),
                                                    document=document)
            stored.append(attachment)
            if declaration is None:
                declaration = Declaration(dossier=locked, document=document, form=form)
            elif declaration.attachment_id:
                Attachment.objects.filter(pk=declaration.attachment_id).update(is_active=False)
            texts = printable(form.form, data)
            declaration.raw, declaration.data, declaration.attachment = raw, data, attachment
            declaration.status, declaration.done_at = DeclarationStatus.DONE, timezone.now()
            declaration.filled_by, declaration.by_desk = actor, by_desk
            cells = (cell for rows in texts["rows"].values() for row in rows for cell in row)
            declaration.search_text = search_key(" ".join([*texts["values"].values(), *cells]))
            declaration.save()
            return Finished(declaration, False, _settle_cases(locked, form.layout, data))
    except BaseException:
        for attachment in stored:  # the transaction rolled back: its file must not stay behind
            attachment.file.storage.delete(attachment.file.name)
        raise


def _settle_cases(dossier: Dossier, layout: dict, data: dict) -> tuple[str, ...]:
    """The conditional components whose case the declaration settles (the layout's `cases`, e.g. the minutes of the
    household's meeting when household members register): each applies when its field holds one of the rule's values,
    and no longer otherwise, unless a file of it is on record (it was handed in, as `components_count_files` counts
    it). Returns the names of those that apply now and did not before."""
    wanted: dict[str, bool] = {}
    for rule in layout.get("cases") or []:
        wanted[rule["document"]] = wanted.get(rule["document"], False) or data.get(rule["field"]) in rule["values"]
    if not wanted:
        return ()
    newly = []
    for row in components_ensure(dossier).values():
        if row.requirement != Requirement.CONDITIONAL or row.name not in wanted:
            continue
        applies = wanted[row.name] or Attachment.objects.filter(
            dossier=dossier, document_id=row.document_id, is_active=True,
            kind__in=(AttachmentKind.COMPONENT, AttachmentKind.SUPPLEMENT)).exists()
        if applies != row.applies:
            row.applies = applies
            row.save(update_fields=["applies"])
            if applies:
                newly.append(row.name)
    return tuple(sorted(newly))


def _place(dossier: Dossier) -> str:
    """Where the declaration is made, for "…, ngày … tháng … năm …": the receiving commune or province."""
    agency = dossier.receiving_agency
    name = agency.short_name or agency.name
    for word in ("UBND ", "Ủy ban nhân dân "):
        name = name.replace(word, "")
    name = name.strip()
    return name[:1].upper() + name[1:]


class _Applicant:
    """The dossier's applicant as a pre-fill source for the desk (never the officer's own account)."""

    is_authenticated = True

    def __init__(self, dossier: Dossier):
        self.full_name = dossier.applicant_name
        self.citizen_id = dossier.applicant_id_number
        self.phone = dossier.applicant_phone
        self.phone_display = display_phone(dossier.applicant_phone) if dossier.applicant_phone else ""
        self.email = dossier.applicant_email
        self.address = dossier.applicant_address


def initial_raw(*, dossier: Dossier, document: RequiredDocument, user: User, declaration: Declaration | None,
                form: DeclarationForm) -> dict:
    """What the page starts with: the declaration as last saved, else values pre-filled from the citizen's account
    and document store (from the dossier's applicant details when the desk fills it in)."""
    if declaration is not None and declaration.data is not None and declaration.filled_by_id != user.pk:
        return raw_from(form.form, declaration.data)  # as finished, never someone else's unfinished changes
    if declaration is not None and (declaration.raw or declaration.data):
        return declaration.raw or raw_from(form.form, declaration.data or {})
    if policies.is_applicant(user, dossier):
        return prefill.initial(form.form, user)
    return prefill.initial(form.form, _Applicant(dossier))
