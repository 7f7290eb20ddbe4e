from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify_email"),
    path("verify/resend/", views.resend_verification, name="resend_verification"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url="/accounts/me/"
        ),
        name="password_change",
    ),
    path("me/", views.profile, name="profile"),
]

workspace_urlpatterns = [
    path("agencies/", views.agency_directory, name="agency_directory"),
    path("workspace/agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("workspace/agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("workspace/staff/", views.staff_manage, name="staff_manage"),
    path("workspace/staff/roles/<int:pk>/revoke/", views.staff_role_revoke, name="staff_role_revoke"),
    path("workspace/<str:role>/", views.workspace, name="workspace"),  # last: it matches any word
]
