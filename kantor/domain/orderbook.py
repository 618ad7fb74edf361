"""The matching engine of the peer-to-peer market, one instance per pair (MKT-1..9).

Designed after LMAX / exchange-core: a single-threaded, in-memory state
machine fed commands in sequence (``submit``, ``cancel``, a batch of them
through ``apply``; ``restore``) and answering each with the list of events it
caused. No I/O, no clock, no randomness: the same command stream always
yields the same events, so the market service can rebuild, replay or audit a
book.

Units. Prices are integer ticks (rate × 10**rate_decimals, MON-3); amounts
are integer minor units (MON-1). The quote value of ``q`` base units at ``p``
ticks is ``q * p / D`` quote units, ``D = 10**(base_minor + rate_decimals -
quote_minor)``. MON-2: in every fill the buyer pays ``ceil(q*p/D)`` and the
seller receives ``floor(q*p/D)``; the difference (0 or 1 minor unit) is the
operator's. ``Decimal`` appears only at the boundary
(``kantor.domain.orderbook_scale``).

Orders. An order has a caller-assigned id (ids increase with acceptance and
are the time priority), an owner (customer id), a side (of the base
currency), a limit price and a volume in base *or* in quote (MKT-1,
Walutomat's ``volumeCurrency``).

* MKT-3/4/5: the incoming order matches the best resting opposite orders
  (best price, then lowest id) while buy limit ≥ sell limit; every trade is at
  the *resting* order's price. Resting orders never match each other.
* MKT-6: fills are partial; a partly filled resting order keeps its place.
* MKT-2 (reservation cap): an order never consumes more than
  ``reservation()`` — the funds the service reserved on acceptance. For a buy
  of V base that is ``ceil(V*L/D)`` quote; because each fill rounds the
  buyer's payment up, a buy filled in many pieces at exactly its limit could
  otherwise overspend it by a few minor units. Symmetrically a sell limited
  to receive V quote may sell at most ``floor(V*D/L)`` base. A volume in
  quote caps fills at ``floor(rest*D/p)`` base, so that the amount paid (or
  received) never exceeds the rest.
* EXHAUSTED: an order whose next possible fill is 0 base units is done (a
  quote volume or a reservation worn down to dust). For a resting order the
  next fill is at its own price; for the incoming order, at the next trade
  price, or at its own limit when it would rest.
* MKT-8: after a fill, a rest (of the incoming or of the resting order) whose
  value at the order's limit is below ``min_base`` base units or ``min_quote``
  quote units is cancelled: ``BELOW_MINIMUM``. After a fill the order of
  checks is FILLED, then BELOW_MINIMUM, then EXHAUSTED. Refusing a *new*
  order below the minimum is the service's job: ``check_minimum()``.
* MKT-7: ``submit`` (or a batch) may carry a band ``(lo, hi)`` of prices in ticks
  (inclusive), derived by the service from the market mid at matching time.
  When the next trade (at the resting order's price) would be outside it:
  a resting order priced beyond the band on the incoming order's favourable
  side — a sell below ``lo`` met by a buy, a buy above ``hi`` met by a sell —
  is stale (the mid has moved away from it): the *resting* order is
  cancelled (``PRICE_BAND``) and matching continues. Otherwise (a sell
  above ``hi``, a buy below ``lo``: the incoming order reaches too far) the
  incoming order is cancelled (``PRICE_BAND``); fills made before stand. An
  order that only rests is never stopped by the band.
* Self-match prevention (like exchanges' STP "expire maker"): when the
  incoming order would trade with a resting order of the same owner, the
  *resting* order is cancelled (``SELF_MATCH``) and matching continues. A
  customer never trades with themself.
* MKT-9: ``cancel`` removes the unfilled rest of a resting order. Cancelling
  an unknown or finished order is not an error in the hot path: it yields a
  ``CancelRejected`` event. No modification exists.

At each resting order it meets, the incoming order checks, in this order:
the band (MKT-7), its own exhaustion, the self-match rule; then it trades.
So a stale resting order goes even when the incoming order could not trade,
and a trade that the band stops cancels no order of the same owner.

Commands the caller gets wrong (a non-increasing or non-positive id, a zero
volume, a side that is neither ``Side`` member nor its value) raise an
``OrderBookError`` with a stable ``code``; that command changes nothing.

Events per command, in order: the fills, each followed by the ``Done`` of a
resting order it finished; ``Done(SELF_MATCH)`` or ``Done(PRICE_BAND)`` of
resting orders as they are met; last, the incoming order's ``Rested`` or
``Done``. From the fills an order's remaining amounts can be derived;
``Done`` carries its totals. ``apply(..., rested=False)`` leaves the
``Rested`` events out: the market service reads only the fills and the
``Done`` events (an order with no ``Done`` rests).

Inside. ``apply`` (``kantor.domain.orderbook_match``) runs a batch of
commands in one loop; ``submit`` and ``cancel`` are batches of one, and the
market's matcher, which applies commands in batches, is better served by
``apply``. Per side: a dict price → level, and the level prices in a sorted
list (best bid last, best ask first), so that the best price is one index
away and an emptied best level costs one deletion, not a heap's. A level is
a ``[head, tail]`` pair of a singly linked queue of order records; a record
is a plain list (cheapest to create and index), laid out as
``orderbook_state._rec`` documents. Cancels are lazy: the record stays
queued as a tombstone (price set to 0) and is dropped when matching reaches
it, or when tombstones outnumber live orders and the book is compacted.
Queries, snapshot/restore and compaction live in ``orderbook_state``.
"""

