"""The reference the durable market is checked against: the accepted commands,
in sequence, through a fresh pure engine (``kantor.domain.orderbook``)."""

from __future__ import annotations

from decimal import Decimal

from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import EventKind, Side
from kantor.market.models import Order, Trade
from kantor.market.pairs import market_pair


def replay(pair: str = "EURPLN", mid: str = "4.3000") -> tuple[list[tuple], OrderBook]:
    """(fills, final book) of the pair's whole command log at a constant mid."""
    market = market_pair(pair, offered_only=False)
    book = market.new_book()
    band = market.scale.price_band(Decimal(mid))
    commands = []
    for o in Order.objects.filter(pair=market.code):
        commands.append((o.seq, "submit", o))
        if o.cancel_seq is not None:
            commands.append((o.cancel_seq, "cancel", o))
    fills = []
    for _seq, kind, o in sorted(commands, key=lambda c: c[0]):
        if kind == "cancel":
            book.cancel(o.seq)
            continue
        side = Side.BUY if o.side == "BUY" else Side.SELL
        in_quote = o.volume_currency == market.pair.quote.code
        ticks = market.scale.ticks(o.limit_price)
        for event in book.submit(o.seq, o.customer_id, side, ticks, o.volume_minor, in_quote, band):
            if event[0] is EventKind.FILL:
                fills.append((event[1], event[2], event[5], event[6], event[7], event[8]))
    return fills, book


def booked_fills(pair: str = "EURPLN") -> list[tuple]:
    """The trades the market booked, in the replay's tuple form."""
    market = market_pair(pair, offered_only=False)
    rows = Trade.objects.filter(pair=market.code).select_related("maker", "taker")
    return [
        (t.maker.seq, t.taker.seq, market.scale.ticks(t.price), t.base_minor,
         t.quote_paid_minor, t.quote_received_minor)
        for t in rows.order_by("seq", "n")
    ]  # fmt: skip
