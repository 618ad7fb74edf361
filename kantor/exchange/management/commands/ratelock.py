"""``kantor ratelock``: the rate lock before payment from the command line (LOCK-1..15).

    kantor ratelock agreement CUSTOMER [--conclude | --end [--withdraw-open-orders]]
    kantor ratelock end-agreement CUSTOMER --reason TEXT [--allow-new] [--staff USER]
    kantor ratelock allow-new CUSTOMER --reason TEXT [--staff USER]
    kantor ratelock quote CUSTOMER PAIR
    kantor ratelock place CUSTOMER QUOTE_ID BUY|SELL VOLUME CURRENCY
                          [--payout-account ID] [--dry-run]
    kantor ratelock list [CUSTOMER] [--status STATUS]
    kantor ratelock show ORDER_ID|TITLE
    kantor ratelock run-deadlines          the scheduler's job, now (LOCK-9/10)
    kantor ratelock waive ORDER_ID|TITLE --reason TEXT [--staff USER]   (LOCK-11)

CUSTOMER is an e-mail, id or deposit title. Output is JSON. Refusals exit
non-zero with the reason and its code.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from kantor.exchange import actions, jobs
from kantor.exchange.cli import acting_user, add_acting_user_option, dump, run
from kantor.exchange.cli import customer as find_customer
from kantor.exchange.models import LockStatus, RateLockOrder
from kantor.exchange.presenters import lock_order_view, lock_preview_view


def _order(ref: str) -> RateLockOrder:
    import uuid

    try:
        key = Q(pk=uuid.UUID(ref))
    except ValueError:
        key = Q(title=ref.replace(" ", "").upper())
    order = RateLockOrder.objects.filter(key).first()
    if order is None:
        raise CommandError(f"no rate-locked order {ref!r}")
    return order


class Command(BaseCommand):
    help = "Rate lock before payment: agreement, quote, place, list, show, deadlines, waive."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        agr = sub.add_parser("agreement", help="show, conclude or end the agreement (LOCK-1)")
        agr.add_argument("customer")
        what = agr.add_mutually_exclusive_group()
        what.add_argument("--conclude", action="store_true")
        what.add_argument("--end", action="store_true")
        agr.add_argument("--withdraw-open-orders", action="store_true", help="LOCK-15")
        end = sub.add_parser("end-agreement", help="the operator ends the agreement (LOCK-1)")
        end.add_argument("customer")
        end.add_argument("--reason", required=True)
        end.add_argument("--allow-new", action="store_true", help="do not refuse a new one")
        add_acting_user_option(end)
        allow = sub.add_parser("allow-new", help="lift the refusal of a new agreement")
        allow.add_argument("customer")
        allow.add_argument("--reason", required=True)
        add_acting_user_option(allow)
        quote = sub.add_parser("quote", help="start placing: record the rates (LOCK-3)")
        quote.add_argument("customer")
        quote.add_argument("pair")
        place = sub.add_parser("place", help="place a rate-locked order (LOCK-2..14)")
        place.add_argument("customer")
        place.add_argument("quote_id")
        place.add_argument("side", choices=["BUY", "SELL"], type=str.upper)
        place.add_argument("volume")
        place.add_argument("currency", type=str.upper)
        place.add_argument("--payout-account", type=int, default=None)
        place.add_argument("--dry-run", action="store_true")
        lst = sub.add_parser("list", help="list rate-locked orders")
        lst.add_argument("customer", nargs="?")
        lst.add_argument("--status", choices=LockStatus.values)
        show = sub.add_parser("show", help="one order")
        show.add_argument("order")
        sub.add_parser("run-deadlines", help="execute waiting / cancel expired orders now")
        waive = sub.add_parser("waive", help="waive an order's damages (LOCK-11)")
        waive.add_argument("order")
        waive.add_argument("--reason", required=True)
        add_acting_user_option(waive)

    def handle(self, *args, action: str, **options) -> None:
        handler = getattr(self, "_" + action.replace("-", "_"))
        result = handler(**options)
        self.stdout.write(dump(result))

    def _agreement(self, *, customer: str, conclude: bool, end: bool, **options):
        who = find_customer(customer)
        if conclude:
            run(lambda: actions.conclude_agreement(who))
        elif end:
            run(
                lambda: actions.end_agreement_by_customer(
                    who, withdraw_open_orders=options["withdraw_open_orders"]
                )
            )
        row = who.rate_lock_agreements.order_by("-concluded_at").first()
        return {"status": row.status if row else "none", "refuse_new": bool(row and row.refuse_new)}

    def _end_agreement(self, *, customer: str, reason: str, allow_new: bool, staff, **options):
        who = find_customer(customer)
        row = run(
            lambda: actions.end_agreement_by_operator(
                who, reason=reason, refuse_new=not allow_new, acting_user=acting_user(staff)
            )
        )
        return {"status": row.status, "refuse_new": row.refuse_new, "reason": row.end_reason}

    def _allow_new(self, *, customer: str, reason: str, staff, **options):
        who = find_customer(customer)
        lifted = run(
            lambda: actions.allow_new_agreement(who, reason=reason, acting_user=acting_user(staff))
        )
        return {"lifted": lifted}

    def _quote(self, *, customer: str, pair: str, **options):
        q = run(lambda: actions.quote_rate_lock(find_customer(customer), pair))
        return {
            "quote_id": str(q.pk),
            "pair": q.pair,
            "mid": str(q.mid),
            "bid": str(q.bid),
            "ask": str(q.ask),
            "valid_until": q.expires_at.isoformat(),
        }

    def _place(
        self, *, customer: str, quote_id, side, volume, currency, payout_account, dry_run, **o
    ):
        who = find_customer(customer)
        if dry_run:
            preview = run(
                lambda: actions.preview_rate_lock(
                    who, quote_id, side, volume, currency, payout_account_id=payout_account
                )
            )
            return lock_preview_view(preview, payout_account)
        order = run(
            lambda: actions.place_rate_lock(
                who, quote_id, side, volume, currency,
                payout_account_id=payout_account, ordered_by="CLI",
            )
        )  # fmt: skip
        return lock_order_view(order)

    def _list(self, *, customer: str | None, status: str | None, **options):
        rows = RateLockOrder.objects.all()
        if customer:
            rows = rows.filter(customer=find_customer(customer))
        if status:
            rows = rows.filter(status=status)
        return [lock_order_view(o) for o in rows.order_by("-placed_at")[:200]]

    def _show(self, *, order: str, **options):
        return lock_order_view(_order(order))

    def _run_deadlines(self, **options):
        return run(lambda: jobs.deadlines(timezone.now()))

    def _waive(self, *, order: str, reason: str, staff, **options):
        row = run(
            lambda: actions.waive_damages(
                _order(order), reason=reason, acting_user=acting_user(staff)
            )
        )
        return lock_order_view(row)
