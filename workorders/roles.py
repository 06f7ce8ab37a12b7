"""What each role may do with work orders and the incidents on them."""

from core.roles import Role

# A field worker reports incidents on site; the dispatch group and the front
# desk take them by phone too (procedure step 6).
INCIDENTS = ["workorders.add_incident", "workorders.view_incident"]
DISPATCH = [
    "workorders.add_workorder",
    "workorders.view_workorder",
    "workorders.view_all_workorders",
    "workorders.request_approval_workorder",
    "workorders.assign_workorder",
    "workorders.emergency_start_workorder",
    "workorders.cancel_workorder",
]

GRANTS = {
    Role.FRONT_DESK: INCIDENTS + [
        "workorders.add_workorder",
        "workorders.view_workorder",
        "workorders.view_all_workorders",
        "workorders.print_workorder",
        "workorders.collect_workorder",
        "workorders.return_workorder",
        "workorders.emergency_start_workorder",
        "workorders.cancel_workorder",
        # The front desk makes the follow-up calls (procedure step 8).
        "workorders.log_followup_workorder",
    ],
    Role.DISPATCHER: DISPATCH + INCIDENTS,
    # The lead approves external and special services and resolves complaints.
    Role.DISPATCH_LEAD: DISPATCH + INCIDENTS + ["workorders.approve_workorder", "workorders.resolve_workorder"],
    Role.FIELD_WORKER: ["workorders.view_workorder"] + INCIDENTS,
    Role.FINANCE: ["workorders.view_workorder", "workorders.view_all_workorders", "workorders.settle_fee_workorder"],
    # The supervisor receives the emergencies and the second-level escalations.
    Role.SUPERVISOR: [
        "workorders.view_workorder",
        "workorders.view_all_workorders",
        "workorders.approve_workorder",
        "workorders.resolve_workorder",
        "workorders.view_incident",
    ],
}
