"""``kantor statement``: import bank statements; resolve outgoing entries left for staff.

  kantor statement import FILE [--format camt053|mt940|csv] [--staff USER]
  kantor statement entries [--unmatched] [--json]
  kantor statement fee ENTRY_ID --reason "..."            (a bank charge)
  kantor statement settle ENTRY_ID PAYOUT_ID --reason ""  (a payout the bank mangled)

``import`` prints the JSON summary (booked, waiting_for_review, unassigned,
refused, duplicates, payouts_settled, payouts_returned, unmatched…). A file
refused whole prints ``{"refused": true, "code", "line"|"path", …}`` and exits
non-zero: nothing was booked (DEP-2).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from kantor.banking import actions
from kantor.banking.actions.statements import FORMATS
from kantor.banking.cli import (
    acting_user,
    add_acting_user_option,
    cli_audit,
    dump_json,
    object_or_error,
    run,
    table,
)
from kantor.banking.errors import BankingError, StatementRefused
from kantor.banking.models import BankEntry, EntryKind, Payout


class Command(BaseCommand):
    help = "Import bank statements (DEP-2) and resolve unmatched outgoing entries (WD-4)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        imp = sub.add_parser("import", help="import a camt.053, MT940 or staff CSV file")
        imp.add_argument("file", help="the statement file ('-' for standard input)")
        imp.add_argument("--format", choices=sorted(FORMATS), help="default: by content")
        add_acting_user_option(imp)

        entries = sub.add_parser("entries", help="imported entries (latest first)")
        entries.add_argument("--unmatched", action="store_true", help="only those for staff")
        entries.add_argument("--limit", type=int, default=50)
        entries.add_argument("--json", action="store_true")

        fee = sub.add_parser("fee", help="book an unmatched outgoing entry as a bank fee")
        fee.add_argument("entry", help="entry id")
        fee.add_argument("--reason", required=True)
        add_acting_user_option(fee)

        settle = sub.add_parser("settle", help="an unmatched outgoing entry settles a payout")
        settle.add_argument("entry", help="entry id")
        settle.add_argument("payout", help="payout id")
        settle.add_argument("--reason", required=True)
        add_acting_user_option(settle)

    @no_translations
    def handle(self, *args, subcommand: str, **options) -> None:
        {"import": self.do_import, "entries": self.entries, "fee": self.fee, "settle": self.settle}[
            subcommand
        ](options)

    def do_import(self, options: dict) -> None:
        import sys

        name = options["file"]
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"FILE: cannot read {name}: {error.strerror}") from None
        user = acting_user(options.get("staff"))
        try:
            with cli_audit():
                summary = actions.import_statement(
                    data, filename=Path(name).name, fmt=options.get("format"), acting_user=user
                )
        except StatementRefused as refused:
            self.stdout.write(dump_json(refused.as_dict()))
            raise CommandError(f"{refused.reason}: {refused.message}") from None
        except BankingError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(dump_json(summary.as_dict()))

    def entries(self, options: dict) -> None:
        rows = BankEntry.objects.order_by("-id")
        if options["unmatched"]:
            rows = rows.filter(kind=EntryKind.UNMATCHED_DEBIT, resolved_at__isnull=True)
        found = list(rows[: options["limit"]])
        data = [
            {
                "id": e.pk,
                "account": e.account_iban,
                "reference": e.bank_reference,
                "booked": e.booking_date,
                "amount": str(e.money) if e.is_credit else f"-{e.money}",
                "kind": e.kind,
                "counterparty": e.counterparty_name,
                "title": e.title,
            }
            for e in found
        ]
        if options["json"]:
            self.stdout.write(dump_json(data))
            return
        rows_out = [("ID", "BOOKED", "AMOUNT", "KIND", "REFERENCE", "TITLE")]
        rows_out += [
            (
                str(d["id"]),
                str(d["booked"]),
                d["amount"],
                d["kind"],
                d["reference"],
                d["title"][:40],
            )
            for d in data
        ]
        for line in table(rows_out):
            self.stdout.write(line)

    def fee(self, options: dict) -> None:
        user = acting_user(options.get("staff"))
        entry = object_or_error(BankEntry, options["entry"], "entry")
        run(lambda: actions.book_bank_fee(entry, acting_user=user, reason=options["reason"]))
        self.stdout.write(f"Entry #{entry.pk} booked as a bank fee")

    def settle(self, options: dict) -> None:
        user = acting_user(options.get("staff"))
        entry = object_or_error(BankEntry, options["entry"], "entry")
        payout = object_or_error(Payout, options["payout"], "payout")
        run(
            lambda: actions.settle_payout(payout, entry, acting_user=user, reason=options["reason"])
        )
        self.stdout.write(f"{payout.reference} settled by entry #{entry.pk}")
