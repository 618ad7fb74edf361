"""Reads of the market (API, CLI, public JSON, the ledger check); no writes here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Sum

from kantor.customers.models import Customer
from kantor.domain.money import CurrencyPair, Money

from .models import MatcherState, Order, OrderStatus, Trade
from .pairs import market_pair
from .snapshot import Level, levels

__all__ = [
    "Book",
    "active_orders",
    "book",
    "customer_orders",
    "find_order",
    "last_trades",
    "reserved_by_open_orders",
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


@dataclass(frozen=True)
class Book:
    """MKT-12: a pair's published book (``kantor.market.snapshot``)."""

    pair: CurrencyPair
    ts: str | None
    seq: int
    bids: list[Level]
    asks: list[Level]


def book(pair: str | CurrencyPair, limit: int = 10) -> Book:
    """The top ``limit`` levels per side as the matcher last published them.

    ``PairNotOffered`` (CURRENCY_NOT_SUPPORTED) for a pair the operator
    does not offer.
    """
    market = market_pair(pair)
    state = MatcherState.objects.filter(pair=market.code).first()
    snapshot = (state.book if state else None) or {}
    return Book(
        pair=market.pair,
        ts=snapshot.get("ts"),
        seq=int(snapshot.get("seq") or 0),
        bids=levels(snapshot, market.pair, "bids", limit),
        asks=levels(snapshot, market.pair, "asks", limit),
    )


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
