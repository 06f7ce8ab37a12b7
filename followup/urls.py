"""followup's API routes, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from followup import api

router = SimpleRouter()
# followups/calls/ before followups/: the queue's detail route takes only digits anyway.
router.register("followups/calls", api.FollowUpCallViewSet, basename="followup-call")
router.register("followups", api.FollowUpViewSet, basename="followup")
router.register("escalations", api.EscalationViewSet, basename="escalation")
router.register("spot-checks", api.SpotCheckViewSet, basename="spot-check")
router.register("visits", api.PeriodicVisitViewSet, basename="visit")
router.register("intakes", api.IntakeViewSet, basename="intake")

urlpatterns = router.urls
