"""``kantor outbox status|send``: watch the DOC-3 outbox, or send what is due now.

``status`` exits non-zero when a message was given up (``FAILED``) or the
oldest unsent one waited longer than ``--max-age`` minutes: run it from the
same cron as ``kantor ledger check`` and alert on failure.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kantor.notifications.dispatch import dispatch_due
from kantor.notifications.queries import outbox_status


class Command(BaseCommand):
    help = "The e-mail outbox: `status` (alerting) and `send` (dispatch due messages now)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="counts per status; non-zero exit on trouble")
        status.add_argument("--json", action="store_true", help="print the counts as JSON")
        status.add_argument(
            "--max-age",
            type=int,
            default=60,
            help="minutes the oldest unsent message may wait before this fails (60)",
        )
        sub.add_parser("send", help="send the messages due now (what the worker does)")

    def handle(self, *args, action: str, **options):
        if action == "send":
            report = dispatch_due()
            self.stdout.write(
                f"sent {report.sent}, to retry {report.retried}, given up {report.given_up}"
            )
            return
        status = outbox_status()
        now = timezone.now()
        age = (now - status.oldest_unsent_at) if status.oldest_unsent_at else None
        if options["json"]:
            payload = {
                **status.counts,
                "oldest_unsent_minutes": round(age.total_seconds() / 60, 1) if age else None,
            }
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in status.counts.items()))
        problems = []
        if status.failed:
            problems.append(f"{status.failed} message(s) given up: retry them in the back office")
        if age is not None and age > timedelta(minutes=options["max_age"]):
            problems.append(f"the oldest unsent message has waited {age} (provider down?)")
        if problems:
            raise CommandError("; ".join(problems))
