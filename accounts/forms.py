from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import access, policies
from .models import Agency, Role
from .services import password_set_email_send
from .validators import normalize_phone, validate_citizen_id


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email hoặc số điện thoại"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )
    error_messages = {
        "invalid_login": _("Email/số điện thoại hoặc mật khẩu không đúng. Lưu ý: sai 5 lần liên tiếp, tài khoản "
                           "sẽ bị tạm khoá 15 phút."),
        "inactive": _("Tài khoản này đã bị khoá. Vui lòng liên hệ quản trị viên."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_verified and not access.is_staff_member(user) and not access.is_unrestricted(user):
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Bạn chưa xác thực địa chỉ email. Hãy mở thư chúng tôi đã gửi, hoặc"),
                    reverse("accounts:resend_verification"),
                    _("gửi lại thư xác thực"),
                ),
                code="unverified",
            )


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0912 345 678"}),
    )
    citizen_id = forms.CharField(
        label=_("Số CCCD (không bắt buộc)"), max_length=12, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{12}"}),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The same validators as the model and the service, so every mistake shows at once.
    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        return normalize_phone(phone) if phone else ""

    def clean_citizen_id(self):
        citizen_id = self.cleaned_data.get("citizen_id", "").strip()
        if citizen_id:
            validate_citizen_id(citizen_id)
        return citizen_id

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        return data


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("Email đã đăng ký"))


class PortalPasswordResetForm(PasswordResetForm):
    """Sends the reset link through the portal's delivery log (notifications), not directly."""

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            password_set_email_send(user=user)


class StaffCreateForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Email công vụ"))
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(
            pk__in=policies.administered_agency_ids(actor)
        ).order_by("code")


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name", "short_name", "address", "hotline", "email", "head_title",
            "morning_start", "morning_end", "afternoon_start", "afternoon_end", "reception_cutoff",
        ]
        widgets = {
            f: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for f in ("morning_start", "morning_end", "afternoon_start", "afternoon_end", "reception_cutoff")
        }
