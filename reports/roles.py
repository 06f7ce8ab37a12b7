"""Who may read the statistics: service figures for leads and supervisors,
fee figures for finance and supervisors."""

from core.roles import Role

GRANTS = {
    Role.DISPATCH_LEAD: ["reports.view_statistics"],
    Role.FINANCE: ["reports.view_fee_statistics"],
    Role.SUPERVISOR: ["reports.view_statistics", "reports.view_fee_statistics"],
}

# Who may open the statistics screen.
STATS_ROLES = (Role.DISPATCH_LEAD, Role.SUPERVISOR, Role.FINANCE)
