"""Raise overdue escalations to the supervisor and close returned orders whose
follow-up attempts reached the limit.

One pass by default; `--loop` repeats it every `--interval` seconds until
stopped. Safe in two copies: each change is a conditional update or a locked
transition that only one process wins."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from followup.services import escalations_escalate_overdue, followups_close_unreachable

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Escalate overdue escalations (ESCALATION_DUE_HOURS) and close unreachable orders (FOLLOWUP_MAX_ATTEMPTS)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between passes with --loop (default 60).")

    def handle(self, *args, loop: bool, interval: float, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            if loop:
                # A long-running process must not keep a connection the server dropped.
                close_old_connections()
            try:
                raised = escalations_escalate_overdue()
                closed = followups_close_unreachable()
                if raised or closed or not loop:
                    logger.info("follow-up checks: %s escalations raised, %s orders closed unreachable", raised, closed)
                if not loop:
                    self.stdout.write(f"{raised} escalations raised to a supervisor, {closed} orders closed as unreachable")
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
                if not loop:
                    raise
                logger.exception("follow-up checks failed; retrying")
            if not loop:
                break
            # Short sleeps: a stop signal ends the loop within a second.
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0)))
            if stopping:
                break
