"""Routes every deployment has: health probes and API tokens."""

from django.urls import path

from core import api, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", api.RevokeTokenView.as_view(), name="api-token-revoke"),
]
