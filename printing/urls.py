"""Printing's API routes, included under /api/v1/ ahead of the order router so
`orders/<id>/print/` answers a PDF."""

from django.urls import path

from printing import api

urlpatterns = [
    path("orders/<int:pk>/print/", api.OrderPrintView.as_view(), name="order-print"),
    path("orders/<int:pk>/reprint/", api.OrderReprintView.as_view(), name="order-reprint"),
    path("orders/<int:pk>/prints/", api.OrderPrintsView.as_view(), name="order-prints"),
    path("print/batch/", api.BatchPrintView.as_view(), name="print-batch"),
    path("print/daily-list/", api.DailyListView.as_view(), name="print-daily-list"),
    path("print/followup-sheet/", api.FollowUpSheetView.as_view(), name="print-followup-sheet"),
]
