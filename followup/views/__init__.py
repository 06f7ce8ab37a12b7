"""The quality loop's screens (procedure step 8): the callback queue
and one call at a time for the front desk, complaints for the dispatch lead,
spot checks for the supervisor, home visits for the lead.

Pages are plain forms: a view parses the input, calls one service and
redirects to what happened; a service's error goes next to its field and the
form comes back with everything typed (400, or 409 when the order or the
escalation moved on meanwhile). Satisfaction answers appear only on pages of
roles that hold the follow-up permissions; field workers get 403.

One module a screen; the views are named here too, so `followup.views.<view>`
(the URLconf's path) stays as it was.
"""

from followup.views.calls import followup_call, followup_call_result, followup_queue
from followup.views.escalations import (
    escalation_detail,
    escalation_list,
    escalation_note,
    escalation_reassign,
    escalation_resolve,
)
from followup.views.spot_checks import spot_check_detail, spot_check_list, spot_check_record
from followup.views.visits import visit_cancel, visit_list, visit_record

__all__ = [
    "escalation_detail", "escalation_list", "escalation_note", "escalation_reassign", "escalation_resolve",
    "followup_call", "followup_call_result", "followup_queue",
    "spot_check_detail", "spot_check_list", "spot_check_record",
    "visit_cancel", "visit_list", "visit_record",
]
