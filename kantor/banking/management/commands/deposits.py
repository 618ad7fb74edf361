"""``kantor deposits``: deposit instructions, the review and suspense queues, staff decisions.

  kantor deposits instructions CUSTOMER [--currency PLN] [--qr-svg FILE] [--json]
  kantor deposits accounts [--json]                       (the client-money accounts)
  kantor deposits list [--status review|unassigned|refund_due|refunding|...] [--json]
  kantor deposits approve ID [--reason ...]               (DEP-3, BANK-2)
  kantor deposits reject ID --reason ... [--to IBAN --name NAME]    (DEP-4)
  kantor deposits refund ID --reason ... [--to IBAN --name NAME]    (DEP-4, DEP-6)
  kantor deposits assign ID CUSTOMER --reason ...         (DEP-6)
  kantor deposits explain ID --note ...                   (DEP-5)
  kantor deposits reoffer ID                               (a failed deposit handler)

CUSTOMER is an e-mail, id or deposit title. Decisions are audited (AML-4).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from kantor.banking import actions, queries
from kantor.banking.cli import (
    acting_user,
    add_acting_user_option,
    dump_json,
    get_customer,
    object_or_error,
    run,
    table,
)
from kantor.banking.models import Deposit, DepositStatus, OperatorAccount
from kantor.banking.qr import qr_svg


def _deposit_summary(d: Deposit) -> dict:
    e = d.entry
    return {
        "id": d.pk,
        "status": d.status,
        "reason": d.review_reason,
        "amount": str(d.money),
        "received_at": d.received_at,
        "customer": d.customer_id,
        "sender": e.counterparty_name,
        "sender_account": e.counterparty_account,
        "title": e.title,
        "match": d.match_decision,
        "refund_deadline": d.refund_deadline,
        "overdue": d.refund_is_overdue,
        "aml_flagged": d.aml_flagged,
    }


class Command(BaseCommand):
    help = "Deposit instructions (DEP-1) and staff decisions on incoming transfers (DEP-3..6)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        ins = sub.add_parser("instructions", help="how a customer pays in (DEP-1)")
        ins.add_argument("customer")
        ins.add_argument("--currency")
        ins.add_argument("--qr-svg", metavar="FILE", help="write the PLN QR code image here")
        ins.add_argument("--json", action="store_true")

        acc = sub.add_parser("accounts", help="the operator's client-money accounts")
        acc.add_argument("--json", action="store_true")

        listing = sub.add_parser("list", help="incoming transfers, newest first")
        listing.add_argument("--status", choices=DepositStatus.values)
        listing.add_argument("--overdue", action="store_true", help="refunds past the deadline")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--json", action="store_true")

        for name, text in (
            ("approve", "book it: the sender is the customer (DEP-3)"),
            ("reject", "refund it: the sender is not the customer (DEP-4)"),
            ("refund", "refund a held or unassigned transfer (DEP-4, DEP-6)"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("id")
            p.add_argument("--reason", required=name != "approve")
            if name != "approve":
                p.add_argument("--to", metavar="IBAN", default="", help="refund to this account")
                p.add_argument("--name", default="", help="the refund's recipient")
            add_acting_user_option(p)

        assign = sub.add_parser("assign", help="assign an unassigned transfer (DEP-6)")
        assign.add_argument("id")
        assign.add_argument("customer")
        assign.add_argument("--reason", required=True)
        add_acting_user_option(assign)

        explain = sub.add_parser("explain", help="ask the customer to explain (DEP-5)")
        explain.add_argument("id")
        explain.add_argument("--note", required=True)
        add_acting_user_option(explain)

        reoffer = sub.add_parser("reoffer", help="offer a booked deposit to the handlers again")
        reoffer.add_argument("id")
        add_acting_user_option(reoffer)

    @no_translations
    def handle(self, *args, subcommand: str, **options) -> None:
        getattr(self, subcommand)(options)

    def instructions(self, options: dict) -> None:
        customer = run(lambda: get_customer(options["customer"]))
        found = run(lambda: queries.deposit_instructions(customer, options.get("currency")))
        if options.get("qr_svg"):
            payload = next((i.qr_payload for i in found if i.qr_payload), None)
            if payload is None:
                raise CommandError("--qr-svg: the QR code exists for PLN only")
            Path(options["qr_svg"]).write_text(qr_svg(payload), encoding="utf-8")
        if options["json"]:
            self.stdout.write(dump_json([i.as_dict() for i in found]))
            return
        for i in found:
            self.stdout.write(f"{i.currency}: {i.account_number} ({i.bank_name})")
            self.stdout.write(f"  recipient: {i.recipient_name}, {i.recipient_address}")
            self.stdout.write(f"  title:     {i.title_display}")
            if i.qr_payload:
                self.stdout.write(f"  QR (ZBP):  {i.qr_payload}")

    def accounts(self, options: dict) -> None:
        found = OperatorAccount.objects.order_by("currency", "-is_active")
        data = [
            {
                "currency": a.currency,
                "iban": a.iban,
                "bic": a.bic,
                "active": a.is_active,
                "recipient": a.recipient_name,
            }
            for a in found
        ]
        if options["json"]:
            self.stdout.write(dump_json(data))
            return
        rows = [("CUR", "IBAN", "BIC", "ACTIVE", "RECIPIENT")]
        rows += [
            (d["currency"], d["iban"], d["bic"], "yes" if d["active"] else "no", d["recipient"])
            for d in data
        ]
        for line in table(rows):
            self.stdout.write(line)

    def list(self, options: dict) -> None:
        found = Deposit.objects.select_related("entry").order_by("-id")
        if options.get("status"):
            found = found.filter(status=options["status"])
        if options["overdue"]:
            found = queries.overdue_refunds().select_related("entry")
        data = [_deposit_summary(d) for d in found[: options["limit"]]]
        if options["json"]:
            self.stdout.write(dump_json(data))
            return
        rows = [("ID", "STATUS", "REASON", "AMOUNT", "CUSTOMER", "SENDER", "DEADLINE")]
        for d in data:
            deadline = f"{d['refund_deadline']:%Y-%m-%d}" if d["refund_deadline"] else ""
            rows.append(
                (
                    str(d["id"]),
                    d["status"],
                    d["reason"],
                    d["amount"],
                    str(d["customer"] or ""),
                    d["sender"][:30],
                    deadline + (" OVERDUE" if d["overdue"] else ""),
                )
            )
        for line in table(rows):
            self.stdout.write(line)

    def _decide(self, options: dict, action, **kwargs) -> Deposit:
        user = acting_user(options.get("staff"))
        deposit = object_or_error(Deposit, options["id"], "deposit")
        result = run(lambda: action(deposit, acting_user=user, **kwargs))
        self.stdout.write(f"Deposit #{result.pk} {result.money}: {result.status}")
        return result

    def approve(self, options: dict) -> None:
        self._decide(options, actions.approve_deposit, reason=options.get("reason") or "")

    def reject(self, options: dict) -> None:
        self._decide(
            options,
            actions.reject_deposit,
            reason=options["reason"],
            destination_iban=options["to"],
            recipient_name=options["name"],
        )

    def refund(self, options: dict) -> None:
        self._decide(
            options,
            actions.refund_deposit,
            reason=options["reason"],
            destination_iban=options["to"],
            recipient_name=options["name"],
        )

    def assign(self, options: dict) -> None:
        customer = run(lambda: get_customer(options["customer"]))
        user = acting_user(options.get("staff"))
        deposit = object_or_error(Deposit, options["id"], "deposit")
        result = run(
            lambda: actions.assign_deposit(
                deposit, customer, acting_user=user, reason=options["reason"]
            )
        )
        self.stdout.write(f"Deposit #{result.pk} assigned to #{customer.pk}: {result.status}")

    def explain(self, options: dict) -> None:
        self._decide(options, actions.request_explanation, note=options["note"])

    def reoffer(self, options: dict) -> None:
        result = self._decide(options, actions.reoffer_deposit)
        self.stdout.write(f"claimed by: {result.claimed_by or '-'} {result.hook_error}")
