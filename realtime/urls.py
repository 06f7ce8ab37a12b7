"""realtime's API routes, included under /api/v1/: the event feed and the
alerts (the board socket's routes are in realtime.routing)."""

from django.urls import path

from realtime import api

urlpatterns = [
    path("events/", api.EventsView.as_view(), name="events"),
    path("alerts/", api.AlertsView.as_view(), name="alerts"),
    path("alerts/<int:pk>/acknowledge/", api.AlertAcknowledgeView.as_view(), name="alert-acknowledge"),
]
