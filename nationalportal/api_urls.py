from django.urls import path

from . import views

# Mounted under /api/ (the national portal, or the integration platform, calls these; signed, no session).
urlpatterns = [
    path("national-portal/dossiers/", views.intake_endpoint, name="national-intake"),
    path("national-portal/files/<str:token>/", views.signed_file, name="national-file"),
    path("national-portal/dossiers/<str:national_code>/supplements/", views.supplement_endpoint,
         name="national-supplement"),
    path("national-portal/dossiers/<str:national_code>/", views.intake_status, name="national-intake-status"),
]
