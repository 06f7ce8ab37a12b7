"""The coordinator keeps the working calendar and the service levels. A
service level is never deleted on its own (it goes with its service); "add"
is what the service's page needs to set a new service's level."""

from core.roles import Role

GRANTS = {
    Role.COORDINATOR: [
        f"sla.{action}_{model}"
        for model in ("closure", "openinghours", "servicelevel")
        for action in ("view", "add", "change", "delete")
        if (model, action) != ("servicelevel", "delete")
    ],
}
