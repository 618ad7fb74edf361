"""The book's state seen from outside the hot path: queries, snapshot, restore.

``OrderBook`` (``kantor.domain.orderbook``) inherits this mixin; the matching
itself lives there. Here: the record layout, best prices, MKT-12 depth and
per-order detail for Walutomat's best_offers, snapshot/restore for the market
service's restart, the MKT-2 reservation, and the compaction of tombstones.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from heapq import heapify, heappop, heappush
from typing import NamedTuple

from kantor.domain.orderbook_events import (
    InvalidOrder,
    OrderIdNotIncreasing,
    OrderState,
    RestoreWouldCross,
    Side,
)

__all__ = ["BookState", "LevelView", "QueuedOrder"]

_BUY = Side.BUY
_SELL = Side.SELL


class LevelView(NamedTuple):
    """One aggregated price level (MKT-12, Walutomat's best_offers).

    ``quote`` is the level's base volume valued at its price, rounded as the
    customer who would take it pays (asks: up) or receives (bids: down), MON-2.
    """

    price: int
    base: int
    quote: int


class QueuedOrder(NamedTuple):
    """One resting order of a level, in time priority (best_offers/detailed).

    ``order_id`` is also the sequence number: ids grow with acceptance.
    """

    order_id: int
    owner: int
    base: int
    quote: int


def _rec(
    order_id: int,
    owner: int,
    side: Side,
    price: int,
    rem_base: int | None,
    rem_quote: int | None,
    base_filled: int,
    quote_filled: int,
    in_quote: bool,
) -> list:
    """A resting order's record; the hot path indexes these positions directly.

    ``rem_base`` / ``rem_quote`` are what the order may still trade in each
    currency; ``None`` means no limit in that currency (a buy in quote may
    receive any base, a sell in base any quote). ``price == 0`` marks a
    tombstone.
    """
    return [order_id, owner, side, price, rem_base, rem_quote, base_filled, quote_filled, in_quote]


def _state(r: list) -> OrderState:
    """The record's state, its rest in the volume's currency."""
    return OrderState(r[0], r[1], r[2], r[3], r[5] if r[8] else r[4], r[8], r[6], r[7])


class BookState:
    """Queries and upkeep of ``OrderBook``; see its docstring for the data layout."""

    __slots__ = ()
    divisor: int
    _bids: dict[int, deque[list]]
    _asks: dict[int, deque[list]]
    _bid_heap: list[int]
    _ask_heap: list[int]
    _levels: tuple[dict[int, deque[list]], dict[int, deque[list]]]
    _heaps: tuple[list[int], list[int]]
    _orders: dict[int, list]
    _last_id: int
    _tombstones: int

    # ------------------------------------------------------------------ restart
    def restore(self, states: Iterable[OrderState]) -> None:
        """Re-insert resting orders after a restart, in id order, without matching.

        The saved state of a book is never crossed; a state that would cross
        is refused (``RESTORE_WOULD_CROSS``), as is a rest that could never
        trade.
        """
        d = self.divisor
        for st in states:
            order_id, owner, side, price, remaining, in_quote, base_filled, quote_filled = st
            if order_id <= self._last_id or price <= 0 or remaining <= 0:
                self._refuse(order_id, price, remaining)
            if side == _BUY:
                s, key = 0, -price
                best = self.best_ask()
                crossed = best is not None and best <= price
            elif side == _SELL:
                s, key = 1, price
                best = self.best_bid()
                crossed = best is not None and best >= price
            else:
                raise InvalidOrder(f"side must be BUY or SELL, not {side!r}")
            rem_base, rem_quote = self._caps(
                side, price, remaining, in_quote, base_filled, quote_filled
            )
            if crossed:
                raise RestoreWouldCross(f"order {order_id} at {price} would cross the book")
            if (rem_quote is not None and rem_quote * d // price <= 0) or (
                rem_base is not None and rem_base <= 0
            ):
                raise InvalidOrder(f"order {order_id}: its rest {remaining} cannot trade")
            self._last_id = order_id
            rec = _rec(
                order_id, owner, Side(side), price, rem_base, rem_quote,
                base_filled, quote_filled, bool(in_quote),
            )  # fmt: skip
            levels = self._levels[s]
            level = levels.get(key)
            if level is None:
                levels[key] = deque((rec,))
                heappush(self._heaps[s], key)
            else:
                level.append(rec)
            self._orders[order_id] = rec

    def _caps(
        self,
        side: Side,
        price: int,
        remaining: int,
        in_quote: bool,
        base_filled: int,
        quote_filled: int,
    ) -> tuple[int | None, int | None]:
        """A restored order's rests in base and quote, exactly as the engine left them.

        The cap in the other currency is the reservation (MKT-2) of the whole
        volume less what the fills consumed: the volume is the rest plus what
        was filled in the volume's currency.
        """
        if side == _BUY:
            if in_quote:
                return None, remaining
            return remaining, self.reservation(side, price, remaining + base_filled) - quote_filled
        if in_quote:
            cap = self.reservation(side, price, remaining + quote_filled, True) - base_filled
            return cap, remaining
        return remaining, None

    # ------------------------------------------------------------------ MKT-2
    def reservation(self, side: Side, price: int, volume: int, in_quote: bool = False) -> int:
        """MKT-2: funds to reserve for a new order; the engine never spends more.

        A buy reserves quote minor units, a sell base minor units.
        """
        d = self.divisor
        if side == _BUY:
            return volume if in_quote else -(-volume * price // d)
        return volume * d // price if in_quote else volume

    # ------------------------------------------------------------------ queries
    def best_bid(self) -> int | None:
        """Highest resting buy price in ticks, or None."""
        key = self._top(0)
        return None if key is None else -key

    def best_ask(self) -> int | None:
        """Lowest resting sell price in ticks, or None."""
        return self._top(1)

    def _top(self, s: int) -> int | None:
        """The best key of one side, dropping tombstones that hide it."""
        heap = self._heaps[s]
        levels = self._levels[s]
        while heap:
            key = heap[0]
            level = levels[key]
            while level and not level[0][3]:
                level.popleft()
                self._tombstones -= 1
            if level:
                return key
            del levels[key]
            heappop(heap)
        return None

    def depth(self, side: Side, levels: int = 10) -> list[LevelView]:
        """MKT-12: the best ``levels`` price levels of one side, best first."""
        s = 0 if side == _BUY else 1
        out: list[LevelView] = []
        book = self._levels[s]
        for key in sorted(book):
            price = -key if s == 0 else key
            base = sum(self._available(r, price) for r in book[key] if r[3])
            if base:
                out.append(LevelView(price, base, self._value(s, base, price)))
                if len(out) >= levels:
                    break
        return out

    def orders_at(self, side: Side, price: int) -> list[QueuedOrder]:
        """The resting orders of one level in time priority (best_offers/detailed)."""
        s = 0 if side == _BUY else 1
        level = self._levels[s].get(-price if s == 0 else price, ())
        out = []
        for r in level:
            if r[3]:
                base = self._available(r, price)
                out.append(QueuedOrder(r[0], r[1], base, self._value(s, base, price)))
        return out

    def order(self, order_id: int) -> OrderState | None:
        """A resting order's state, or None when it is not in the book."""
        r = self._orders.get(order_id)
        return None if r is None else _state(r)

    def snapshot(self) -> list[OrderState]:
        """All resting orders in id order: what ``restore`` takes back."""
        orders = self._orders
        return [_state(orders[oid]) for oid in sorted(orders)]

    def available_base(self, order_id: int) -> int:
        """Base units the resting order can still trade at its own price (0 if none)."""
        r = self._orders.get(order_id)
        return 0 if r is None else self._available(r, r[3])

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def _available(self, r: list, price: int) -> int:
        mb, mq = r[4], r[5]
        if mq is None:
            return mb
        q = mq * self.divisor // price
        return q if mb is None or q < mb else mb

    def _value(self, s: int, base: int, price: int) -> int:
        value = base * price
        return value // self.divisor if s == 0 else -(-value // self.divisor)

    # ------------------------------------------------------------------ upkeep
    def _compact(self) -> None:
        """Drop all tombstones; amortised O(1) per cancel (runs when they outnumber orders)."""
        for s in (0, 1):
            levels = self._levels[s]
            for key in list(levels):
                live = deque(r for r in levels[key] if r[3])
                if live:
                    levels[key] = live
                else:
                    del levels[key]
            heap = self._heaps[s]
            heap[:] = levels
            heapify(heap)
        self._tombstones = 0

    def _refuse(self, order_id: int, price: int, volume: int) -> None:
        if order_id <= self._last_id:
            raise OrderIdNotIncreasing(
                f"order id {order_id} is not above the last accepted id {self._last_id}"
            )
        if price <= 0:
            raise InvalidOrder(f"order {order_id}: price must be positive, got {price}")
        raise InvalidOrder(f"order {order_id}: volume must be positive, got {volume}")
