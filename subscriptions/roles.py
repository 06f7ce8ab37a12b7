"""Subscriptions are taken at the desk and managed by the dispatch group; the
supervisor reads them."""

from core.roles import Role

SUBSCRIPTIONS = ["subscriptions.view_subscription", "subscriptions.add_subscription",
                 "subscriptions.change_subscription"]

GRANTS = {
    Role.FRONT_DESK: SUBSCRIPTIONS,
    Role.DISPATCHER: SUBSCRIPTIONS,
    Role.DISPATCH_LEAD: SUBSCRIPTIONS,
    Role.SUPERVISOR: ["subscriptions.view_subscription"],
}
