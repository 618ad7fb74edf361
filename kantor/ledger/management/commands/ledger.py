"""``kantor ledger check``: prove the books balance; non-zero exit otherwise."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kantor.ledger.invariants import check_ledger


class Command(BaseCommand):
    help = "Ledger tools: `check` verifies every invariant of the double-entry ledger."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="verify balances, legs, statements and reservations")
        check.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, action: str, **options):
        report = check_ledger()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(
                f"{report.transactions} transactions, {report.legs} legs, "
                f"{report.accounts} accounts checked"
            )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"the ledger does not balance: {len(report.problems)} problem(s)")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("ledger OK: every transaction balances"))
