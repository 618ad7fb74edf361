"""``kantor market``: the book, a customer's orders, operator cancels, the matchers.

    kantor market book PAIR [--levels N]          the public book (MKT-12)
    kantor market trades PAIR [--limit N]         the last trades (MKT-12)
    kantor market orders --customer EMAIL         a customer's orders, newest first
    kantor market cancel ORDER_ID --reason TEXT   an operator's cancel (MKT-9, TERM-3), audited
    kantor market matcher --pair PAIR | --all     run matchers until stopped (``kantor run``
                          [--once]                starts ``--all``); --once drains and exits

Thin: every write goes through ``kantor.market.actions``; refusals print
their code and exit non-zero.
"""

from __future__ import annotations

import json
import signal
import threading

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kantor.core.audit import audit_context
from kantor.customers.models import Customer
from kantor.market import actions, queries
from kantor.market.errors import MarketError
from kantor.market.matcher import run_forever, run_matcher_once
from kantor.market.models import MarketSequence
from kantor.rates.errors import RatesError
from kantor.rates.queries import offered_pairs


class Command(BaseCommand):
    help = "The P2P market: show the book, trades and orders; cancel; run the matchers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        book = sub.add_parser("book", help="the public order book of a pair")
        book.add_argument("pair")
        book.add_argument("--levels", type=int, default=10)
        book.add_argument("--json", action="store_true", dest="as_json")
        trades = sub.add_parser("trades", help="the last trades of a pair")
        trades.add_argument("pair")
        trades.add_argument("--limit", type=int, default=20)
        orders = sub.add_parser("orders", help="a customer's orders, newest first")
        orders.add_argument("--customer", required=True, metavar="EMAIL")
        orders.add_argument("--limit", type=int, default=50)
        cancel = sub.add_parser("cancel", help="cancel an order as the operator (audited)")
        cancel.add_argument("order_id")
        cancel.add_argument("--reason", required=True)
        matcher = sub.add_parser("matcher", help="run the matcher of a pair, or of all pairs")
        which = matcher.add_mutually_exclusive_group(required=True)
        which.add_argument("--pair", action="append", metavar="PAIR")
        which.add_argument("--all", action="store_true", help="every offered or opened pair")
        matcher.add_argument("--once", action="store_true", help="apply what is pending, exit")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except (MarketError, RatesError) as exc:
            raise CommandError(f"{exc.code}: {exc}") from None

    def _book(self, pair: str, levels: int, as_json: bool, **_) -> None:
        book = queries.book(pair, levels)
        if as_json:
            self.stdout.write(_dumps(book))
            return
        p = book.pair
        self.stdout.write(f"{p} book after command #{book.seq} ({book.ts or 'never matched'})")
        self.stdout.write(f"{'ASKS':>6} {'rate':>10} {p.base.code:>14} {p.quote.code:>14}")
        for lv in reversed(book.asks):
            self.stdout.write(
                f"{'':>6} {lv.price:>10} {lv.volume.amount:>14} {lv.value.amount:>14}"
            )
        self.stdout.write(f"{'BIDS':>6}")
        for lv in book.bids:
            self.stdout.write(
                f"{'':>6} {lv.price:>10} {lv.volume.amount:>14} {lv.value.amount:>14}"
            )

    def _trades(self, pair: str, limit: int, **_) -> None:
        for t in queries.last_trades(pair, limit):
            self.stdout.write(f"{t.ts:%Y-%m-%d %H:%M:%S} {t.taker_side:4} {t.volume} @ {t.price}")

    def _orders(self, customer: str, limit: int, **_) -> None:
        found = Customer.objects.filter(email__iexact=customer.strip()).first()
        if found is None:
            raise CommandError(f"no customer {customer}")
        for o in queries.customer_orders(found, limit=limit):
            self.stdout.write(
                f"{o.order_id} {o.pair} {o.side:4} {o.volume} @ {o.limit_price.normalize()} "
                f"{o.status}{' ' + o.close_reason if o.close_reason else ''} "
                f"sold {o.sold} bought {o.bought} fee {o.commission}"
            )

    def _cancel(self, order_id: str, reason: str, **_) -> None:
        with audit_context(via="cli"):
            order = actions.cancel_order(order_id, acting_user=None, reason=reason)
        self.stdout.write(f"cancel of {order.order_id} accepted as command #{order.cancel_seq}")

    def _matcher(self, pair: list[str] | None, all: bool, once: bool, **_) -> None:
        codes = pair or sorted(
            {p.code for p in offered_pairs()}
            | set(MarketSequence.objects.values_list("pair", flat=True))
        )
        if once:
            for code in codes:
                results = run_matcher_once(code)
                commands = sum(r.commands for r in results)
                trades = sum(r.trades for r in results)
                self.stdout.write(f"{code}: {commands} commands, {trades} trades")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        run_forever(codes, stop)


def _dumps(book: queries.Book) -> str:
    def levels(rows):
        return [
            {"rate": str(lv.price), "volume": str(lv.volume.amount), "value": str(lv.value.amount)}
            for lv in rows
        ]

    return json.dumps(
        {"pair": book.pair.code, "ts": book.ts, "seq": book.seq,
         "bids": levels(book.bids), "asks": levels(book.asks)},
        indent=2,
    )  # fmt: skip
