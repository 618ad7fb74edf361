"""``kantor withdrawals``: withdrawals for staff, AML holds, the fee table (WD-1..3, WD-5).

  kantor withdrawals request CUSTOMER --account IBAN --amount 100.00 --currency PLN \\
      [--title TEXT] [--receiver-volume] [--key KEY] [--dry-run] [--staff USER]
  kantor withdrawals list [--customer C] [--status S] [--json]
  kantor withdrawals reject ID --reason ...                 (WD-4)
  kantor withdrawals returned ID --reason ... [--code AC04] (WD-4: the bank sent it back)
  kantor withdrawals hold CUSTOMER --reason ...             (WD-2, AML-3)
  kantor withdrawals release CUSTOMER --reason ...
  kantor withdrawals fees [--json]                          (the WD-3 table)

A staff withdrawal is ordered on the customer's behalf: the same rules as in
the API apply (only to their own verified account, funds, holds, fee).
Without ``--key`` the command generates an idempotency key and prints it.
"""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from kantor.banking import actions
from kantor.banking.cli import (
    acting_user,
    add_acting_user_option,
    dump_json,
    get_customer,
    object_or_error,
    run,
    table,
)
from kantor.banking.models import Payout, PayoutStatus, WithdrawalFee
from kantor.customers.models import BankAccount
from kantor.domain.money import Money, MoneyError


def _summary(p: Payout) -> dict:
    return {
        "id": p.pk,
        "reference": p.reference,
        "transferId": str(p.transfer_id),
        "kind": p.kind,
        "status": p.status,
        "customer": p.customer_id,
        "amount": str(p.amount),
        "fee": str(p.fee),
        "net": str(p.net),
        "destination": p.destination_iban,
        "created_at": p.created_at,
        "aml_flagged": p.aml_flagged,
    }


class Command(BaseCommand):
    help = "Withdrawals (WD-1..3), AML holds (WD-2) and the withdrawal fee table (WD-3)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        req = sub.add_parser("request", help="order a withdrawal on the customer's behalf")
        req.add_argument("customer")
        req.add_argument("--account", required=True, help="the customer's IBAN")
        req.add_argument("--amount", required=True)
        req.add_argument("--currency", required=True)
        req.add_argument("--title", default="")
        req.add_argument("--receiver-volume", action="store_true", help="fee on top")
        req.add_argument("--key", help="idempotency key (default: a new one)")
        req.add_argument("--dry-run", action="store_true", help="show the fee only")
        req.add_argument("--json", action="store_true")
        add_acting_user_option(req)

        listing = sub.add_parser("list", help="payouts, newest first")
        listing.add_argument("--customer")
        listing.add_argument("--status", choices=PayoutStatus.values)
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--json", action="store_true")

        reject = sub.add_parser("reject", help="reject a payout (money back)")
        reject.add_argument("id")
        reject.add_argument("--reason", required=True)
        add_acting_user_option(reject)

        returned = sub.add_parser("returned", help="the bank returned a payout")
        returned.add_argument("id")
        returned.add_argument("--reason", required=True)
        returned.add_argument("--code", default="", help="ISO reason code, e.g. AC04")
        add_acting_user_option(returned)

        for name in ("hold", "release"):
            p = sub.add_parser(name, help=f"{name} the customer's payouts (WD-2)")
            p.add_argument("customer")
            p.add_argument("--reason", required=True)
            add_acting_user_option(p)

        fees = sub.add_parser("fees", help="the withdrawal fee table (WD-3)")
        fees.add_argument("--json", action="store_true")

    @no_translations
    def handle(self, *args, subcommand: str, **options) -> None:
        getattr(self, f"do_{subcommand}")(options)

    def do_request(self, options: dict) -> None:
        customer = run(lambda: get_customer(options["customer"]))
        try:
            money = Money(options["amount"], options["currency"].upper())
        except MoneyError as error:
            raise CommandError(f"--amount/--currency: {error}") from None
        iban = "".join(options["account"].split()).upper()
        account = BankAccount.objects.filter(customer=customer, iban=iban).first()
        if options["dry_run"]:
            quote = run(
                lambda: actions.quote_withdrawal(
                    customer, account, money, receiver_volume=options["receiver_volume"]
                )
            )
            self.stdout.write(f"fee {quote.fee}, paid out {quote.net}, taken {quote.amount}")
            return
        user = acting_user(options.get("staff"))
        key = options.get("key") or f"cli:{uuid.uuid4()}"
        payout = run(
            lambda: actions.request_withdrawal(
                customer,
                account,
                money,
                idempotency_key=key,
                ordered_by="staff",
                acting_user=user,
                title=options["title"],
                receiver_volume=options["receiver_volume"],
            )
        )
        if options["json"]:
            self.stdout.write(dump_json({**_summary(payout), "idempotencyKey": key}))
            return
        self.stdout.write(
            f"{payout.reference} {payout.net} to {payout.destination_iban} "
            f"(fee {payout.fee}), key {key}"
        )

    def do_list(self, options: dict) -> None:
        found = Payout.objects.order_by("-id")
        if options.get("customer"):
            customer = run(lambda: get_customer(options["customer"]))
            found = found.filter(customer=customer)
        if options.get("status"):
            found = found.filter(status=options["status"])
        data = [_summary(p) for p in found[: options["limit"]]]
        if options["json"]:
            self.stdout.write(dump_json(data))
            return
        rows = [("ID", "REF", "KIND", "STATUS", "NET", "FEE", "DESTINATION")]
        rows += [
            (
                str(d["id"]),
                d["reference"],
                d["kind"],
                d["status"],
                d["net"],
                d["fee"],
                d["destination"],
            )
            for d in data
        ]
        for line in table(rows):
            self.stdout.write(line)

    def do_reject(self, options: dict) -> None:
        user = acting_user(options.get("staff"))
        payout = object_or_error(Payout, options["id"], "payout")
        run(lambda: actions.reject_payout(payout, acting_user=user, reason=options["reason"]))
        self.stdout.write(f"{payout.reference} rejected")

    def do_returned(self, options: dict) -> None:
        user = acting_user(options.get("staff"))
        payout = object_or_error(Payout, options["id"], "payout")
        run(
            lambda: actions.mark_payout_returned(
                payout, acting_user=user, reason=options["reason"], reason_code=options["code"]
            )
        )
        self.stdout.write(f"{payout.reference} returned")

    def do_hold(self, options: dict) -> None:
        customer = run(lambda: get_customer(options["customer"]))
        user = acting_user(options.get("staff"))
        run(lambda: actions.place_hold(customer, acting_user=user, reason=options["reason"]))
        self.stdout.write(f"Payouts of #{customer.pk} are held")

    def do_release(self, options: dict) -> None:
        customer = run(lambda: get_customer(options["customer"]))
        user = acting_user(options.get("staff"))
        run(lambda: actions.release_hold(customer, acting_user=user, reason=options["reason"]))
        self.stdout.write(f"Payouts of #{customer.pk} are released")

    def do_fees(self, options: dict) -> None:
        rows_data = [
            {
                "banks": r.banks or "*",
                "currency": r.currency,
                "fee_pln": str(r.fee_pln),
                "label": r.label,
            }
            for r in WithdrawalFee.objects.all()
        ]
        if options["json"]:
            self.stdout.write(dump_json(rows_data))
            return
        rows = [("BANKS", "CURRENCY", "FEE PLN", "LABEL")]
        rows += [(d["banks"], d["currency"], d["fee_pln"], d["label"]) for d in rows_data]
        for line in table(rows):
            self.stdout.write(line)
