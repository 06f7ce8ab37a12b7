"""sla's API routes, included under /api/v1/."""

from django.urls import path

from sla import api

urlpatterns = [
    path("stats/overdue/", api.OverdueView.as_view(), name="stats-overdue"),
    path("orders-deadlines/", api.OrderDeadlinesView.as_view(), name="orders-deadlines"),
]
