from rest_framework.routers import DefaultRouter

from .api import ProcedureViewSet, VersionViewSet

router = DefaultRouter(trailing_slash=True)
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("procedure-versions", VersionViewSet, basename="procedure-version")

urlpatterns = router.urls
