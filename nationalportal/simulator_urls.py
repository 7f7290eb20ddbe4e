from django.urls import path

from . import simulator_views as views

app_name = "nationalportal_simulator"

# Mounted under /gia-lap/cong-dvc-quoc-gia/ (NATIONAL_PORTAL_SIMULATOR only: else every address is a 404). The
# API answers nationalportal.client at NATIONAL_PORTAL_API_URL = SITE_URL + "/gia-lap/cong-dvc-quoc-gia/api".
urlpatterns = [
    path("", views.home, name="home"),
    path("nop-ho-so/", views.file_page, name="file"),
    path("api/dossiers/", views.api_list, name="api_list"),
    path("api/dossiers/new/", views.api_new, name="api_new"),
    path("api/dossiers/<str:national_code>/", views.api_one, name="api_one"),
]
