"""API v1: one router; each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from cases.api import CaseViewSet, ChildViewSet, ConcernViewSet

router = DefaultRouter()
router.register("children", ChildViewSet, basename="child")
router.register("cases", CaseViewSet, basename="case")
router.register("concerns", ConcernViewSet, basename="concern")

urlpatterns = router.urls
