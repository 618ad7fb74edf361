"""The book's state seen from outside the hot path: queries, snapshot, restore.

``OrderBook`` (``kantor.domain.orderbook``) inherits this mixin; the matching
itself lives in ``kantor.domain.orderbook_match``. Here: the record layout,
best prices, MKT-12 depth and per-order detail for Walutomat's best_offers,
snapshot/restore for the market service's restart, the MKT-2 reservation,
and the compaction of tombstones.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import NamedTuple

from kantor.domain.orderbook_events import (
    InvalidOrder,
    OrderIdNotIncreasing,
    OrderState,
    RestoreWouldCross,
    Side,
)

__all__ = ["NO_ASK", "NO_BID", "BookState", "LevelView", "QueuedOrder"]

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


#: the best price of an empty side: every price crosses neither
NO_BID = float("-inf")
NO_ASK = float("inf")


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
    receive any base, a sell in base any quote) — or, for a buy in base that
    has not traded, a reservation not yet computed: at its own price it
    cannot bind (``orderbook_match``). ``price == 0`` marks a tombstone. The
    last item is the next record of the level's queue (``None`` at its tail).
    """
    return [order_id, owner, side, price, rem_base, rem_quote, base_filled, quote_filled, in_quote,
            None]  # fmt: skip


def _state(r: list) -> OrderState:
    """The record's state, its rest in the volume's currency."""
    return OrderState(r[0], r[1], r[2], r[3], r[5] if r[8] else r[4], r[8], r[6], r[7])


def _queue(level: list) -> Iterator[list]:
    """The records of a level ``[head, tail]`` in time priority, tombstones included."""
    r = level[0]
    while r is not None:
        yield r
        r = r[9]


class BookState:
    """Queries and upkeep of ``OrderBook``; see its docstring for the data layout."""

    __slots__ = ()
    divisor: int
    _bids: dict[int, list]
    _asks: dict[int, list]
    _bid_prices: list[int]
    _ask_prices: list[int]
    _levels: tuple[dict[int, list], dict[int, list]]
    _prices: tuple[list[int], list[int]]
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
                s = 0
                best = self.best_ask()
                crossed = best is not None and best <= price
            elif side == _SELL:
                s = 1
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
            level = levels.get(price)
            if level is None:
                levels[price] = [rec, rec]
                insort(self._prices[s], price)
            else:
                level[1][9] = rec
                level[1] = rec
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
        return self._top(0)

    def best_ask(self) -> int | None:
        """Lowest resting sell price in ticks, or None."""
        return self._top(1)

    def _top(self, s: int) -> int | None:
        """The best price of one side, dropping tombstones that hide it."""
        prices = self._prices[s]
        levels = self._levels[s]
        while prices:
            price = prices[-1] if s == 0 else prices[0]
            level = levels[price]
            r = level[0]
            while r is not None and not r[3]:
                r = r[9]
                self._tombstones -= 1
            if r is not None:
                level[0] = r
                return price
            del levels[price]
            del prices[-1 if s == 0 else 0]
        return None

    def depth(self, side: Side, levels: int = 10) -> list[LevelView]:
        """MKT-12: the best ``levels`` price levels of one side, best first."""
        s = 0 if side == _BUY else 1
        out: list[LevelView] = []
        book = self._levels[s]
        for price in sorted(book, reverse=s == 0):
            base = sum(self._available(r, price) for r in _queue(book[price]) if r[3])
            if base:
                out.append(LevelView(price, base, self._value(s, base, price)))
                if len(out) >= levels:
                    break
        return out

    def orders_at(self, side: Side, price: int) -> list[QueuedOrder]:
        """The resting orders of one level in time priority (best_offers/detailed)."""
        s = 0 if side == _BUY else 1
        level = self._levels[s].get(price)
        out = []
        for r in () if level is None else _queue(level):
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
            for price in list(levels):
                live = [r for r in _queue(levels[price]) if r[3]]
                if live:
                    for r, after in pairwise(live):
                        r[9] = after
                    live[-1][9] = None
                    levels[price] = [live[0], live[-1]]
                else:
                    del levels[price]
            self._prices[s][:] = sorted(levels)
        self._tombstones = 0

    def _refuse(self, order_id: int, price: int, volume: int) -> None:
        if order_id <= self._last_id:
            raise OrderIdNotIncreasing(
                f"order id {order_id} is not above the last accepted id {self._last_id}"
            )
        if price <= 0:
            raise InvalidOrder(f"order {order_id}: price must be positive, got {price}")
        raise InvalidOrder(f"order {order_id}: volume must be positive, got {volume}")
