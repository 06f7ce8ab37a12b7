"""reports' API routes, included under /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from reports import api, views

router = SimpleRouter()
router.register("subscriptions", api.SubscriptionViewSet, basename="subscription")

urlpatterns = [
    path("stats/", api.StatisticsView.as_view(), name="stats"),
    path("stats/overdue/", api.OverdueView.as_view(), name="stats-overdue"),
    re_path(r"^stats/export/(?P<kind>csv|xlsx)/$", api.StatisticsExportView.as_view(), name="stats-export"),
    path("stats/monthly.pdf", views.MonthlyReportView.as_view(), name="stats-monthly-pdf"),
    path("orders-deadlines/", api.OrderDeadlinesView.as_view(), name="orders-deadlines"),
    *router.urls,
]
