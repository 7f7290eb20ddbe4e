from csp.constants import NONCE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.urls import workspace_urlpatterns
from portal.health import healthz

# Under /api/ Django's own 400/404/500 answers are JSON error bodies too (core.api.ErrorSerializer).
handler400 = "core.api.bad_request"
handler404 = "core.api.page_not_found"
handler500 = "core.api.server_error"

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("xac-minh/", include("signing.urls")),  # public: what the QR code on an issued document opens
    path("lien-thong/cong-quoc-gia/doi-soat/", include("nationalportal.reconcile_urls")),
    path("lien-thong/cong-quoc-gia/", include("nationalportal.admin_urls")),  # the administrator's page
    path("gia-lap/cong-dvc-quoc-gia/", include("nationalportal.simulator_urls")),  # NATIONAL_PORTAL_SIMULATOR only
    path("ho-so/dong-bo/", include("nationalportal.urls")),  # the stand-in receiver, under /ho-so/ as before
    path("ho-so/", include("dossiers.urls")),
    path("thanh-toan/", include("payments.urls")),
    path("kho-du-lieu/", include("docstore.urls")),
    path("chi-so/", include("parindex.urls")),
    path("thong-bao/", include("notifications.urls")),
    path("danh-gia/", include("satisfaction.urls")),
    path("phan-anh/", include("feedback.urls")),
    path("xep-hang/", include("queueing.urls")),
    path("api/", include("nationalportal.api_urls")),
    path("api/", include("procedures.api_urls")),
    path("api/", include("dossiers.api_urls")),
    path("", include((workspace_urlpatterns, "workspace"))),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script is inline (it carries the schema URL and CSRF token): it runs under a
    # nonce on this page only; its CSS draws icons from data: URIs. The global policy stays strict.
    path("api/docs/", csp_update({"script-src": [NONCE], "img-src": ["data:"]})(SpectacularSwaggerView.as_view(
        url_name="api-schema", template_name="api/swagger_ui.html")), name="api-docs"),
]
