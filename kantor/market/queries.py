"""Reads of the market (API, CLI, public JSON, the ledger check); no writes here."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import F, Q, Sum

from kantor.api.formats import format_ts, rate_at_decimals
from kantor.customers.models import Customer
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.orderbook_events import OrderState, Side
from kantor.ledger.models import LedgerTransaction

from .models import BuySell, MatcherState, Order, OrderStatus, Trade
from .pairs import MarketPair, market_pair
from .snapshot import Level, complete_for, levels, take_snapshot

log = logging.getLogger("kantor.market")

__all__ = [
    "Book",
    "CustomerTrade",
    "active_orders",
    "book",
    "closed_orders",
    "customer_orders",
    "customer_trades",
    "find_order",
    "last_trades",
    "reserved_by_open_orders",
    "trade_ids_by_transaction",
]


def reserved_by_open_orders() -> dict[tuple[int, str], int]:
    """MKT-2, MON-5: what active orders hold in reserved balances (``kantor ledger check``).

    An active order holds its cover less what its trades spent; a closed one
    holds nothing (its rest was released in the batch that closed it).
    """
    rows = (
        Order.objects.filter(status=OrderStatus.ACTIVE)
        .values("customer_id", "sold_currency")
        .annotate(held=Sum(F("reserved_minor") - F("sold_minor")))
        .order_by()
    )
    return {(r["customer_id"], r["sold_currency"]): int(r["held"]) for r in rows if r["held"]}


def find_order(customer: Customer, order_id: str) -> Order | None:
    """The customer's order with this id, or None (also for a malformed id)."""
    try:
        key = uuid.UUID(str(order_id))
    except ValueError:
        return None
    return Order.objects.filter(customer=customer, order_id=key).first()


def active_orders(
    customer: Customer, *, limit: int = 10, older_than: datetime | None = None
) -> list[Order]:
    """ACTIVE orders, most recently submitted first (the reference's /orders/active)."""
    rows = Order.objects.filter(customer=customer, status=OrderStatus.ACTIVE)
    if older_than is not None:
        rows = rows.filter(submitted_at__lt=older_than)
    return list(rows.order_by("-submitted_at", "-id")[:limit])


def customer_orders(customer: Customer, *, limit: int = 50) -> list[Order]:
    return list(Order.objects.filter(customer=customer).order_by("-submitted_at", "-id")[:limit])


def closed_orders(customer: Customer, *, limit: int = 10) -> list[Order]:
    """CLOSED orders, most recently closed first (the panel's recent orders)."""
    rows = Order.objects.filter(customer=customer, status=OrderStatus.CLOSED)
    return list(rows.order_by(F("closed_at").desc(nulls_last=True), "-id")[:limit])


@dataclass(frozen=True)
class Book:
    """MKT-12: a pair's published book (``kantor.market.snapshot``)."""

    pair: CurrencyPair
    ts: str | None
    seq: int
    bids: list[Level]
    asks: list[Level]


def book(pair: str | CurrencyPair, limit: int = 10, *, all_quotes: bool = False) -> Book:
    """MKT-12: the best ``limit`` levels per side, each with its offers.

    Read from the snapshot the matcher published when it holds the answer
    (the usual case: the top of the book, at most ``MAX_QUOTES`` offers per
    level); else — more levels than it holds, or ``all_quotes`` for a level
    with more offers — rebuilt from the orders resting at ``applied_seq``,
    the state the snapshot describes.

    ``PairNotOffered`` (CURRENCY_NOT_SUPPORTED) for a pair the operator
    does not offer.
    """
    market = market_pair(pair)
    state = MatcherState.objects.filter(pair=market.code).first()
    snapshot = (state.book if state else None) or {}
    if state is not None and not all(
        complete_for(snapshot, side, limit, quotes=all_quotes) for side in ("bids", "asks")
    ):
        snapshot = _deep_snapshot(market, limit) or snapshot
    return Book(
        pair=market.pair,
        ts=snapshot.get("ts"),
        seq=int(snapshot.get("seq") or 0),
        bids=levels(snapshot, market.pair, "bids", limit),
        asks=levels(snapshot, market.pair, "asks", limit),
    )


class _Resting(NamedTuple):
    order_id: str
    submitted_ts: str


_RESTING_FIELDS = (
    "seq", "order_id", "customer_id", "side", "limit_price", "volume_minor",
    "volume_currency", "sold_minor", "bought_minor", "submitted_at",
)  # fmt: skip

#: Attempts at reading the resting orders between two matcher commits.
_DEEP_ATTEMPTS = 5
_NO_CUTOFF = 2**31


