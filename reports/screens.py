"""reports' screens (pages for people), included at the site root."""

from django.urls import path

from reports import views

urlpatterns = [
    path("stats/", views.statistics_page, name="stats-page"),
]
