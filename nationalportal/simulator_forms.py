"""The simulator's filing form (what a citizen fills in on the national portal)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_citizen_id, validate_phone

MAX_FEE = 10_000_000_000  # intake.SCHEMA's limit


class FileForm(forms.Form):
    version = forms.TypedChoiceField(label=_("Thủ tục"), coerce=int, empty_value=None)
    agency = forms.ChoiceField(label=_("Nộp tại (Bộ phận Một cửa)"))
    applicant_name = forms.CharField(label=_("Họ tên người nộp"), max_length=255)
    applicant_id_number = forms.CharField(label=_("Số CCCD"), max_length=12, validators=[validate_citizen_id],
                                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                        "autocomplete": "off"}))
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20, validators=[validate_phone],
                                      widget=forms.TextInput(attrs={"inputmode": "tel"}))
    applicant_email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    applicant_commune = forms.CharField(label=_("Xã, phường nơi cư trú"), max_length=120, required=False)
    vneid_verified = forms.BooleanField(label=_("Đã xác thực VNeID"), required=False)
    fees_paid = forms.IntegerField(label=_("Phí, lệ phí đã nộp trên Cổng (đồng)"), min_value=0, max_value=MAX_FEE,
                                   initial=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    cases = forms.TypedMultipleChoiceField(
        label=_("Người nộp thuộc trường hợp (nộp thêm giấy tờ)"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}))

    field_order = ["version", "agency", "applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                   "applicant_commune", "vneid_verified", "fees_paid", "cases"]

    def __init__(self, *args, versions, desks, conditional, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(v.pk, f"{v.procedure.code} — {v.procedure.name}") for v in versions]
        self.fields["agency"].choices = [(a.code, a.name) for a in desks]
        self.fields["cases"].choices = [(row["document"].pk, f"{row['document'].condition or row['document'].name} — "
                                                              f"{row['document'].name}") for row in conditional]
        if not conditional:
            del self.fields["cases"]

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {"name": " ".join(data["applicant_name"].split()), "id_number": data["applicant_id_number"],
                "phone": data["applicant_phone"].strip(), "email": data.get("applicant_email", ""),
                "commune": data.get("applicant_commune", "").strip(), "vneid_verified": data["vneid_verified"]}
