from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from config import health
from config.auth_api import RevokeTokenView
from dispatch import views as dispatch_views
from dispatch.api import (
    IntakeViewSet,
    PartnerViewSet,
    ResidentViewSet,
    ServiceAreaViewSet,
    ServiceItemViewSet,
    WorkerViewSet,
)
from followup.api import (
    EscalationViewSet,
    FollowUpCallViewSet,
    FollowUpViewSet,
    PeriodicVisitViewSet,
    SpotCheckViewSet,
)
from realtime.api import EventsView
from workorders.api import OrderViewSet
from workorders.board import AssignSuggestionsView, BoardSnapshotView

router = DefaultRouter()
router.register("areas", ServiceAreaViewSet, basename="area")
router.register("services", ServiceItemViewSet, basename="service")
router.register("workers", WorkerViewSet, basename="worker")
router.register("partners", PartnerViewSet, basename="partner")
router.register("residents", ResidentViewSet, basename="resident")
router.register("intakes", IntakeViewSet, basename="intake")
router.register("orders", OrderViewSet, basename="order")
# followups/calls/ before followups/: the queue's detail route takes only digits anyway.
router.register("followups/calls", FollowUpCallViewSet, basename="followup-call")
router.register("followups", FollowUpViewSet, basename="followup")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("spot-checks", SpotCheckViewSet, basename="spot-check")
router.register("visits", PeriodicVisitViewSet, basename="visit")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/v1/auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("api/v1/board/", BoardSnapshotView.as_view(), name="board-snapshot"),
    path("api/v1/board/orders/<int:pk>/suggestions/", AssignSuggestionsView.as_view(), name="board-suggestions"),
    path("api/v1/events/", EventsView.as_view(), name="events"),
    path("api/v1/", include("printing.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("board/", dispatch_views.board, name="board"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
