"""The work orders' screens (pages for people, not the API), included at the site root."""

from django.urls import path

from workorders import payments, views

urlpatterns = [
    path("my-orders/", views.my_orders, name="my-orders"),
    path("my-orders/<int:pk>/incidents/", views.my_orders_incident, name="my-orders-incident"),
    path("orders/<int:pk>/", views.order_page, name="order-page"),
    path("orders/<int:pk>/incidents/", views.order_incident, name="order-incident"),
    path("orders/<int:pk>/actions/<slug:name>/", views.order_action, name="order-action"),
    path("payments/", payments.payments, name="payments"),
    path("payments/<int:pk>/confirm/", payments.payments_settle, name="payments-settle"),
]
