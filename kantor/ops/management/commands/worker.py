"""``kantor worker``: the scheduler process (runs inside ``kantor run`` too)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from kantor.ops import scheduler


class Command(BaseCommand):
    help = "Run scheduled jobs (rate ticks, purges, deadlines) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run due jobs once and exit")

    def handle(self, *args, once: bool, **options):
        if once:
            ran = scheduler.run_due()
            self.stdout.write(f"ran: {', '.join(ran) or 'nothing due'}")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        scheduler.run_forever(stop)
