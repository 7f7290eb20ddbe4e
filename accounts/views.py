from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, add_to_form

from . import access, policies, selectors, services
from .backends import find_user
from .context_processors import QUEUE_NAV_ROLES, ROLE_NAV, role_url
from .forms import (
    AgencyForm,
    LoginForm,
    PortalPasswordResetForm,
    RegistrationForm,
    ResendVerificationForm,
    StaffCreateForm,
)
from .models import Role


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Staff go straight to the workspace of their first role; citizens to the home page."""
        roles = access.roles_of(self.request.user)
        if policies.works_on_dossiers(self.request.user):
            try:
                return reverse("dossiers:worklist")  # their daily work
            except NoReverseMatch:
                pass
        for role, _label, _name, _kwargs in ROLE_NAV:
            if role in roles:
                return reverse("workspace:workspace", kwargs={"role": role})
        return super().get_default_redirect_url()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The link arrived in the mailbox: the address is proven.
        user = form.user
        if not user.email_verified_at:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        return response


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.citizen_register(
                email=data["email"], full_name=data["full_name"], password=data["password1"],
                phone=data["phone"], citizen_id=data["citizen_id"],
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            request.session["registered_email"] = user.email
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request):
    return render(request, "accounts/register_done.html", {"email": request.session.get("registered_email")})


def verify_email(request, uidb64: str, token: str):
    try:
        services.user_verify_email(uidb64=uidb64, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:resend_verification")
    messages.success(request, _("Email đã được xác thực. Bạn có thể đăng nhập."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def resend_verification(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = find_user(form.cleaned_data["email"])
        if user is not None and not user.email_verified:
            services.verification_email_send(user=user)
        # The same answer whether or not the address exists: no account enumeration.
        messages.info(request, _("Nếu email này đã đăng ký và chưa xác thực, thư xác thực mới đã được gửi."))
        return redirect("accounts:login")
    return render(request, "accounts/resend_verification.html", {"form": form})


@login_required
def profile(request):
    roles = selectors.staff_role_list(request.user)
    return render(request, "accounts/profile.html", {"roles": roles})


def agency_directory(request):
    return render(request, "accounts/agency_directory.html", {"agencies": selectors.agency_public_list()})


@login_required
def workspace(request, role: str):
    if not policies.can_open_workspace(request.user, role):
        raise PermissionDenied(_("Bạn không có vai trò này."))
    if role in QUEUE_NAV_ROLES:
        target = role_url(role)
        if target != request.path:  # the role's own queue of dossiers
            return redirect(target)
    if policies.workspace_lists_scope(role):
        agencies = selectors.agency_list_for(request.user)
    else:
        agencies = selectors.roles_by_agency(request.user, role)
    return render(
        request, "accounts/workspace.html",
        {"role": role, "role_label": Role(role).label, "agencies": agencies},
    )


@login_required
def agency_detail(request, pk: int):
    agency = access.access_agency(request.user, pk)
    can_edit = policies.can_administer_agency(request.user, pk)
    return render(
        request, "accounts/agency_detail.html",
        {"agency": agency, "staff": selectors.agency_staff(agency), "can_edit": can_edit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request, pk: int):
    agency = access.access_agency(request.user, pk)
    if not policies.can_administer_agency(request.user, pk):
        raise PermissionDenied(_("Bạn chỉ được xem, không được thay đổi thông tin cơ quan này."))
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            services.agency_update(actor=request.user, agency_pk=pk, **changes)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin cơ quan."))
            return redirect("workspace:agency_detail", pk=pk)
    return render(request, "accounts/agency_edit.html", {"agency": agency, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_manage(request):
    if not policies.can_manage_staff(request.user):
        raise PermissionDenied(_("Chỉ quản trị viên mới được quản lý cán bộ."))
    form = StaffCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_create(
                actor=request.user, email=data["email"], full_name=data["full_name"], phone=data["phone"],
                agency=data["agency"], role=data["role"],
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, _("Đã tạo tài khoản cho %(name)s; thư đặt mật khẩu đã được gửi tới %(email)s.")
                % {"name": user.full_name, "email": user.email},
            )
            return redirect("workspace:staff_manage")
    return render(
        request, "accounts/staff_manage.html",
        {"form": form, "staff_roles": selectors.staff_roles_administered_by(request.user)},
    )


@login_required
@require_http_methods(["POST"])
def staff_role_revoke(request, pk: int):
    staff_role = selectors.staff_role_administered_get(request.user, pk)
    if staff_role is None:
        raise Http404(_("Không tìm thấy vai trò."))
    try:
        services.staff_role_revoke(actor=request.user, staff_role=staff_role)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thu hồi vai trò."))
    return redirect("workspace:staff_manage")
