"""A tiny, obviously correct matching engine: the oracle of the differential tests.

Same semantics as ``kantor.domain.orderbook`` (read its module docstring), none
of its cleverness: the book is one list, every step re-sorts the candidates,
each order is a small dataclass that recomputes what it may still trade from
its volume and totals, and amounts are exact ``Fraction`` values rounded with
``math.floor``/``math.ceil``. Slow on purpose; only tests use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from kantor.domain.orderbook_events import (
    CancelRejected,
    Done,
    DoneReason,
    EventKind,
    Fill,
    Rested,
    Side,
)


@dataclass
class RefOrder:
    order_id: int
    owner: int
    side: Side
    price: int
    volume: int
    in_quote: bool
    reservation: int  # MKT-2: quote units for a buy, base units for a sell
    base_filled: int = 0
    quote_filled: int = 0  # paid by a buyer, received by a seller

    @property
    def remaining(self) -> int:
        """What is left of the volume, in the volume's currency."""
        filled = self.quote_filled if self.in_quote else self.base_filled
        return self.volume - filled

    def max_fill(self, price: int, d: int) -> int:
        """Base units this order may still trade at ``price``: every limit it has."""
        limits = []
        if self.in_quote:  # pay or receive at most the rest of the quote volume
            limits.append(math.floor(Fraction(self.remaining * d, price)))
        else:
            limits.append(self.remaining)
        if self.side is Side.BUY and not self.in_quote:  # never spend past the reservation
            limits.append(math.floor(Fraction((self.reservation - self.quote_filled) * d, price)))
        if self.side is Side.SELL and self.in_quote:  # never sell past the reservation
            limits.append(self.reservation - self.base_filled)
        return min(limits)


class ReferenceBook:
    def __init__(
        self,
        base_minor_units: int,
        quote_minor_units: int,
        rate_decimals: int,
        *,
        min_base: int = 0,
        min_quote: int = 0,
    ) -> None:
        self.d = 10 ** (base_minor_units + rate_decimals - quote_minor_units)
        self.min_base = min_base
        self.min_quote = min_quote
        self.book: list[RefOrder] = []

    # helpers -----------------------------------------------------------------
    def reservation(self, side: Side, price: int, volume: int, in_quote: bool) -> int:
        value = Fraction(volume * price, self.d)
        if side is Side.BUY:
            return volume if in_quote else math.ceil(value)
        return math.floor(Fraction(volume * self.d, price)) if in_quote else volume

    def below_minimum(self, o: RefOrder) -> bool:
        """MKT-8, valued at the order's own limit."""
        if o.in_quote:
            quote, base = Fraction(o.remaining), Fraction(o.remaining * self.d, o.price)
        else:
            quote, base = Fraction(o.remaining * o.price, self.d), Fraction(o.remaining)
        return quote < self.min_quote or base < self.min_base

    def done(self, o: RefOrder, reason: DoneReason) -> Done:
        return Done(
            EventKind.DONE, o.order_id, o.owner, o.side, reason,
            o.base_filled, o.quote_filled, o.remaining,
        )  # fmt: skip

    def crosses(self, taker: RefOrder, maker: RefOrder) -> bool:
        if maker.side == taker.side:
            return False
        if taker.side is Side.BUY:
            return taker.price >= maker.price
        return taker.price <= maker.price

    def priority(self, o: RefOrder) -> tuple[int, int]:
        """MKT-4: best price first (lowest ask, highest bid), then earliest id."""
        return (o.price if o.side is Side.SELL else -o.price, o.order_id)

    # commands ----------------------------------------------------------------
    def submit(
        self,
        order_id: int,
        owner: int,
        side: Side,
        price: int,
        volume: int,
        in_quote: bool = False,
        band: tuple[int, int] | None = None,
    ) -> list:
        d = self.d
        taker = RefOrder(
            order_id, owner, side, price, volume, in_quote,
            self.reservation(side, price, volume, in_quote),
        )  # fmt: skip
        events: list = []
        while True:
            candidates = sorted((o for o in self.book if self.crosses(taker, o)), key=self.priority)
            if not candidates:
                break
            maker = candidates[0]
            p = maker.price  # MKT-5: the resting order's rate
            if band is not None and not band[0] <= p <= band[1]:
                # MKT-7: a resting order beyond the band on the incoming order's
                # favourable side is stale: it goes; otherwise the incoming order does
                stale = p < band[0] if taker.side is Side.BUY else p > band[1]
                if stale:
                    self.book.remove(maker)
                    events.append(self.done(maker, DoneReason.PRICE_BAND))
                    continue
                events.append(self.done(taker, DoneReason.PRICE_BAND))
                return events
            if taker.max_fill(p, d) == 0:
                events.append(self.done(taker, DoneReason.EXHAUSTED))
                return events
            if maker.owner == taker.owner:
                self.book.remove(maker)
                events.append(self.done(maker, DoneReason.SELF_MATCH))
                continue
            q = min(taker.max_fill(p, d), maker.max_fill(p, d))
            paid = math.ceil(Fraction(q * p, d))
            received = math.floor(Fraction(q * p, d))
            events.append(
                Fill(
                    EventKind.FILL, maker.order_id, taker.order_id, maker.owner, taker.owner,
                    p, q, paid, received, taker.side,
                )
            )  # fmt: skip
            for o in (maker, taker):
                o.base_filled += q
                o.quote_filled += paid if o.side is Side.BUY else received
            if maker.remaining == 0:
                reason = DoneReason.FILLED
            elif self.below_minimum(maker):
                reason = DoneReason.BELOW_MINIMUM
            elif maker.max_fill(p, d) == 0:
                reason = DoneReason.EXHAUSTED
            else:
                reason = None
            if reason is not None:
                self.book.remove(maker)
                events.append(self.done(maker, reason))
            if taker.remaining == 0:
                events.append(self.done(taker, DoneReason.FILLED))
                return events
            if self.below_minimum(taker):
                events.append(self.done(taker, DoneReason.BELOW_MINIMUM))
                return events
        if taker.max_fill(price, d) == 0:
            events.append(self.done(taker, DoneReason.EXHAUSTED))
            return events
        self.book.append(taker)
        events.append(Rested(EventKind.RESTED, order_id, owner, side, price, taker.remaining))
        return events

    def cancel(self, order_id: int) -> list:
        for o in self.book:
            if o.order_id == order_id:
                self.book.remove(o)
                return [self.done(o, DoneReason.CANCELLED)]
        return [CancelRejected(EventKind.CANCEL_REJECTED, order_id, "NOT_ACTIVE")]

    # queries -----------------------------------------------------------------
    def best_bid(self) -> int | None:
        return max((o.price for o in self.book if o.side is Side.BUY), default=None)

    def best_ask(self) -> int | None:
        return min((o.price for o in self.book if o.side is Side.SELL), default=None)