from __future__ import annotations

from kantor.domain.orderbook_events import (
    CommandKind,
    Event,
    InvalidBook,
    OrderBelowMinimum,
    SelfMatch,
    Side,
)
from kantor.domain.orderbook_match import Matching
from kantor.domain.orderbook_state import LevelView, QueuedOrder

__all__ = ["LevelView", "OrderBook", "QueuedOrder"]

_SUBMIT_FULL = CommandKind.SUBMIT_FULL
_CANCEL = CommandKind.CANCEL


class OrderBook(Matching):
    """Price-time priority limit order book and matching engine for one pair."""

    __slots__ = (
        "_ask_prices",
        "_asks",
        "_bid_prices",
        "_bids",
        "_last_id",
        "_levels",
        "_loop",
        "_min_base",
        "_min_quote",
        "_min_quote_d",
        "_orders",
        "_prices",
        "_tombstones",
        "divisor",
    )

    def __init__(
        self,
        base_minor_units: int,
        quote_minor_units: int,
        rate_decimals: int,
        *,
        min_base: int = 0,
        min_quote: int = 0,
        self_match: SelfMatch = SelfMatch.CANCEL_RESTING,
    ) -> None:
        exponent = base_minor_units + rate_decimals - quote_minor_units
        if min(base_minor_units, quote_minor_units, rate_decimals, exponent) < 0:
            raise InvalidBook(
                f"unsupported scale: base {base_minor_units}, quote {quote_minor_units}, "
                f"rate decimals {rate_decimals}"
            )
        if min_base < 0 or min_quote < 0:
            raise InvalidBook("minimum trade values cannot be negative")
        #: D: quote value of q base units at p ticks is q * p / D quote units
        self.divisor = 10**exponent
        self._min_base = min_base
        self._min_quote = min_quote
        self._min_quote_d = min_quote * self.divisor
        stp = SelfMatch(self_match) is SelfMatch.CANCEL_RESTING
        # per side: price → level [head, tail], and the level prices sorted so
        # that the best is last for bids and first for asks
        self._bids: dict[int, list] = {}
        self._asks: dict[int, list] = {}
        self._bid_prices: list[int] = []
        self._ask_prices: list[int] = []
        self._levels = (self._bids, self._asks)  # indexed by Side
        self._prices = (self._bid_prices, self._ask_prices)
        self._orders: dict[int, list] = {}
        self._last_id = 0
        self._tombstones = 0
        self._loop = self._loop_locals(stp, min_base, min_quote)

    # ------------------------------------------------------------------ commands
    def submit(
        self,
        order_id: int,
        owner: int,
        side: Side,
        price: int,
        volume: int,
        in_quote: bool = False,
        band: tuple[int, int] | None = None,
    ) -> list[Event]:
        """Match a new GTC limit order, then rest what is left (MKT-3..8).

        ``volume`` is in base minor units, or in quote minor units when
        ``in_quote`` (MKT-1). ``band`` is the MKT-7 price band in ticks.
        A batch of one command (``apply``).
        """
        return self.apply(((_SUBMIT_FULL, order_id, owner, side, price, volume, in_quote, band),))

    def cancel(self, order_id: int) -> list[Event]:
        """MKT-9: cancel the unfilled rest of a resting order.

        An unknown or already finished order yields ``CancelRejected``
        (reason ``NOT_ACTIVE``) rather than an exception: a race between a
        customer's cancel and a fill is normal, not a bug. A batch of one
        command (``apply``).
        """
        return self.apply(((_CANCEL, order_id),))

    # ------------------------------------------------------------------ MKT-8 and MKT-2
    def below_minimum(self, price: int, volume: int, in_quote: bool = False) -> bool:
        """MKT-8: is this volume worth less than the minimum trade value at ``price``?"""
        return bool(self._min_base or self._min_quote) and self._below_minimum(
            price, volume, in_quote
        )

    def check_minimum(self, price: int, volume: int, in_quote: bool = False) -> None:
        """MKT-8: the service refuses a new order below the minimum trade value."""
        if self.below_minimum(price, volume, in_quote):
            raise OrderBelowMinimum(
                f"volume {volume} at {price} is below the minimum trade value "
                f"({self._min_base} base / {self._min_quote} quote minor units)"
            )

    def _below_minimum(self, price: int, rem: int, in_quote: bool) -> bool:
        if in_quote:
            return rem < self._min_quote or rem * self.divisor < self._min_base * price
        return rem < self._min_base or rem * price < self._min_quote_d
