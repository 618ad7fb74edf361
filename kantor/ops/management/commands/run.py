"""``kantor run``: the web server and every background worker in one terminal.

A small supervisor: it starts gunicorn and the workers as child processes,
prints where to go, and on Ctrl-C (or when any child dies) stops them all.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kantor.ops.processes import background_processes

BANNER = """
  Kantor is running.

    Customer panel   http://{host}:{port}/
    Public rates     http://{host}:{port}/rates
    Back office      http://{host}:{port}/backoffice/
    API docs         http://{host}:{port}/api/v2.0.0/docs   (Kantor extensions: /api/kantor/v1/docs)

  Demo logins (created by `kantor demo`):
    back office      admin@kantor.example / {pw}
    customers        jan.kowalski@example.com, anna.nowak@example.com,
                     biuro@przyklad-handel.pl — password {pw}

  Ctrl-C stops everything.
"""


class Command(BaseCommand):
    help = "Start the web server and the background workers; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # One worker with many threads: a worker groups only its own order
        # requests (kantor.api.gateway), and on a small machine one × 16 took
        # ~40 % more orders than two × 8 (docs/PERFORMANCE.md).
        parser.add_argument("--web-workers", type=int, default=1)
        parser.add_argument("--threads", type=int, default=16)
        parser.add_argument("--no-workers", action="store_true", help="web server only")

    def handle(self, *args, **opts):
        from kantor.ops.demo import DEMO_PASSWORD

        children: dict[str, subprocess.Popen] = {}
        commands = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "kantor.wsgi",
                "--bind",
                f"{opts['host']}:{opts['port']}",
                "--workers",
                str(opts["web_workers"]),
                "--threads",
                str(opts["threads"]),
                "--worker-class",
                "gthread",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
        }
        if not opts["no_workers"]:
            for name, argv in background_processes().items():
                commands[name] = [sys.executable, "-m", "kantor.cli", *argv]

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for name, argv in commands.items():
            self.stdout.write(f"starting {name}: {' '.join(argv[1:])}")
            children[name] = subprocess.Popen(argv)
        self.stdout.write(BANNER.format(host=opts["host"], port=opts["port"], pw=DEMO_PASSWORD))
        if not settings.DEBUG:
            self.stdout.write("  (KANTOR_DEBUG is off: cookies are secure-only; use HTTPS)\n")

        failed = None
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    failed = name
                    stopping = True
                    break
            time.sleep(0.2)
        self._stop_all(children)
        if failed:
            raise CommandError(f"{failed} exited with code {children[failed].returncode}")

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        self.stdout.write("stopped")
