from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import DossierViewSet, attachment_download, track

router = DefaultRouter(trailing_slash=True)
router.register("dossiers", DossierViewSet, basename="dossier")

urlpatterns = [
    path("dossiers/track/", track, name="dossier-track"),
    path("attachments/<int:pk>/download/", attachment_download, name="attachment-download"),
    *router.urls,
]
