"""``kantor treasury``: the operator's net open position per currency (what to hedge).

kantor treasury            a table: booked (trading accounts), committed
                           (open rate-locked orders), total, PLN value; income
kantor treasury --json     the same as JSON
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from kantor.exchange.cli import dump
from kantor.exchange.treasury import treasury_position


class Command(BaseCommand):
    help = "The operator's net open position per currency, from its own trades."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, json: bool = False, **options) -> None:
        book = treasury_position()
        if json:
            self.stdout.write(dump(book.as_dict()))
            return
        self.stdout.write(f"Treasury position at {book.at:%Y-%m-%d %H:%M:%S %Z}")
        self.stdout.write(
            f"{'currency':<9}{'booked':>16}{'committed':>16}{'total':>16}{'total PLN':>16}"
        )
        for p in book.positions:
            pln = "n/a" if p.total_pln is None else str(p.total_pln.amount)
            self.stdout.write(
                f"{p.currency:<9}{p.booked.amount!s:>16}{p.committed.amount!s:>16}"
                f"{p.total.amount!s:>16}{pln:>16}"
            )
        if not book.positions:
            self.stdout.write("(no open position)")
        net = book.net_pln
        self.stdout.write(f"net PLN value: {net.amount if net is not None else 'n/a'}")
        self.stdout.write(f"open rate-locked orders: {book.open_locked_orders}")
        for kind, amounts in book.income.items():
            shown = ", ".join(str(m) for m in amounts) or "0"
            self.stdout.write(f"{kind}: {shown}")
