from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from dispatch.api import (
    IntakeViewSet,
    PartnerViewSet,
    ResidentViewSet,
    ServiceAreaViewSet,
    ServiceItemViewSet,
    WorkerViewSet,
)
from workorders.api import OrderViewSet

router = DefaultRouter()
router.register("areas", ServiceAreaViewSet, basename="area")
router.register("services", ServiceItemViewSet, basename="service")
router.register("workers", WorkerViewSet, basename="worker")
router.register("partners", PartnerViewSet, basename="partner")
router.register("residents", ResidentViewSet, basename="resident")
router.register("intakes", IntakeViewSet, basename="intake")
router.register("orders", OrderViewSet, basename="order")

urlpatterns = [
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
