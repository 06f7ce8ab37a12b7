"""Sound unacknowledged alerts again and escalate old ones to the lead.
Safe in two copies: every change is a conditional update only one process wins."""

from core.periodic import PeriodicCommand
from realtime.services import alerts_tick


class Command(PeriodicCommand):
    help = "Repeat and escalate unacknowledged alerts (ALERT_REPEAT_SECONDS, ALERT_ESCALATE_SECONDS)."
    default_interval = 1.0

    def run_pass(self) -> dict:
        return alerts_tick()

    def report(self, done: dict, *, loop: bool) -> None:
        if done["repeated"] or done["escalated"] or not loop:
            super().report(done, loop=loop)
