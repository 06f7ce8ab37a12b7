"""reports' routes: the statistics API under /api/v1/ (included by config.urls)."""

from django.urls import path, re_path

from reports import api, views

urlpatterns = [
    path("stats/", api.StatisticsView.as_view(), name="stats"),
    re_path(r"^stats/export/(?P<kind>csv|xlsx)/$", api.StatisticsExportView.as_view(), name="stats-export"),
    path("stats/monthly.pdf", views.MonthlyReportView.as_view(), name="stats-monthly-pdf"),
]
