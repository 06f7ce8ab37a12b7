"""What each role may do in the quality loop: follow-up calls, complaints,
spot checks and home visits."""

from core.roles import Role

GRANTS = {
    # The front desk makes the follow-up calls (procedure step 8).
    Role.FRONT_DESK: ["followup.view_followupcall", "followup.add_followupcall"],
    # The lead owns the complaints, resolves them and organises visits.
    Role.DISPATCH_LEAD: [
        "followup.view_followupcall",
        "followup.view_escalation",
        "followup.change_escalation",
        "followup.view_spotcheck",
        "followup.view_periodicvisit",
        "followup.add_periodicvisit",
        "followup.change_periodicvisit",
    ],
    # Second-level escalations, and the spot checks of follow-up calls.
    Role.SUPERVISOR: [
        "followup.view_followupcall",
        "followup.view_escalation",
        "followup.change_escalation",
        "followup.view_spotcheck",
        "followup.add_spotcheck",
        "followup.change_spotcheck",
        "followup.view_periodicvisit",
    ],
}

# Who may open the quality loop's screens.
FOLLOWUP_ROLES = (Role.FRONT_DESK, Role.DISPATCH_LEAD, Role.SUPERVISOR)
ESCALATION_ROLES = (Role.DISPATCH_LEAD, Role.SUPERVISOR)
VISIT_ROLES = ESCALATION_ROLES
SPOT_CHECK_ROLES = (Role.SUPERVISOR,)
