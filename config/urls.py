"""The site's routes: every app's, included. Each app has one `urls.py` (its
API, under /api/v1/) and, where it has screens, one `screens.py` (its pages);
the WebSocket routes are realtime.routing's."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("core.urls")),
    # printing before workorders: `orders/<id>/print/` answers a PDF.
    path("api/v1/", include("printing.urls")),
    path("api/v1/", include("dispatch.urls")),
    path("api/v1/", include("workorders.urls")),
    path("api/v1/", include("sla.urls")),
    path("api/v1/", include("subscriptions.urls")),
    path("api/v1/", include("followup.urls")),
    path("api/v1/", include("reports.urls")),
    path("api/v1/", include("realtime.urls")),
    path("api/v1/", include("front.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    # front's screens before Django's i18n routes: its i18n/setlang/ also
    # remembers the language for the login.
    path("", include("front.screens")),
    path("", include("followup.screens")),
    path("", include("reports.screens")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Under /api/ Django's own error pages are JSON too (DESIGN.md section 7).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
