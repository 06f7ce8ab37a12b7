"""Who works the written requests: the desk answers them, the lead and the
supervisor see and route them all."""

from core.roles import Role

_WORK = ["enquiries.view_enquiry", "enquiries.change_enquiry", "enquiries.add_enquiry"]

GRANTS = {
    Role.FRONT_DESK: _WORK,
    Role.DISPATCHER: _WORK,
    Role.DISPATCH_LEAD: _WORK,
    Role.SUPERVISOR: _WORK,
}

# Who may open the written-requests screens.
ENQUIRY_ROLES = (Role.FRONT_DESK, Role.DISPATCHER, Role.DISPATCH_LEAD, Role.SUPERVISOR)
