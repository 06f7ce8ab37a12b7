"""The coordinator keeps the working calendar and the service levels."""

from core.roles import Role

GRANTS = {
    Role.COORDINATOR: [
        f"sla.{action}_{model}"
        for model in ("closure", "openinghours", "servicelevel")
        for action in ("view", "add", "change", "delete")
    ],
}