def _deep_snapshot(market: MarketPair, limit: int) -> dict | None:
    """The best ``limit`` levels with every offer, from the orders resting at
    ``applied_seq`` (as ``Matcher.load`` rebuilds its book).

    The matcher moves ``applied_seq`` in the same transaction as the orders'
    fills, so a read that finds it unchanged before and after saw one state;
    a matcher committing all along (no stable read in ``_DEEP_ATTEMPTS``)
    leaves the caller with the published snapshot (None).
    """
    code, scale = market.code, market.scale
    for _ in range(_DEEP_ATTEMPTS):
        state = MatcherState.objects.filter(pair=code).values("applied_seq", "updated_at").first()
        if state is None:
            return None
        applied = state["applied_seq"]
        resting = Order.objects.filter(pair=code, status=OrderStatus.ACTIVE, seq__lte=applied)
        rows = []
        for side, best_first, within in (
            (BuySell.BUY, "-limit_price", "limit_price__gte"),
            (BuySell.SELL, "limit_price", "limit_price__lte"),
        ):
            chosen = resting.filter(side=side)
            prices = chosen.order_by(best_first).values_list("limit_price", flat=True).distinct()
            # (a limit beyond any real book, and the database's integers: every level)
            cutoff = list(prices[limit - 1 : limit]) if limit < _NO_CUTOFF else []
            if cutoff:  # only the orders of the side's best ``limit`` rate levels
                chosen = chosen.filter(**{within: cutoff[0]})
            rows += chosen.values(*_RESTING_FIELDS)
        moved = MatcherState.objects.filter(pair=code).values_list("applied_seq", flat=True)
        if moved.first() == applied:
            break
    else:
        log.info("%s: the matcher kept committing; best offers from the snapshot", code)
        return None
    engine = market.new_book()
    states, views = [], {}
    for row in sorted(rows, key=lambda r: r["seq"]):
        buy = row["side"] == BuySell.BUY
        in_quote = row["volume_currency"] == market.pair.quote.code
        base_filled = row["bought_minor"] if buy else row["sold_minor"]
        quote_filled = row["sold_minor"] if buy else row["bought_minor"]
        remaining = row["volume_minor"] - (quote_filled if in_quote else base_filled)
        side = Side.BUY if buy else Side.SELL
        ticks = scale.ticks(row["limit_price"])
        states.append(
            OrderState(row["seq"], row["customer_id"], side, ticks, remaining, in_quote,
                       base_filled, quote_filled)
        )  # fmt: skip
        views[row["seq"]] = _Resting(str(row["order_id"]), format_ts(row["submitted_at"]))
    engine.restore(states)
    ts = format_ts(state["updated_at"]) if state["updated_at"] else ""
    return take_snapshot(engine, views, depth=limit, seq=applied, ts=ts, max_quotes=None)


@dataclass(frozen=True)
class PublicTrade:
    ts: datetime
    price: str
    volume: Money
    value: Money
    taker_side: str


def last_trades(pair: str | CurrencyPair, limit: int = 50) -> list[PublicTrade]:
    """MKT-12: the pair's latest trades, newest first, without who traded."""
    market = market_pair(pair)
    p = market.pair
    rows = Trade.objects.filter(pair=market.code).order_by("-id")[:limit]
    return [
        PublicTrade(
            ts=t.created_at,
            price=str(t.price.quantize(p.rate_quantum)),
            volume=Money.from_minor(t.base_minor, p.base),
            value=Money.from_minor(t.quote_received_minor, p.quote),
            taker_side=t.taker_side,
        )
        for t in rows
    ]


@dataclass(frozen=True)
class CustomerTrade:
    """MKT-10, DOC-1: one trade from the customer's side, as its proof states it."""

    trade_id: int
    ts: datetime
    #: BUY: the customer bought the pair's base currency (and paid in the quote one).
    side: str
    volume: Money
    price: Decimal
    #: What the customer paid (BUY, rounded up) or received (SELL, rounded down), MON-2.
    value: Money
    #: FEE-1: in the currency the customer received.
    commission: Money


def customer_trades(
    customer: Customer, pair: str | CurrencyPair, limit: int = 20
) -> list[CustomerTrade]:
    """MKT-10, DOC-1: the customer's latest trades in the pair, newest first.

    Read once as maker and once as taker: each side can go from the customer's
    orders through the trade's foreign-key index (an OR of the two sides
    cannot), so a customer with few trades in a busy pair costs little.
    """
    market = market_pair(pair)
    p = market.pair
    mine = Trade.objects.filter(pair=market.code)
    as_maker = mine.filter(maker__customer=customer).order_by("-id")[:limit]
    as_taker = mine.filter(taker__customer=customer).order_by("-id")[:limit]
    sides = [(t, _opposite(t.taker_side)) for t in as_maker]
    sides += [(t, t.taker_side) for t in as_taker]
    sides.sort(key=lambda row: row[0].id, reverse=True)
    trades = []
    for t, side in sides[:limit]:
        bought_base = side == BuySell.BUY
        trades.append(
            CustomerTrade(
                trade_id=t.id,
                ts=t.created_at,
                side=side,
                volume=Money.from_minor(t.base_minor, p.base),
                price=rate_at_decimals(t.price, p),
                value=Money.from_minor(
                    t.quote_paid_minor if bought_base else t.quote_received_minor, p.quote
                ),
                commission=(
                    Money.from_minor(t.buyer_commission_minor, p.base)
                    if bought_base
                    else Money.from_minor(t.seller_commission_minor, p.quote)
                ),
            )
        )
    return trades


def _opposite(side: str) -> str:
    return BuySell.SELL if side == BuySell.BUY else BuySell.BUY


def trade_ids_by_transaction(
    customer: Customer, transactions: Iterable[LedgerTransaction]
) -> dict[uuid.UUID, int]:
    """DOC-1: {ledger transaction id: trade id} for the customer's trades booked by
    ``transactions`` (the panel's history links each to its proof), in one query.

    ``Trade.transaction_id`` has no index; the trade's unique key ``pair:seq:n``
    is in its transaction's ``tradeId`` (``kantor.market.settlement``), so the
    trades are found through ``market_trade_unique`` instead.
    """
    keys = Q()
    for tx in transactions:
        trade_key = (tx.details or {}).get("tradeId", "")
        code, _, rest = str(trade_key).partition(":")
        seq, _, n = rest.partition(":")
        if seq.isdigit() and n.isdigit():
            keys |= Q(pair=code, seq=int(seq), n=int(n), transaction_id=tx.id)
    if not keys:
        return {}
    rows = Trade.objects.filter(keys).filter(
        Q(maker__customer=customer) | Q(taker__customer=customer)
    )
    return dict(rows.values_list("transaction_id", "id"))
