"""Which screens a person may open: the nav of every page and the home page's
choice. One place, so the links shown and the checks the views make agree:
each screen's roles are those its own app's views check."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from dispatch.roles import INTAKE_ROLES
from followup.roles import ESCALATION_ROLES, FOLLOWUP_ROLES, SPOT_CHECK_ROLES, VISIT_ROLES
from reports.roles import STATS_ROLES

# The screens of front/ itself.
BOARD_ROLES = (Role.DISPATCHER, Role.DISPATCH_LEAD, Role.SUPERVISOR)
DESK_ROLES = (Role.FRONT_DESK,)
MY_ORDERS_ROLES = (Role.FIELD_WORKER,)
# Finance confirms fees paid; the supervisor reads the list (the settle
# service refuses him, as the API does).
PAYMENTS_ROLES = (Role.FINANCE, Role.SUPERVISOR)


@dataclass(frozen=True)
class Screen:
    key: str
    label: Promise
    url_name: str
    roles: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name)


INTAKE = Screen("intake", _("Intake"), "intake", INTAKE_ROLES)
BOARD = Screen("board", _("Dispatch board"), "board", BOARD_ROLES)
DESK = Screen("desk", _("Print and hand out"), "desk", DESK_ROLES)
MY_ORDERS = Screen("my-orders", _("My orders"), "my-orders", MY_ORDERS_ROLES)
FOLLOWUPS = Screen("followups", _("Follow-up calls"), "followup-queue", FOLLOWUP_ROLES)
ESCALATIONS = Screen("escalations", _("Complaints"), "escalation-list", ESCALATION_ROLES)
VISITS = Screen("visits", _("Home visits"), "visit-list", VISIT_ROLES)
SPOT_CHECKS = Screen("spot-checks", _("Spot checks"), "spot-check-list", SPOT_CHECK_ROLES)
PAYMENTS = Screen("payments", _("Payments"), "payments", PAYMENTS_ROLES)
STATS = Screen("stats", _("Statistics"), "stats-page", STATS_ROLES)
# For staff, whatever their roles; and the API's documentation for those
# without a screen of their own.
ADMIN = Screen("admin", _("Catalog and records"), "admin:index")
API_DOCS = Screen("api", _("API documentation"), "docs")

# In the order a shift uses them.
SCREENS = [INTAKE, DESK, BOARD, MY_ORDERS, FOLLOWUPS, ESCALATIONS, VISITS, SPOT_CHECKS, PAYMENTS, STATS]


def _roles_of(user: AbstractBaseUser) -> set[str]:
    if user.is_superuser:
        return {role.value for role in Role}
    return set(user.groups.values_list("name", flat=True))


def screens_for(user: AbstractBaseUser | AnonymousUser) -> list[Screen]:
    """The screens this user's roles may open, in the order a shift uses them."""
    if not user.is_authenticated:
        return []
    held = _roles_of(user)
    screens = [screen for screen in SCREENS if held.intersection(screen.roles)]
    if user.is_staff:
        screens.append(ADMIN)
    # The header of those with screens stays one short line.
    return screens or [API_DOCS]


def home_screen(user: AbstractBaseUser) -> Screen | None:
    """Where a role's work starts: the desk at intake, dispatch at the board;
    None for roles without a screen of their own (they get a list of links)."""
    held = _roles_of(user)
    if Role.FRONT_DESK in held:
        return INTAKE
    if held.intersection(BOARD_ROLES):
        return BOARD
    if held.intersection(MY_ORDERS_ROLES):
        return MY_ORDERS
    if Role.FINANCE in held:
        return PAYMENTS
    return None


def role_labels(user: AbstractBaseUser) -> list[str]:
    names = set(user.groups.values_list("name", flat=True))
    return [str(role.label) for role in Role if role.value in names]
