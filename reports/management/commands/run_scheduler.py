"""The service-level scheduler: create subscription orders ahead, compute
deadlines, mark overdue orders and alert dispatcher, lead and supervisor.
Safe in two copies: see reports.services."""

import time

from core.periodic import PeriodicCommand
from reports.services import scheduler_pass


class Command(PeriodicCommand):
    help = "Create subscription orders, compute deadlines and mark overdue orders (one pass, or --loop)."

    def run_pass(self) -> str:
        started = time.monotonic()
        done = scheduler_pass()
        return f"{done} in {time.monotonic() - started:.2f} s"
