"""MKT-12: the top of a pair's book, as the matcher publishes it after each batch.

The book lives in the matcher's memory; the web processes answer
``best_offers``, ``best_offers/detailed`` and the public ``book.json`` from
the snapshot the matcher stores, in the same transaction, with every batch
that changed it (``MatcherState.book``), so they never rebuild a book per
request and always show a state that really was: the book as of command
``seq`` at ``ts``, unchanged since.

Layout (integers: ticks and minor units, converted at the edges)::

    {"ts": "...Z", "seq": 42,
     "bids": [[price, base, quote, [[seq, customer_id, base, quote, orderId, ts], ...]], ...],
     "asks": [...]}

Bids best (highest) first, asks best (lowest) first; each level's quotes in
time priority (MKT-4), at most ``MAX_QUOTES`` of them. A level's ``quote`` is
its base volume valued at its price, rounded as the taker would pay (asks,
up) or receive (bids, down) — MON-2 (``OrderBook.depth``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from kantor.domain.money import CurrencyPair, Money
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import Side

__all__ = ["MAX_QUOTES", "Level", "Quote", "levels", "take_snapshot"]

#: Individual offers kept per price level (best_offers/detailed): the snapshot
#: is rewritten with every batch that changes it, so it is kept small.
MAX_QUOTES = 20


def take_snapshot(
    book: OrderBook,
    views: Mapping[int, object],
    *,
    depth: int,
    seq: int,
    ts: str,
) -> dict:
    """The top ``depth`` levels of each side of ``book`` after command ``seq``."""
    out: dict = {"ts": ts, "seq": seq}
    for name, side in (("bids", Side.BUY), ("asks", Side.SELL)):
        rows = []
        for level in book.depth(side, depth):
            quotes = []
            for q in book.orders_at(side, level.price)[:MAX_QUOTES]:
                view = views.get(q.order_id)
                order_id = getattr(view, "order_id", "")
                submitted = getattr(view, "submitted_ts", "")
                quotes.append([q.order_id, q.owner, q.base, q.quote, order_id, submitted])
            rows.append([level.price, level.base, level.quote, quotes])
        out[name] = rows
    return out


@dataclass(frozen=True)
class Quote:
    """One resting offer (best_offers/detailed ``quotes``)."""

    customer_id: int
    volume: Money
    value: Money
    order_id: str
    ts: str


@dataclass(frozen=True)
class Level:
    """One aggregated price level (best_offers ``bids``/``asks``)."""

    price: Decimal
    volume: Money
    value: Money
    quotes: tuple[Quote, ...]


def levels(snapshot: dict, pair: CurrencyPair, side: str, limit: int) -> list[Level]:
    """Read ``side`` (``"bids"``/``"asks"``) of a stored snapshot, best first."""
    base, quote = pair.base, pair.quote
    out = []
    for price, vol, val, quotes in (snapshot.get(side) or [])[:limit]:
        out.append(
            Level(
                price=Decimal(price).scaleb(-pair.rate_decimals).quantize(pair.rate_quantum),
                volume=Money.from_minor(vol, base),
                value=Money.from_minor(val, quote),
                quotes=tuple(
                    Quote(owner, Money.from_minor(b, base), Money.from_minor(v, quote), oid, ts)
                    for _seq, owner, b, v, oid, ts in quotes
                ),
            )
        )
    return out
