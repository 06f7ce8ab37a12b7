"""The service-level scheduler: create subscription orders ahead, compute
deadlines, mark overdue orders and alert dispatcher, lead and supervisor.

One pass by default; `--loop` repeats it every `--interval` seconds until
stopped. Safe in two copies: see reports.services."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from reports.services import scheduler_pass

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Create subscription orders, compute deadlines and mark overdue orders (one pass, or --loop)."

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
                started = time.monotonic()
                done = scheduler_pass()
                # Counts only: no order numbers or names in the log.
                logger.info("scheduler pass in %.2f s: %s", time.monotonic() - started, done)
                if not loop:
                    self.stdout.write(str(done))
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
                if not loop:
                    raise
                logger.exception("scheduler pass failed; retrying")
            if not loop:
                break
            # Short sleeps: a stop signal ends the loop within a second.
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0)))
            if stopping:
                break
