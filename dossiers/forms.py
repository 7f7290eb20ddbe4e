from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from accounts.validators import normalize_phone
from procedures.models import Channel

from .models import ApplicantKind, ReturnChannel
from .transition_inputs import id_number_problem


class ApplicantForm(forms.Form):
    applicant_kind = forms.ChoiceField(label=_("Người nộp là"), choices=ApplicantKind.choices,
                                       initial=ApplicantKind.PERSON)
    applicant_name = forms.CharField(label=_("Họ tên / tên tổ chức"), max_length=255)
    applicant_id_number = forms.CharField(label=_("Số CCCD / mã số thuế"), max_length=20, required=False)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("Email nhận thông báo"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ (số nhà, đường, thôn/tổ)"), max_length=255, required=False)
    applicant_commune = forms.CharField(label=_("Xã, phường"), max_length=120, required=False)
    representative_name = forms.CharField(label=_("Người được ủy quyền (nếu có)"), max_length=255, required=False)
    representative_id_number = forms.CharField(label=_("CCCD người được ủy quyền"), max_length=20, required=False)

    def clean_applicant_phone(self):
        phone = self.cleaned_data.get("applicant_phone", "").strip()
        return normalize_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        problem = id_number_problem(data.get("applicant_kind"), data.get("applicant_id_number"))
        if problem:
            self.add_error("applicant_id_number", problem)
        return data

    def applicant(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k.startswith(("applicant_", "representative_"))}


class StartForm(ApplicantForm):
    agency = forms.ModelChoiceField(label=_("Nộp tại"), queryset=Agency.objects.none(),
                                    empty_label=_("— Chọn Bộ phận Một cửa —"))
    return_channel = forms.ChoiceField(label=_("Nhận kết quả"), choices=ReturnChannel.choices,
                                       initial=ReturnChannel.ONLINE)
    cases = forms.TypedMultipleChoiceField(
        label=_("Trường hợp của Ông/Bà"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text=_("Đánh dấu các trường hợp đúng với Ông/Bà: giấy tờ tương ứng sẽ phải nộp. Có thể sửa lại trước "
                    "khi nộp hồ sơ."))

    returning_agency = forms.ModelChoiceField(
        label=_("Nhận kết quả tại Bộ phận Một cửa"), queryset=Agency.objects.none(), required=False,
        empty_label=_("Nơi nộp hồ sơ"),
        help_text=_("Thủ tục thuộc danh mục tiếp nhận, trả kết quả không phụ thuộc địa giới hành chính: khi nhận tại "
                    "quầy, Ông/Bà có thể chọn bất kỳ Bộ phận Một cửa nào trong tỉnh."))

    field_order = ["agency", "return_channel", "returning_agency"]

    def __init__(self, *args, agencies, conditional=(), returning=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if returning is not None:
            self.fields["returning_agency"].queryset = returning
            # asked only when the result is collected at a desk (declaration.js hides it otherwise; the view
            # ignores it then)
            self.fields["returning_agency"].show_if = ("return_channel", ReturnChannel.DESK.value)
        else:
            del self.fields["returning_agency"]
        if conditional:
            self.fields["cases"].choices = [(d.pk, f"{d.condition} — {d.name}") for d in conditional]
        else:
            del self.fields["cases"]


class DeskForm(ApplicantForm):
    """The desk page's form. It renders every field but checks only what the page picks from its own lists
    (the procedure and the agency): the rest is `transition_inputs.DeskCreateInput`'s, as for the API, and its
    errors are shown on these fields by the page."""

    checked = ("version", "agency")

    version = forms.ChoiceField(label=_("Thủ tục"))
    agency = forms.ModelChoiceField(label=_("Cơ quan tiếp nhận"), queryset=Agency.objects.none())
    channel = forms.ChoiceField(label=_("Hình thức nộp"), choices=[(Channel.IN_PERSON, _("Trực tiếp")),
                                                                  (Channel.POSTAL, _("Dịch vụ bưu chính"))])
    return_channel = forms.ChoiceField(label=_("Nhận kết quả"), choices=ReturnChannel.choices,
                                       initial=ReturnChannel.DESK)
    handling_agency = forms.ChoiceField(
        label=_("Cơ quan có thẩm quyền giải quyết"), required=False,
        help_text=_("Đề xuất theo thủ tục và địa chỉ người nộp. Cơ quan khác nơi tiếp nhận chỉ với thủ tục thuộc danh "
                    "mục tiếp nhận không phụ thuộc địa giới hành chính của tỉnh: hồ sơ được số hóa và chuyển đi."))
    returning_agency = forms.ChoiceField(label=_("Nhận kết quả tại Bộ phận Một cửa"), required=False,
                                         help_text=_("Người nộp chọn nơi nhận kết quả (khi nhận tại quầy)."))

    field_order = ["version", "agency", "handling_agency", "channel", "return_channel", "returning_agency"]

    def __init__(self, *args, agencies, versions, competent=(), returning=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["version"].choices = [("", "—")] + [(v.pk, f"{v.procedure.code} — {v.procedure.name}")
                                                        for v in versions]
        self.fields["handling_agency"].choices = [("", _("Cơ quan tiếp nhận"))] + [(a.code, a.name) for a in competent]
        self.fields["returning_agency"].choices = [("", _("Nơi tiếp nhận"))] + [(a.code, a.name) for a in returning]

    def full_clean(self):
        every = self.fields
        self.fields = {name: field for name, field in every.items() if name in self.checked}
        try:
            super().full_clean()
        finally:
            self.fields = every

    def clean(self):
        return self.cleaned_data  # the applicant's rules are DeskCreateInput's


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": "H21.65-260302-0001", "autocomplete": "off"}))
    pin = forms.CharField(label=_("Mã tra cứu (PIN)"), max_length=6, min_length=6,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
