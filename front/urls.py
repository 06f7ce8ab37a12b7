"""front's API routes (the live board's reads), included under /api/v1/."""

from django.urls import path

from front import api

urlpatterns = [
    path("board/", api.BoardSnapshotView.as_view(), name="board-snapshot"),
    path("board/orders/<int:pk>/suggestions/", api.AssignSuggestionsView.as_view(), name="board-suggestions"),
]
