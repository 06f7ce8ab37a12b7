"""What each role may do with the catalog, the residents and the intakes."""

from core.roles import Role

CATALOG = ["servicearea", "skill", "serviceitem", "serviceprice", "worker", "partnerunit"]
CATALOG_READ = [f"dispatch.view_{model}" for model in CATALOG]
# The desk and the dispatch group register callers and record every intake.
RESIDENTS_WRITE = [
    "dispatch.view_resident",
    "dispatch.add_resident",
    "dispatch.change_resident",
    "dispatch.add_intakerecord",
    "dispatch.view_intakerecord",
]

GRANTS = {
    Role.FRONT_DESK: CATALOG_READ + RESIDENTS_WRITE,
    Role.DISPATCHER: CATALOG_READ + RESIDENTS_WRITE + ["dispatch.override_card_check", "dispatch.view_health_notes"],
    Role.DISPATCH_LEAD: CATALOG_READ + RESIDENTS_WRITE + ["dispatch.override_card_check", "dispatch.view_health_notes"],
    Role.FIELD_WORKER: ["dispatch.view_serviceitem"],
    # The coordinator keeps the catalog in the admin.
    # A price decided ahead may be withdrawn before its day (the admin refuses
    # deleting one that has been in effect).
    Role.COORDINATOR: [f"dispatch.{action}_{model}" for model in CATALOG for action in ("view", "add", "change")]
    + ["dispatch.delete_serviceprice"],
    Role.FINANCE: CATALOG_READ,
    # Data protection: who read a record, one resident's data, anonymising.
    Role.SUPERVISOR: CATALOG_READ + [
        "dispatch.view_resident",
        "dispatch.view_health_notes",
        "dispatch.view_residentaccess",
        "dispatch.export_resident",
        "dispatch.anonymise_resident",
        "dispatch.view_intakerecord",
    ],
}

# Who takes requests (the intake screen).
INTAKE_ROLES = (Role.FRONT_DESK, Role.DISPATCHER, Role.DISPATCH_LEAD)
