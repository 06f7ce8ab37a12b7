"""The loop shared by the background passes (alerts, follow-ups, scheduler).

One pass by default; `--loop` repeats it every `--interval` seconds until
SIGTERM or SIGINT. A failing pass in the loop is logged and retried: a
database hiccup must not end a worker. Each pass must itself be safe to run
in two processes at once; this loop adds nothing to that."""

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class PeriodicCommand(BaseCommand):
    default_interval = 60.0

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument(
            "--interval", type=float, default=self.default_interval,
            help=f"Seconds between passes with --loop (default {self.default_interval:g}).",
        )

    def run_pass(self) -> Any:
        """One pass; returns what it did (counts only: no personal data)."""
        raise NotImplementedError

    def report(self, done: Any, *, loop: bool) -> None:
        """Log (and, for a single pass, print) what a pass did."""
        logger.info("%s: %s", self.__module__.rsplit(".", 1)[-1], done)
        if not loop:
            self.stdout.write(str(done))

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
                self.report(self.run_pass(), loop=loop)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
                if not loop:
                    raise
                logger.exception("%s failed; retrying", self.__module__.rsplit(".", 1)[-1])
            if not loop:
                break
            # Short sleeps: a stop signal ends the loop within a second.
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0)))
            if stopping:
                break
