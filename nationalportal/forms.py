"""The administrator's mapping form: a version's national procedure code and each component's national
document type (a field left empty keeps the current value or the proposal). It only collects the values;
`mapping.map_version` checks and stores them (its DomainError names the field: "national_procedure_code" or
"types.<component id>", the names of this form's fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import mapping
from .models import DocumentTypeMapping, VersionMapping

CODE_MAX = VersionMapping._meta.get_field("national_procedure_code").max_length
TYPE_MAX = DocumentTypeMapping._meta.get_field("national_type").max_length


class VersionMappingForm(forms.Form):
    national_procedure_code = forms.CharField(
        label=_("Mã thủ tục trên Cổng DVC quốc gia"), max_length=CODE_MAX, required=False,
        help_text=_("Mã trong Cơ sở dữ liệu quốc gia về thủ tục hành chính (ví dụ 1.001193); để trống: mã thủ "
                    "tục trong danh mục."))

    def __init__(self, *args, version, rows: list[dict], **kwargs):
        """`rows`: mapping.document_types(version). Prefilled with the current mapping, else the proposals
        (the procedure's code, "TP<order>")."""
        current = getattr(version, "national_mapping", None)
        initial = {"national_procedure_code": current.national_procedure_code if current else version.procedure.code}
        for row in rows:
            document = row["document"]
            initial[self.type_field(document.pk)] = row["national_type"] or mapping.default_type(document)
        super().__init__(*args, initial=initial, **kwargs)
        for row in rows:
            document = row["document"]
            self.fields[self.type_field(document.pk)] = forms.CharField(
                label=f"{document.order}. {document.name}", max_length=TYPE_MAX, required=False,
                help_text=gettext("%(kind)s · mã đề xuất: %(proposal)s") % {
                    "kind": document.get_requirement_display(), "proposal": mapping.default_type(document)})

    @staticmethod
    def type_field(document_id: int) -> str:
        return f"types.{document_id}"

    def types(self) -> dict[int, str]:
        """{component id: national type} from the cleaned data."""
        prefix = self.type_field("")
        return {int(name[len(prefix):]): value for name, value in self.cleaned_data.items() if name.startswith(prefix)}
