from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from dispatch import home_views, intake_views
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
from realtime.api import AlertAcknowledgeView, AlertsView, EventsView
from workorders import views as desk_views
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
    path("", include("core.urls")),
    path("api/v1/board/", BoardSnapshotView.as_view(), name="board-snapshot"),
    path("api/v1/board/orders/<int:pk>/suggestions/", AssignSuggestionsView.as_view(), name="board-suggestions"),
    path("api/v1/events/", EventsView.as_view(), name="events"),
    path("api/v1/alerts/", AlertsView.as_view(), name="alerts"),
    path("api/v1/alerts/<int:pk>/acknowledge/", AlertAcknowledgeView.as_view(), name="alert-acknowledge"),
    path("api/v1/", include("printing.urls")),
    path("api/v1/", include("sla.urls")),
    path("api/v1/", include("subscriptions.urls")),
    path("api/v1/", include("reports.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    # Django's set_language, which also remembers the choice for the login.
    path("i18n/setlang/", home_views.language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("board/", dispatch_views.board, name="board"),
    path("", home_views.home, name="home"),
    path("intake/", intake_views.intake, name="intake"),
    path("intake/lookup/", intake_views.intake_lookup, name="intake-lookup"),
    path("intake/residents/", intake_views.intake_register, name="intake-register"),
    path("intake/served/", intake_views.intake_served, name="intake-served"),
    path("intake/refer/", intake_views.intake_refer, name="intake-refer"),
    path("intake/no-card/", intake_views.intake_no_card, name="intake-no-card"),
    path("intake/out-of-area/", intake_views.intake_out_of_area, name="intake-out-of-area"),
    path("desk/", desk_views.desk, name="desk"),
    path("desk/scan/", desk_views.desk_scan, name="desk-scan"),
    path("desk/orders/<int:pk>/collect/", desk_views.desk_collect, name="desk-collect"),
    path("desk/orders/<int:pk>/return/", desk_views.desk_return, name="desk-return"),
    # Each app's screens (server-rendered pages) beside its API.
    path("", include("workorders.screen_urls")),
    path("", include("followup.screen_urls")),
    path("", include("reports.screen_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# Under /api/ Django's own error pages are JSON too (DESIGN.md section 7).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
