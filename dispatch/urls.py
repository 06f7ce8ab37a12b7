"""dispatch's API routes, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from dispatch import api

router = SimpleRouter()
router.register("areas", api.ServiceAreaViewSet, basename="area")
router.register("services", api.ServiceItemViewSet, basename="service")
router.register("workers", api.WorkerViewSet, basename="worker")
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("residents", api.ResidentViewSet, basename="resident")
# intakes/ is followup's: a home visit booked at intake is scheduled as a visit there.

urlpatterns = router.urls
