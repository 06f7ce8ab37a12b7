"""front's screens (pages for people), included at the site root."""

from django.contrib.auth import views as auth_views
from django.urls import path

from dispatch.models import IntakeRecord
from front.views import board, desk, home, intake, orders, payments

urlpatterns = [
    path("", home.home, name="home"),
    # Django's set_language, which also remembers the choice for the login.
    path("i18n/setlang/", home.language_set, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("intake/", intake.intake, name="intake"),
    path("intake/lookup/", intake.intake_lookup, name="intake-lookup"),
    path("intake/residents/", intake.intake_register, name="intake-register"),
    path("intake/served/", intake.intake_served, name="intake-served"),
    path("intake/refer/", intake.intake_outcome, {"outcome": IntakeRecord.Outcome.CANNOT_SERVE}, name="intake-refer"),
    path("intake/no-card/", intake.intake_outcome, {"outcome": IntakeRecord.Outcome.NO_CARD}, name="intake-no-card"),
    path("intake/out-of-area/", intake.intake_outcome, {"outcome": IntakeRecord.Outcome.OUT_OF_AREA},
         name="intake-out-of-area"),
    path("board/", board.board, name="board"),
    path("desk/", desk.desk, name="desk"),
    path("desk/scan/", desk.desk_scan, name="desk-scan"),
    path("desk/orders/<int:pk>/collect/", desk.desk_collect, name="desk-collect"),
    path("desk/orders/<int:pk>/return/", desk.desk_return, name="desk-return"),
    path("my-orders/", orders.my_orders, name="my-orders"),
    path("my-orders/<int:pk>/incidents/", orders.my_orders_incident, name="my-orders-incident"),
    path("orders/<int:pk>/", orders.order_page, name="order-page"),
    path("orders/<int:pk>/incidents/", orders.order_incident, name="order-incident"),
    path("orders/<int:pk>/actions/<slug:name>/", orders.order_action, name="order-action"),
    path("payments/", payments.payments, name="payments"),
    path("payments/<int:pk>/confirm/", payments.payments_settle, name="payments-settle"),
    path("payments/<int:pk>/undo/", payments.payments_undo, name="payments-undo"),
]
