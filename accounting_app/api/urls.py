"""URLs of the accounting API, mounted at ``/api/v1/accounting/``."""

from rest_framework.routers import SimpleRouter

from accounting_app.api.views import ConnectionViewSet, DocumentViewSet

router = SimpleRouter()
router.register("connections", ConnectionViewSet, basename="accounting-connection")
router.register("documents", DocumentViewSet, basename="accounting-document")

urlpatterns = router.urls
