"""The matching engine of the peer-to-peer market, one instance per pair (MKT-1..9).

Designed after LMAX / exchange-core: a single-threaded, in-memory state
machine fed commands in sequence (``submit``, ``cancel``, ``restore``) and
answering each with the list of events it caused. No I/O, no clock, no
randomness: the same command stream always yields the same events, so the
market service can rebuild, replay or audit a book.

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
* MKT-7: ``submit`` may carry a band ``(lo, hi)`` of prices in ticks
  (inclusive), derived by the service from the market mid at matching time.
  If the next trade would be outside it, the incoming order is cancelled
  (``PRICE_BAND``); fills made before stand. The band is checked before the
  self-match rule, so a trade that would not happen cancels nothing.
* Self-match prevention (like exchanges' STP "expire maker"): when the
  incoming order would trade with a resting order of the same owner, the
  *resting* order is cancelled (``SELF_MATCH``) and matching continues. A
  customer never trades with themself.
* MKT-9: ``cancel`` removes the unfilled rest of a resting order. Cancelling
  an unknown or finished order is not an error in the hot path: it yields a
  ``CancelRejected`` event. No modification exists.

At each resting order it meets, the incoming order checks, in this order:
the band (MKT-7), its own exhaustion, the self-match rule; then it trades.

Commands the caller gets wrong (a non-increasing or non-positive id, a zero
volume, a side that is not a ``Side`` member) raise an ``OrderBookError``
with a stable ``code``; nothing has changed when they do.

Events per command, in order: the fills, each followed by the ``Done`` of a
resting order it finished; ``Done(SELF_MATCH)`` of resting orders as they are
met; last, the incoming order's ``Rested`` or ``Done``. From the fills an
order's remaining amounts can be derived; ``Done`` carries its totals.

Inside (the hot path, measured with ``python -m bench.engine``): per side a
dict price-key → deque of order records plus a heap of the keys (bids keyed
by ``-price`` so both heaps are min-heaps); an id → record dict for cancels.
A record is a plain list (cheapest to create and index), laid out as
``orderbook_state._rec`` documents. Cancels are lazy: the record stays in its
queue as a tombstone (price set to 0) and is dropped when matching reaches
it, or when tombstones outnumber live orders and the book is compacted.
Queries, snapshot/restore and compaction live in ``orderbook_state``.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush

from kantor.domain.orderbook_events import (
    DoneReason,
    Event,
    EventKind,
    InvalidBook,
    InvalidOrder,
    OrderBelowMinimum,
    SelfMatch,
    Side,
)
from kantor.domain.orderbook_state import BookState, LevelView, QueuedOrder

__all__ = ["LevelView", "OrderBook", "QueuedOrder"]

_RESTED = EventKind.RESTED
_FILL = EventKind.FILL
_DONE = EventKind.DONE
_CANCEL_REJECTED = EventKind.CANCEL_REJECTED
_BUY = Side.BUY
_SELL = Side.SELL
_FILLED = DoneReason.FILLED
_CANCELLED = DoneReason.CANCELLED
_SELF_MATCH = DoneReason.SELF_MATCH
_PRICE_BAND = DoneReason.PRICE_BAND
_BELOW_MINIMUM = DoneReason.BELOW_MINIMUM
_EXHAUSTED = DoneReason.EXHAUSTED
_NOT_ACTIVE = "NOT_ACTIVE"
#: compaction never runs for fewer tombstones than this
_COMPACT_FLOOR = 4096


class OrderBook(BookState):
    """Price-time priority limit order book and matching engine for one pair."""

    __slots__ = (
        "_ask_heap",
        "_asks",
        "_bid_heap",
        "_bids",
        "_heaps",
        "_last_id",
        "_levels",
        "_min_base",
        "_min_quote",
        "_min_quote_d",
        "_orders",
        "_stp",
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
        self._stp = SelfMatch(self_match) is SelfMatch.CANCEL_RESTING
        # per side: price key → queue of records, and a min-heap of the keys;
        # bids are keyed by -price so that both heaps put the best price first
        self._bids: dict[int, deque[list]] = {}
        self._asks: dict[int, deque[list]] = {}
        self._bid_heap: list[int] = []
        self._ask_heap: list[int] = []
        self._levels = (self._bids, self._asks)  # indexed by Side
        self._heaps = (self._bid_heap, self._ask_heap)
        self._orders: dict[int, list] = {}
        self._last_id = 0
        self._tombstones = 0

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

        This is the hot path, kept in one function on local variables, with
        records indexed directly (layout: ``orderbook_state._rec``). ``tb`` and
        ``tq`` are the incoming order's rests in base and quote (``None``: no
        limit there); ``mb`` and ``mq`` the same for the resting order ``m``.
        """
        if order_id <= self._last_id or price <= 0 or volume <= 0:
            self._refuse(order_id, price, volume)
        d = self.divisor
        if side is _BUY:
            s = 0
            heap = self._ask_heap
            limit = price
            if in_quote:
                tb = None
                tq = volume
            else:
                tb = volume
                tq = -(-volume * price // d)  # MKT-2 cap: the reservation
        elif side is _SELL:
            s = 1
            heap = self._bid_heap
            limit = -price  # bids are keyed by -price
            if in_quote:
                tb = volume * d // price  # MKT-2 cap: the reservation
                tq = volume
            else:
                tb = volume
                tq = None
        else:
            raise InvalidOrder(f"side must be Side.BUY or Side.SELL, not {side!r}")
        self._last_id = order_id
        base_filled = quote_filled = 0
        events: list[Event] | None = None
        if heap and heap[0] <= limit:
            # MKT-5: take from the best opposite levels while they cross
            events = []
            append = events.append
            levels = self._bids if s else self._asks
            orders = self._orders
            stp = self._stp
            has_min = self._min_base or self._min_quote
            reason = None
            while heap:
                key = heap[0]
                if key > limit:
                    break
                level = levels[key]
                p = -key if s else key
                band_checked = band is None
                while level:
                    m = level[0]
                    if not m[3]:  # tombstone of a cancelled order
                        level.popleft()
                        self._tombstones -= 1
                        continue
                    if not band_checked:  # MKT-7, once per level
                        if p < band[0] or p > band[1]:
                            reason = _PRICE_BAND
                            break
                        band_checked = True
                    if tq is None:  # the incoming order's largest fill at p
                        tmax = tb
                    else:
                        tmax = tq * d // p
                        if tb is not None and tb < tmax:
                            tmax = tb
                        if not tmax:
                            reason = _EXHAUSTED
                            break
                    if stp and m[1] == owner:  # self-match: expire the resting order
                        level.popleft()
                        del orders[m[0]]
                        rem = m[5] if m[8] else m[4]
                        append((_DONE, m[0], m[1], m[2], _SELF_MATCH, m[6], m[7], rem))
                        continue
                    mb = m[4]
                    mq = m[5]
                    if mq is None:  # the resting order's largest fill at p
                        mmax = mb
                    else:
                        mmax = mq * d // p
                        if mb is not None and mb < mmax:
                            mmax = mb
                    q = tmax if tmax < mmax else mmax
                    value = q * p
                    received = value // d  # MON-2: the seller's share rounds down
                    paid = -(-value // d)  # MON-2: the buyer's rounds up
                    append((_FILL, m[0], order_id, m[1], owner, p, q, paid, received, side))
                    if s:
                        t_amount = received
                        m_amount = paid
                    else:
                        t_amount = paid
                        m_amount = received
                    if mb is not None:
                        mb -= q
                    if mq is not None:
                        mq -= m_amount
                    rem = mq if m[8] else mb
                    if not rem:
                        m_reason = _FILLED
                    elif has_min and self._below_minimum(p, rem, m[8]):
                        m_reason = _BELOW_MINIMUM
                    elif mq is not None and (mb == 0 or mq * d // p == 0):
                        m_reason = _EXHAUSTED
                    else:
                        m_reason = None
                    if m_reason is None:
                        # MKT-6: the resting order keeps its place for its rest
                        m[4] = mb
                        m[5] = mq
                        m[6] += q
                        m[7] += m_amount
                    else:
                        level.popleft()
                        del orders[m[0]]
                        append((_DONE, m[0], m[1], m[2], m_reason, m[6] + q, m[7] + m_amount, rem))
                    base_filled += q
                    quote_filled += t_amount
                    if tb is not None:
                        tb -= q
                    if tq is not None:
                        tq -= t_amount
                    rem = tq if in_quote else tb
                    if not rem:
                        reason = _FILLED
                        break
                    if has_min and self._below_minimum(price, rem, in_quote):
                        reason = _BELOW_MINIMUM
                        break
                if not level:
                    del levels[key]
                    heappop(heap)
                if reason is not None:
                    rem = tq if in_quote else tb
                    append((_DONE, order_id, owner, side, reason, base_filled, quote_filled, rem))
                    return events
            # an order in base that has not traded can always trade at its own
            # price (its cap is ceil(V*L/D)); one that has may be worn to dust
            if (tq is not None and tq * d // price == 0) or tb == 0:
                rem = tq if in_quote else tb
                append((_DONE, order_id, owner, side, _EXHAUSTED, base_filled, quote_filled, rem))
                return events
        elif in_quote and ((tq is not None and tq * d // price == 0) or tb == 0):
            # a volume in quote too small for one base unit at its own price
            return [(_DONE, order_id, owner, side, _EXHAUSTED, 0, 0, volume)]
        rec = [order_id, owner, side, price, tb, tq, base_filled, quote_filled, in_quote]
        if s:
            levels = self._asks
            key = price
        else:
            levels = self._bids
            key = -price
        level = levels.get(key)
        if level is None:
            levels[key] = deque((rec,))
            heappush(self._ask_heap if s else self._bid_heap, key)
        else:
            level.append(rec)
        self._orders[order_id] = rec
        rested = (_RESTED, order_id, owner, side, price, tq if in_quote else tb)
        if events is None:
            return [rested]
        events.append(rested)
        return events

    def cancel(self, order_id: int) -> list[Event]:
        """MKT-9: cancel the unfilled rest of a resting order.

        An unknown or already finished order yields ``CancelRejected``
        (reason ``NOT_ACTIVE``) rather than an exception: a race between a
        customer's cancel and a fill is normal, not a bug.
        """
        rec = self._orders.pop(order_id, None)
        if rec is None:
            return [(_CANCEL_REJECTED, order_id, _NOT_ACTIVE)]
        rec[3] = 0
        tombstones = self._tombstones = self._tombstones + 1
        if tombstones > _COMPACT_FLOOR and tombstones > len(self._orders):
            self._compact()
        rem = rec[5] if rec[8] else rec[4]
        return [(_DONE, order_id, rec[1], rec[2], _CANCELLED, rec[6], rec[7], rem)]

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
