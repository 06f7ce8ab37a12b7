"""workorders' API routes, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from workorders import api

router = SimpleRouter()
router.register("orders", api.OrderViewSet, basename="order")

urlpatterns = router.urls
