"""The scheduler (core.scheduler): subscription orders ahead, deadlines,
overdue marks and their alerts, the statistics roll-up. Safe in two copies:
each step is."""

import time

from core.periodic import PeriodicCommand
from core.scheduler import scheduler_pass


class Command(PeriodicCommand):
    help = "Run every app's scheduled steps: subscriptions, deadlines, overdue marks, statistics (one pass, or --loop)."

    def run_pass(self) -> str:
        started = time.monotonic()
        done = scheduler_pass()
        return f"{done} in {time.monotonic() - started:.2f} s"
