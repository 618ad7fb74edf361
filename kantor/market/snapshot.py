"""MKT-12: the top of a pair's book, as the matcher publishes it after each batch.

The book lives in the matcher's memory; the web processes answer
``best_offers``, ``best_offers/detailed`` and the public ``book.json`` from
the snapshot the matcher stores, in the same transaction, with every batch
that changed it (``MatcherState.book``), so they do not rebuild a book per
request and always show a state that really was: the book as of command
``seq`` at ``ts``, unchanged since.

Layout (integers: ticks and minor units, converted at the edges)::

    {"ts": "...Z", "seq": 42,
     "bids": [[price, base, quote, [[seq, customer_id, base, quote, orderId, ts], ...], n], ...],
     "asks": [...],
     "more": {"bids": false, "asks": true}}

Bids best (highest) first, asks best (lowest) first; each level's quotes in
time priority (MKT-4), at most ``MAX_QUOTES`` of them out of the level's
``n``. A level's ``quote`` is its base volume valued at its price, rounded as
the taker would pay (asks, up) or receive (bids, down) — MON-2
(``OrderBook.depth``). ``more`` says whether a side has levels beyond the
published ones.

The snapshot is kept small, so it is only the top of the book: a reader that
needs more (best_offers/detailed's ``itemLimit`` has no upper bound in the
reference, and its ``quotes`` list every offer of a level) asks
``complete_for`` whether the snapshot answers it, and otherwise rebuilds the
book from the orders resting at ``applied_seq`` (``kantor.market.queries``).
Snapshots stored before ``more`` and ``n`` existed are read as published at
``LEGACY_DEPTH`` levels, a level with ``MAX_QUOTES`` offers as truncated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from kantor.domain.money import CurrencyPair, Money
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import Side

__all__ = ["MAX_QUOTES", "Level", "Quote", "complete_for", "levels", "take_snapshot"]

#: Individual offers kept per price level (best_offers/detailed): the snapshot
#: is rewritten with every batch that changes it, so it is kept small.
MAX_QUOTES = 20

#: Levels per side of snapshots stored before they said whether there are more.
LEGACY_DEPTH = 20


def take_snapshot(
    book: OrderBook,
    views: Mapping[int, object],
    *,
    depth: int,
    seq: int,
    ts: str,
    max_quotes: int | None = MAX_QUOTES,
) -> dict:
    """The top ``depth`` levels of each side of ``book`` after command ``seq``,
    each with its first ``max_quotes`` offers (None: all of them)."""
    out: dict = {"ts": ts, "seq": seq}
    more = {}
    for name, side in (("bids", Side.BUY), ("asks", Side.SELL)):
        rows = []
        found = book.depth(side, depth + 1)
        for level in found[:depth]:
            queued = book.orders_at(side, level.price)
            quotes = []
            for q in queued if max_quotes is None else queued[:max_quotes]:
                view = views.get(q.order_id)
                order_id = getattr(view, "order_id", "")
                submitted = getattr(view, "submitted_ts", "")
                quotes.append([q.order_id, q.owner, q.base, q.quote, order_id, submitted])
            rows.append([level.price, level.base, level.quote, quotes, len(queued)])
        out[name] = rows
        more[name] = len(found) > depth
    out["more"] = more
    return out


def complete_for(snapshot: dict, side: str, limit: int, *, quotes: bool) -> bool:
    """Does the stored ``snapshot`` hold the best ``limit`` levels of ``side``
    (and, with ``quotes``, every offer of each of them)?"""
    rows = snapshot.get(side) or []
    more = (snapshot.get("more") or {}).get(side)
    if more is None:  # stored before ``more``: published at the default depth
        more = len(rows) >= LEGACY_DEPTH
    if limit > len(rows) and more:
        return False
    if quotes:
        for row in rows[:limit]:
            shown = len(row[3])
            count = row[4] if len(row) > 4 else shown + (shown >= MAX_QUOTES)
            if count > shown:
                return False
    return True


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
    for price, vol, val, quotes, *_count in (snapshot.get(side) or [])[:limit]:
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
