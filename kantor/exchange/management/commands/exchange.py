"""``kantor exchange``: exchanges with the operator from the command line (FX-1, FX-2).

    kantor exchange instant CUSTOMER PAIR BUY|SELL VOLUME CURRENCY [--ts TS] [--dry-run]
        FX-1 at the published rate ``--ts`` (default: the current one)
    kantor exchange list [CUSTOMER]
    kantor exchange deposit-order CUSTOMER PAIR BUY|SELL VOLUME CURRENCY PAYOUT_ACCOUNT_ID
        FX-2: prints the transfer title and the operator's account
    kantor exchange deposit-orders [CUSTOMER] [--status STATUS]
    kantor exchange cancel-deposit-order ORDER_ID

CUSTOMER is an e-mail, id or deposit title. Output is JSON. Refusals exit
non-zero with the reason and its code.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kantor.api.formats import format_ts
from kantor.exchange import actions
from kantor.exchange.cli import customer as find_customer
from kantor.exchange.cli import dump, parse_moment, run
from kantor.exchange.models import DepositOrder, DepositOrderStatus, Exchange
from kantor.exchange.presenters import deposit_order_view
from kantor.rates.queries import current_rate


def _exchange(e: Exchange) -> dict:
    return {
        "exchange_id": str(e.pk),
        "customer": e.customer_id,
        "source": e.source,
        "pair": e.pair,
        "side": e.side,
        "rate": str(e.rate),
        "rate_ts": format_ts(e.rate_ts) if e.rate_ts else None,
        "sold": str(e.sold),
        "bought": str(e.bought),
        "margin_minor": e.margin_minor,
        "at": format_ts(e.created_at),
    }


class Command(BaseCommand):
    help = "Exchange with the operator: instant (FX-1) and on deposit (FX-2)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        inst = sub.add_parser("instant", help="exchange available funds now (FX-1)")
        self._order_args(inst)
        inst.add_argument("--ts", help="the published rate's ts (default: the current rate)")
        inst.add_argument("--dry-run", action="store_true")
        lst = sub.add_parser("list", help="exchanges with the operator")
        lst.add_argument("customer", nargs="?")
        dep = sub.add_parser("deposit-order", help="create an exchange-on-deposit order (FX-2)")
        self._order_args(dep)
        dep.add_argument("payout_account", type=int)
        deps = sub.add_parser("deposit-orders", help="list exchange-on-deposit orders")
        deps.add_argument("customer", nargs="?")
        deps.add_argument("--status", choices=DepositOrderStatus.values)
        cancel = sub.add_parser("cancel-deposit-order", help="cancel before the transfer")
        cancel.add_argument("order_id")

    @staticmethod
    def _order_args(parser: CommandParser) -> None:
        parser.add_argument("customer")
        parser.add_argument("pair")
        parser.add_argument("side", choices=["BUY", "SELL"], type=str.upper)
        parser.add_argument("volume")
        parser.add_argument("currency", type=str.upper)

    def handle(self, *args, action: str, **options) -> None:
        self.stdout.write(dump(getattr(self, "_" + action.replace("-", "_"))(**options)))

    def _instant(self, *, customer, pair, side, volume, currency, ts, dry_run, **options):
        who = find_customer(customer)
        rate_ts = (
            parse_moment(ts, "--ts") if ts else run(lambda: current_rate(pair, who.segment)).ts
        )
        if dry_run:
            plan = run(lambda: actions.preview_instant(who, pair, side, volume, currency, rate_ts))
            return {"dry_run": True, "rate": str(plan.rate), "sold": str(plan.sold),
                    "bought": str(plan.bought)}  # fmt: skip
        exchange = run(
            lambda: actions.exchange_instant(
                who, pair, side, volume, currency, rate_ts, ordered_by="CLI"
            )
        )
        return _exchange(exchange)

    def _list(self, *, customer, **options):
        rows = Exchange.objects.all()
        if customer:
            rows = rows.filter(customer=find_customer(customer))
        return [_exchange(e) for e in rows.order_by("-created_at")[:200]]

    def _deposit_order(self, *, customer, pair, side, volume, currency, payout_account, **o):
        who = find_customer(customer)
        order = run(
            lambda: actions.create_deposit_order(
                who, pair, side, volume, currency, payout_account, ordered_by="CLI"
            )
        )
        return deposit_order_view(order)

    def _deposit_orders(self, *, customer, status, **options):
        rows = DepositOrder.objects.all()
        if customer:
            rows = rows.filter(customer=find_customer(customer))
        if status:
            rows = rows.filter(status=status)
        return [deposit_order_view(o) for o in rows.order_by("-created_at")[:200]]

    def _cancel_deposit_order(self, *, order_id, **options):
        import uuid

        try:
            order = DepositOrder.objects.filter(pk=uuid.UUID(order_id)).first()
        except ValueError:
            order = None
        if order is None:
            raise CommandError(f"no deposit order {order_id!r}")
        return deposit_order_view(run(lambda: actions.cancel_deposit_order(order)))
