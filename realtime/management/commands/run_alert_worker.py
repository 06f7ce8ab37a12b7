"""Sound unacknowledged alerts again and escalate old ones to the lead.

Runs until stopped (`make run` starts it next to Daphne). Safe in two copies:
every change is a conditional update only one process wins."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from realtime.services import alerts_tick

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Repeat and escalate unacknowledged alerts (ALERT_REPEAT_SECONDS, ALERT_ESCALATE_SECONDS)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between rounds (default 1).")
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")

    def handle(self, *args, interval: float, once: bool, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            try:
                done = alerts_tick()
                if done["repeated"] or done["escalated"]:
                    logger.info("alerts: %(repeated)s sounded again, %(escalated)s escalated", done)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                logger.exception("alert worker round failed; retrying")
            if once:
                break
            time.sleep(interval)
