"""What each role may read of the statistics, and (until their apps take
them) the subscriptions and the calendar."""

from core.roles import Role

SUBSCRIPTIONS = ["reports.view_subscription", "reports.add_subscription", "reports.change_subscription"]
CALENDAR = [
    f"reports.{action}_{model}"
    for model in ("closure", "openinghours", "servicelevel")
    for action in ("view", "add", "change", "delete")
]

GRANTS = {
    Role.FRONT_DESK: SUBSCRIPTIONS,
    Role.DISPATCHER: SUBSCRIPTIONS,
    Role.DISPATCH_LEAD: SUBSCRIPTIONS + ["reports.view_statistics"],
    Role.COORDINATOR: CALENDAR,
    Role.FINANCE: ["reports.view_fee_statistics"],
    Role.SUPERVISOR: ["reports.view_subscription", "reports.view_statistics", "reports.view_fee_statistics"],
}
