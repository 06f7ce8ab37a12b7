"""dispatch's API routes, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from dispatch import api

router = SimpleRouter()
router.register("areas", api.ServiceAreaViewSet, basename="area")
router.register("services", api.ServiceItemViewSet, basename="service")
router.register("workers", api.WorkerViewSet, basename="worker")
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("residents", api.ResidentViewSet, basename="resident")
router.register("intakes", api.IntakeViewSet, basename="intake")

urlpatterns = router.urls
