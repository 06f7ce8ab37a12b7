"""Which screens a person may open: the nav of every page and the home page's
choice. One place, so the links shown and the checks the views make agree."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.roles import Role, has_role

INTAKE_ROLES = (Role.FRONT_DESK, Role.DISPATCHER, Role.DISPATCH_LEAD)
BOARD_ROLES = (Role.DISPATCHER, Role.DISPATCH_LEAD, Role.SUPERVISOR)
DESK_ROLES = (Role.FRONT_DESK,)
MY_ORDERS_ROLES = (Role.FIELD_WORKER,)
# The front desk makes the follow-up calls; the lead owns the complaints.
FOLLOWUP_ROLES = (Role.FRONT_DESK, Role.DISPATCH_LEAD, Role.SUPERVISOR)
ESCALATION_ROLES = (Role.DISPATCH_LEAD, Role.SUPERVISOR)
SPOT_CHECK_ROLES = (Role.SUPERVISOR,)
STATS_ROLES = (Role.DISPATCH_LEAD, Role.SUPERVISOR, Role.FINANCE)
# Finance confirms fees paid; the supervisor reads the list (the settle
# service refuses him, as the API does).
PAYMENTS_ROLES = (Role.FINANCE, Role.SUPERVISOR)


@dataclass(frozen=True)
class Screen:
    key: str
    label: Promise
    url_name: str

    @property
    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:  # a screen another issue has not delivered yet
            return None


INTAKE = Screen("intake", _("Intake"), "intake")
BOARD = Screen("board", _("Dispatch board"), "board")
DESK = Screen("desk", _("Print and hand out"), "desk")
ADMIN = Screen("admin", _("Catalog and records"), "admin:index")
MY_ORDERS = Screen("my-orders", _("My orders"), "my-orders")
FOLLOWUPS = Screen("followups", _("Follow-up calls"), "followup-queue")
ESCALATIONS = Screen("escalations", _("Complaints"), "escalation-list")
VISITS = Screen("visits", _("Home visits"), "visit-list")
SPOT_CHECKS = Screen("spot-checks", _("Spot checks"), "spot-check-list")
STATS = Screen("stats", _("Statistics"), "stats-page")
PAYMENTS = Screen("payments", _("Payments"), "payments")
API_DOCS = Screen("api", _("API documentation"), "docs")


def screens_for(user: AbstractBaseUser | AnonymousUser) -> list[Screen]:
    """The screens this user's roles may open, in the order a shift uses them."""
    if not user.is_authenticated:
        return []
    screens = []
    if has_role(user, *INTAKE_ROLES):
        screens.append(INTAKE)
    if has_role(user, *DESK_ROLES):
        screens.append(DESK)
    if has_role(user, *BOARD_ROLES):
        screens.append(BOARD)
    if has_role(user, *MY_ORDERS_ROLES):
        screens.append(MY_ORDERS)
    if has_role(user, *FOLLOWUP_ROLES):
        screens.append(FOLLOWUPS)
    if has_role(user, *ESCALATION_ROLES):
        screens.append(ESCALATIONS)
        screens.append(VISITS)
    if has_role(user, *SPOT_CHECK_ROLES):
        screens.append(SPOT_CHECKS)
    if has_role(user, *PAYMENTS_ROLES):
        screens.append(PAYMENTS)
    if has_role(user, *STATS_ROLES):
        screens.append(STATS)
    if user.is_staff:
        screens.append(ADMIN)
    screens = [s for s in screens if s.url is not None]
    # The API's documentation is for those without a screen of their own yet
    # (finance, a field worker); the others' header stays one short line.
    return screens or ([API_DOCS] if API_DOCS.url else [])


def home_screen(user: AbstractBaseUser) -> Screen | None:
    """Where a role's work starts: the desk at intake, dispatch at the board;
    None for roles without a screen of their own (they get a list of links)."""
    if has_role(user, Role.FRONT_DESK):
        return INTAKE
    if has_role(user, *BOARD_ROLES):
        return BOARD
    if has_role(user, *MY_ORDERS_ROLES) and MY_ORDERS.url is not None:
        return MY_ORDERS
    if has_role(user, Role.FINANCE):
        return next((screen for screen in (PAYMENTS, STATS) if screen.url is not None), None)
    return None


def role_labels(user: AbstractBaseUser) -> list[str]:
    names = set(user.groups.values_list("name", flat=True))
    return [str(role.label) for role in Role if role.value in names]
