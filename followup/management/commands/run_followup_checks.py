"""Raise overdue escalations to the supervisor and close returned orders whose
follow-up attempts reached the limit. Safe in two copies: each change is a
conditional update or a locked transition that only one process wins."""

from core.periodic import PeriodicCommand
from followup.services import escalations_escalate_overdue, followups_close_unreachable


class Command(PeriodicCommand):
    help = "Escalate overdue escalations (ESCALATION_DUE_HOURS) and close unreachable orders (FOLLOWUP_MAX_ATTEMPTS)."

    def run_pass(self) -> dict:
        return {"escalations_raised": escalations_escalate_overdue(), "closed_unreachable": followups_close_unreachable()}

    def report(self, done: dict, *, loop: bool) -> None:
        if any(done.values()) or not loop:
            super().report(done, loop=loop)
