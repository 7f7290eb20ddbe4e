"""Every write on the catalogue. A published version is immutable: a change is a new draft,
and publishing the draft retires the version in force from the draft's effective date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from eforms.definition import case_problems
from eforms.definition import check as check_definition
from eforms.printing import template_exists
from workcalendar.units import DurationUnit

from . import policies
from .models import (
    AnywhereOverride,
    ChannelOption,
    DeclarationForm,
    FeeItem,
    Field,
    InternalStep,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)

HOURS_PER_DAY = Decimal(8)  # Labour Code 2019 Art. 105: eight working hours a day

VERSION_FIELDS = (
    "decision_number", "decision_date", "effective_from", "effective_to", "steps", "applicants", "conditions",
    "result", "result_kind", "competent_agency", "implementing_agencies", "coordinating_agencies", "legal_bases",
    "online_level", "postal_submission", "postal_return", "supplement_policy", "extension_allowed", "anywhere",
    "source",
)


def require_catalogue_admin(actor: User | None) -> None:
    """Only administrators edit the catalogue (the command line passes actor=None: trusted)."""
    if actor is None:
        return
    if not policies.can_edit_catalogue(actor):
        raise PermissionDenied(_("Chỉ quản trị viên mới được sửa danh mục thủ tục hành chính."))


def allotment_error(time_limit: Decimal, unit: str, hours: list[Decimal]) -> str | None:
    """The internal steps' working hours must fit the channel's legal time limit."""
    if not hours:
        return None
    total = sum(hours, Decimal(0))
    limit = Decimal(time_limit)
    shown = f"{total.normalize():f}"
    if unit == DurationUnit.WORKING_DAYS:
        if limit == 0:
            if total > HOURS_PER_DAY:
                return _("Thủ tục giải quyết trong ngày: tổng thời gian các bước (%s giờ) không được quá 8 giờ.") % (
                    shown)
            return None
        expected = limit * HOURS_PER_DAY
        if total != expected:
            return _("Tổng thời gian các bước là %(total)s giờ, phải bằng thời hạn %(days)s ngày làm việc × 8 = "
                     "%(expected)s giờ.") % {"total": shown, "days": f"{limit.normalize():f}",
                                            "expected": f"{expected.normalize():f}"}
    elif unit == DurationUnit.WORKING_HOURS:
        if total != limit:
            return _("Tổng thời gian các bước là %(total)s giờ, phải bằng thời hạn %(limit)s giờ làm việc.") % {
                "total": shown, "limit": f"{limit.normalize():f}"}
    elif total > limit * HOURS_PER_DAY:
        return _("Tổng thời gian các bước (%(total)s giờ) vượt thời hạn %(days)s ngày.") % {
            "total": shown, "days": f"{limit.normalize():f}"}
    return None


def version_problems(version: ProcedureVersion) -> list[str]:
    """Everything that stops a version from being published (Vietnamese, one line each)."""
    problems = []
    if not version.decision_number.strip():
        problems.append(_("Thiếu số quyết định công bố."))
    if not version.effective_from:
        problems.append(_("Thiếu ngày bắt đầu hiệu lực."))
    channels = list(version.channels.prefetch_related("steps"))
    if not channels:
        problems.append(_("Cần ít nhất một cách thức thực hiện (trực tiếp, trực tuyến hoặc bưu chính)."))
    for channel in channels:
        if channel.unit != DurationUnit.WORKING_HOURS and channel.time_limit != int(channel.time_limit):
            problems.append(_("%(channel)s: thời hạn tính bằng ngày phải là số nguyên.")
                            % {"channel": channel.get_channel_display()})
        error = allotment_error(channel.time_limit, channel.unit, [s.hours for s in channel.steps.all()])
        if error:
            problems.append(f"{channel.get_channel_display()}: {error}")
    if not version.documents.exists():
        problems.append(_("Cần liệt kê thành phần hồ sơ."))
    return problems


def _next_number(procedure: Procedure) -> int:
    last = procedure.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def procedure_create(
    *, actor: User | None, code: str, name: str, field: Field, level: str, keywords: str = "",
) -> Procedure:
    require_catalogue_admin(actor)
    procedure = Procedure(code=(code or "").strip(), name=" ".join((name or "").split()), field=field, level=level,
                          keywords=keywords)
    _full_clean(procedure)
    procedure.search_text = procedure.build_search_text()
    procedure.save()
    return procedure


@transaction.atomic
def procedure_update(*, actor: User | None, procedure: Procedure, **changes) -> Procedure:
    require_catalogue_admin(actor)
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    for key, value in changes.items():
        if key not in ("name", "field", "level", "keywords"):
            raise DomainError("unknown_field", _("Không được sửa trường %s của thủ tục.") % key)
        setattr(procedure, key, value)
    _full_clean(procedure)
    procedure.search_text = procedure.build_search_text()
    procedure.save()
    return procedure


@transaction.atomic
def version_create_draft(*, actor: User | None, procedure: Procedure, **data) -> ProcedureVersion:
    require_catalogue_admin(actor)
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    unknown = set(data) - set(VERSION_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("Trường không hợp lệ: %s.") % ", ".join(sorted(unknown)))
    version = ProcedureVersion(procedure=procedure, number=_next_number(procedure), status=VersionStatus.DRAFT, **data)
    _full_clean(version, exclude=["procedure"])
    version.save()
    return version


@transaction.atomic
def version_update_draft(*, actor: User | None, version: ProcedureVersion, **changes) -> ProcedureVersion:
    require_catalogue_admin(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise DomainError("version_immutable", _("Phiên bản đã công bố không được sửa; hãy tạo bản nháp mới."),
                          http_status=409)
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("Trường không hợp lệ: %s.") % ", ".join(sorted(unknown)))
    for key, value in changes.items():
        setattr(version, key, value)
    _full_clean(version)
    version.save()
    return version


@transaction.atomic
def version_new_draft_from(*, actor: User | None, version: ProcedureVersion, decision_number: str) -> ProcedureVersion:
    """Editing a published version: copy it (channels, fees, steps, documents) into a new draft."""
    require_catalogue_admin(actor)
    source = ProcedureVersion.objects.select_related("procedure").get(pk=version.pk)
    if source.procedure.versions.filter(decision_number__iexact=decision_number.strip()).exists():
        raise DomainError("decision_taken", _("Thủ tục đã có phiên bản theo quyết định %s.") % decision_number,
                          field="decision_number")
    data = {f: getattr(source, f) for f in VERSION_FIELDS}
    data.update(decision_number=decision_number.strip(), effective_from=None, effective_to=None, decision_date=None)
    draft = version_create_draft(actor=actor, procedure=source.procedure, **data)
    draft.agencies.set(source.agencies.all())
    for channel in source.channels.prefetch_related("fees", "steps"):
        copy = ChannelOption.objects.create(version=draft, channel=channel.channel, time_limit=channel.time_limit,
                                            unit=channel.unit, time_limit_text=channel.time_limit_text,
                                            description=channel.description)
        for f in channel.fees.all():
            item = FeeItem.objects.create(channel=copy, name=f.name, amount=f.amount, description=f.description,
                                          exemptions=f.exemptions, refundable=f.refundable)
            item.allowed_exemptions.set(f.allowed_exemptions.all())
        InternalStep.objects.bulk_create([InternalStep(channel=copy, order=s.order, step=s.step, name=s.name,
                                                       responsible=s.responsible, hours=s.hours)
                                          for s in channel.steps.all()])
    for d in source.documents.select_related("eform"):
        copy = RequiredDocument.objects.create(
            version=draft, order=d.order, name=d.name, template_name=d.template_name,
            template_file=d.template_file.name, originals=d.originals, copies=d.copies,
            requirement=d.requirement, condition=d.condition, file_types=d.file_types, note=d.note)
        form = getattr(d, "eform", None)
        if form is not None:  # the declaration form goes with its component; the copy may be changed
            DeclarationForm.objects.create(document=copy, schema=form.schema, layout=form.layout,
                                           print_template=form.print_template,
                                           official_template=form.official_template)
    return draft


@transaction.atomic
def version_publish(*, actor: User | None, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft; the version in force until then ends the day before the draft takes effect."""
    require_catalogue_admin(actor)
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise DomainError("not_draft", _("Chỉ công bố được bản nháp."), http_status=409)
    problems = version_problems(version)
    if problems:
        raise DomainError("version_incomplete", " ".join(problems))
    start = version.effective_from
    others = list(procedure.versions.select_for_update().exclude(pk=version.pk)
                  .exclude(status=VersionStatus.DRAFT).order_by("effective_from"))
    for other in others:
        if other.effective_from and other.effective_from >= start:
            raise DomainError(
                "overlapping_effective_dates",
                _("Ngày hiệu lực %(start)s trùng hoặc trước phiên bản %(n)s (hiệu lực từ %(other)s).")
                % {"start": f"{start:%d/%m/%Y}", "n": other.number, "other": f"{other.effective_from:%d/%m/%Y}"},
                field="effective_from",
            )
    if version.effective_to and version.effective_to < start:
        raise DomainError("effective_order", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
    for other in others:
        if other.effective_to is None or other.effective_to >= start:
            other.effective_to = start - dt.timedelta(days=1)
            other.status = VersionStatus.RETIRED
            other.save(update_fields=["effective_to", "status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


@transaction.atomic
def version_retire(*, actor: User | None, version: ProcedureVersion, effective_to: dt.date) -> ProcedureVersion:
    """Withdraw a published version (the procedure is abolished) from a date on."""
    require_catalogue_admin(actor)
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError("not_published", _("Chỉ bãi bỏ được phiên bản đang áp dụng."), http_status=409)
    if effective_to < version.effective_from:
        raise DomainError("effective_order", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
    version.effective_to = effective_to
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["effective_to", "status"])
    return version


@transaction.atomic
def anywhere_override_create(
    *, actor: User | None, province, procedure: Procedure, receivable: bool, decision_number: str,
    effective_from: dt.date, note: str = "",
) -> AnywhereOverride:
    """Record the province's decision putting a procedure on, or taking it off, its list of procedures received
    regardless of administrative boundaries from `effective_from` on (Decree 118/2025/NĐ-CP). A later decision
    is a new row with a later date: the rows are the history, and procedures.anywhere reads the one in force."""
    require_catalogue_admin(actor)
    override = AnywhereOverride(province=province, procedure=procedure, receivable=receivable,
                                decision_number=" ".join((decision_number or "").split()),
                                effective_from=effective_from, note=(note or "").strip())
    _full_clean(override)
    override.save()
    return override


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError("invalid", " ".join(f"{m}" for m in messages),
                          field=None if field == "__all__" else field) from None


def declaration_form_problems(*, schema, layout, print_template: str = "generic", documents: dict[str, str],
                              own: str) -> list[str]:
    """Every problem of a declaration form definition (empty: usable), each naming the field; `documents` are the
    components of its procedure version ({name: requirement}), `own` the name of the form's own component."""
    problems = check_definition(schema, layout)
    if not problems:
        problems = case_problems(layout, documents, own)
    if not template_exists(print_template):
        problems.append(_("Mẫu in “%s” không có.") % print_template)
    return problems


@transaction.atomic
def declaration_form_save(*, actor: User | None, document: RequiredDocument, schema, layout,
                          print_template: str = "generic", official_template: str = "") -> DeclarationForm:
    """Create or change the declaration form of a component of a draft version. A published version's form never
    changes (its dossiers were filled with it); an invalid definition is refused whole, every problem named."""
    require_catalogue_admin(actor)
    document = RequiredDocument.objects.select_related("version").get(pk=document.pk)
    ProcedureVersion.objects.select_for_update().get(pk=document.version_id)
    if not document.version.is_editable:
        raise DomainError("form_published", _("Tờ khai của phiên bản đã công bố không được sửa: hãy tạo phiên bản "
                                              "mới từ phiên bản này rồi sửa tờ khai của bản nháp."), http_status=409)
    documents = dict(document.version.documents.values_list("name", "requirement"))
    problems = declaration_form_problems(schema=schema, layout=layout, print_template=print_template,
                                         documents=documents, own=document.name)
    if problems:
        raise DomainError("invalid_form_definition", "\n".join(problems), field="schema")
    form, _created = DeclarationForm.objects.update_or_create(document=document, defaults={
        "schema": schema, "layout": layout, "print_template": print_template,
        "official_template": official_template or ""})
    return form
