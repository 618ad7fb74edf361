"""The matching loop of the order book: a batch of commands in, its events out.

``OrderBook`` (``kantor.domain.orderbook``, whose docstring states the rules)
inherits ``Matching``; ``submit`` and ``cancel`` are batches of one. This is
the hot path, measured with ``python -m bench.engine``, and written for
CPython's interpreter: one loop on local variables, the code written out
once per side of the incoming order (so that each copy knows which book it
takes from and which it rests in), records indexed directly (layout:
``orderbook_state._rec``), no call per order. The best prices live in locals
while a batch runs (``NO_BID`` / ``NO_ASK`` for an empty side).

Names in the loop: ``tb`` and ``tq`` are the incoming order's rests in base
and in quote (``None``: no limit there), ``mb`` and ``mq`` the same for the
resting order ``m``; ``p`` is the trade price (the level's, MKT-5) and ``q``
the fill in base. A resting buy in base that has not traded keeps
``mq = None``: its reservation ``ceil(V*L/D)`` cannot bind at its own price,
so it is computed at its first fill only.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable

from kantor.domain.orderbook_events import (
    Command,
    DoneReason,
    Event,
    EventKind,
    InvalidOrder,
    OrderBookError,
    Side,
)
from kantor.domain.orderbook_state import NO_ASK, NO_BID, BookState

__all__ = ["Matching"]

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
#: compaction (``BookState._compact``) never runs for fewer tombstones than this
_COMPACT_FLOOR = 4096


class Matching(BookState):
    """``OrderBook.apply``; see the module docstring."""

    __slots__ = ()
    #: what the loop binds to locals on each call: the book's scale, structures
    #: and rules, and the event vocabulary (``_loop_locals``)
    _loop: tuple

    def _loop_locals(self, stp: bool, min_base: int, min_quote: int) -> tuple:
        d = self.divisor
        return (
            d, d - 1, self._bids, self._asks, self._bid_prices, self._ask_prices, self._orders,
            stp, min_base, min_quote, min_quote * d, bool(min_base or min_quote),
            _FILL, _DONE, _RESTED, _BUY, _SELL, _FILLED, _EXHAUSTED,
        )  # fmt: skip

    def apply(
        self,
        commands: Iterable[Command],
        band: tuple[int, int] | None = None,
        *,
        rested: bool = True,
    ) -> list[Event]:
        """Apply a batch of commands in sequence: the events of all of them, in order.

        Commands (``CommandKind``): ``(SUBMIT, order_id, owner, side, price,
        volume)`` — a volume in base, the MKT-7 ``band`` of the batch;
        ``(SUBMIT_FULL, order_id, owner, side, price, volume, in_quote,
        band)`` — every argument of ``submit``; ``(CANCEL, order_id)``.
        ``side`` is a ``Side`` or its value.

        The events are those of the same ``submit`` and ``cancel`` calls, one
        after the other: each command's end with the ``Rested``, ``Done`` or
        ``CancelRejected`` of the order it names. ``rested=False`` leaves out
        the ``Rested`` events, which the market service does not use (an order
        with no ``Done`` rests); every other event stays.

        A refused command (``OrderBookError``) changes nothing; the commands
        before it stand and their events are the error's ``events``.
        """
        events: list[Event] = []
        (
            d, d1, bids, asks, bid_prices, ask_prices, orders, stp,
            min_base, min_quote, min_quote_d, has_min,
            fill_kind, done_kind, rested_kind, buy_side, sell_side, filled, exhausted,
        ) = self._loop  # fmt: skip
        best_bid = bid_prices[-1] if bid_prices else NO_BID
        best_ask = ask_prices[0] if ask_prices else NO_ASK
        last_id = self._last_id
        tombstones = self._tombstones
        try:
            # what a SUBMIT implies, set again only after a SUBMIT_FULL
            in_quote = False
            cband = band
            full = False
            for c in commands:
                if not c[0]:  # SUBMIT
                    _, order_id, owner, side, price, volume = c
                    if full:
                        in_quote = False
                        cband = band
                        full = False
                elif c[0] == 1:  # CANCEL, MKT-9: the record stays queued as a tombstone
                    rec = orders.pop(c[1], None)
                    if rec is None:
                        events.append((_CANCEL_REJECTED, c[1], _NOT_ACTIVE))
                        continue
                    rec[3] = 0
                    tombstones += 1
                    if tombstones > _COMPACT_FLOOR and tombstones > len(orders):
                        self._compact()
                        tombstones = 0
                        best_bid = bid_prices[-1] if bid_prices else NO_BID
                        best_ask = ask_prices[0] if ask_prices else NO_ASK
                    rem = rec[5] if rec[8] else rec[4]
                    events.append((done_kind, rec[0], rec[1], rec[2], _CANCELLED,
                                   rec[6], rec[7], rem))  # fmt: skip
                    continue
                elif c[0] == 2:  # SUBMIT_FULL
                    _, order_id, owner, side, price, volume, in_quote, cband = c
                    in_quote = bool(in_quote)
                    full = True
                else:
                    raise InvalidOrder(f"unknown command {c[0]!r}")
                if order_id <= last_id or price <= 0 or volume <= 0:
                    self._last_id = last_id
                    self._refuse(order_id, price, volume)

                if side == 0:  # ============================================ an incoming BUY
                    side = buy_side
                    last_id = order_id
                    if best_ask > price:  # no cross: the buy rests (reservation: once it trades)
                        if not in_quote:
                            rec = [order_id, owner, side, price, volume, None, 0, 0, False, None]
                        elif volume * d < price:  # too little to buy one base unit
                            events.append((done_kind, order_id, owner, side, exhausted,
                                           0, 0, volume))  # fmt: skip
                            continue
                        else:
                            rec = [order_id, owner, side, price, None, volume, 0, 0, True, None]
                        level = bids.get(price)
                        if level is None:
                            bids[price] = [rec, rec]
                            if price > best_bid:
                                bid_prices.append(price)
                                best_bid = price
                            else:
                                insort(bid_prices, price)
                        else:
                            level[1][9] = rec
                            level[1] = rec
                        orders[order_id] = rec
                        if rested:
                            events.append((rested_kind, order_id, owner, side, price, volume))
                        continue
                    # MKT-5: it takes from the asks while they cross
                    if in_quote:
                        tb = None
                        tq = volume
                    else:
                        tb = volume
                        tq = (volume * price + d1) // d  # MKT-2: its reservation
                    base_filled = quote_filled = 0
                    while best_ask <= price:
                        p = best_ask
                        level = asks[p]
                        m = level[0]
                        if cband is not None and (p < cband[0] or p > cband[1]):  # MKT-7
                            if p >= cband[0]:  # above the band: the buy goes, if it
                                while m is not None and not m[3]:  # meets an order here
                                    tombstones -= 1
                                    m = m[9]
                                if m is not None:
                                    level[0] = m
                                    reason = _PRICE_BAND
                                    break
                            while m is not None:  # below: stale sells, they go
                                if m[3]:
                                    del orders[m[0]]
                                    rem = m[5] if m[8] else m[4]
                                    events.append((done_kind, m[0], m[1], m[2], _PRICE_BAND,
                                                   m[6], m[7], rem))  # fmt: skip
                                else:
                                    tombstones -= 1
                                m = m[9]
                        while m is not None:
                            if not m[3]:  # the tombstone of a cancelled order
                                tombstones -= 1
                                m = m[9]
                                continue
                            # q: what the buy may take at p, then what m sells (mb: its
                            # volume or cap, mq: its quote volume); MON-2: the seller
                            # receives q * p / D rounded down, the buyer pays it rounded up
                            mb = m[4]
                            mq = m[5]
                            if in_quote:
                                q = tq * d // p
                                if not q:
                                    reason = exhausted
                                    break
                                if mb < q:
                                    q = mb
                            else:
                                q = tb if tb < mb else mb
                            value = q * p
                            received = value // d
                            paid = received if received * d == value else received + 1
                            if paid > tq or (mq is not None and paid > mq):
                                # the reservation (MKT-2) or a quote volume binds: less
                                tmax = tq * d // p
                                if not tmax:
                                    reason = exhausted
                                    break
                                if tmax < q:
                                    q = tmax
                                if mq is not None and mq * d < q * p:
                                    q = mq * d // p
                                value = q * p
                                received = value // d
                                paid = received if received * d == value else received + 1
                            if m[1] == owner and stp:  # self-match: expire the resting order
                                del orders[m[0]]
                                rem = m[5] if m[8] else m[4]
                                events.append((done_kind, m[0], m[1], m[2], _SELF_MATCH,
                                               m[6], m[7], rem))  # fmt: skip
                                m = m[9]
                                continue
                            events.append((fill_kind, m[0], order_id, m[1], owner, p, q,
                                           paid, received, side))  # fmt: skip
                            base_filled += q
                            quote_filled += paid
                            tq -= paid
                            mb -= q
                            # m: FILLED, BELOW_MINIMUM (MKT-8), EXHAUSTED, or it keeps
                            # its place for its rest (MKT-6)
                            if mq is None:  # m sells in base
                                if not mb:
                                    del orders[m[0]]
                                    events.append((done_kind, m[0], m[1], sell_side, filled,
                                                   m[6] + q, m[7] + received, 0))  # fmt: skip
                                    m = m[9]
                                elif has_min and (mb < min_base or mb * p < min_quote_d):
                                    del orders[m[0]]
                                    events.append((done_kind, m[0], m[1], m[2], _BELOW_MINIMUM,
                                                   m[6] + q, m[7] + received, mb))  # fmt: skip
                                    m = m[9]
                                else:
                                    m[4] = mb
                                    m[6] += q
                                    m[7] += received
                            else:  # m sells in quote
                                mq -= received
                                below = has_min and (mq < min_quote or mq * d < min_base * p)
                                if mq and mb and mq * d >= p and not below:
                                    m[4] = mb
                                    m[5] = mq
                                    m[6] += q
                                    m[7] += received
                                else:
                                    del orders[m[0]]
                                    m_reason = (
                                        filled if not mq else _BELOW_MINIMUM if below
                                        else exhausted
                                    )  # fmt: skip
                                    events.append((done_kind, m[0], m[1], m[2], m_reason,
                                                   m[6] + q, m[7] + received, mq))  # fmt: skip
                                    m = m[9]
                            # the buy: FILLED, then BELOW_MINIMUM (MKT-8)
                            if in_quote:
                                if not tq:
                                    reason = filled
                                    break
                                if has_min and (tq < min_quote or tq * d < min_base * price):
                                    reason = _BELOW_MINIMUM
                                    break
                            else:
                                tb -= q
                                if not tb:
                                    reason = filled
                                    break
                                if has_min and (tb < min_base or tb * price < min_quote_d):
                                    reason = _BELOW_MINIMUM
                                    break
                        else:  # the level is empty: the next one is the best
                            del asks[p]
                            del ask_prices[0]
                            best_ask = ask_prices[0] if ask_prices else NO_ASK
                            continue
                        # the buy is done (reason); m's level stays unless it is empty
                        if m is None:
                            del asks[p]
                            del ask_prices[0]
                            best_ask = ask_prices[0] if ask_prices else NO_ASK
                        else:
                            level[0] = m
                        break
                    else:  # nothing crosses any more: the rest rests, unless it is dust
                        rem = tq if in_quote else tb
                        if tq * d < price:
                            events.append((done_kind, order_id, owner, side, exhausted,
                                           base_filled, quote_filled, rem))  # fmt: skip
                            continue
                        rec = [order_id, owner, side, price, tb, tq, base_filled,
                               quote_filled, in_quote, None]  # fmt: skip
                        level = bids.get(price)
                        if level is None:
                            bids[price] = [rec, rec]
                            if price > best_bid:
                                bid_prices.append(price)
                                best_bid = price
                            else:
                                insort(bid_prices, price)
                        else:
                            level[1][9] = rec
                            level[1] = rec
                        orders[order_id] = rec
                        if rested:
                            events.append((rested_kind, order_id, owner, side, price, rem))
                        continue
                    rem = tq if in_quote else tb
                    events.append((done_kind, order_id, owner, side, reason, base_filled,
                                   quote_filled, rem))  # fmt: skip
                elif side == 1:  # ========================================= an incoming SELL
                    side = sell_side
                    last_id = order_id
                    if best_bid < price:  # no cross: the sell rests
                        if not in_quote:
                            rec = [order_id, owner, side, price, volume, None, 0, 0, False, None]
                        elif volume * d < price:  # too little to sell one base unit
                            events.append((done_kind, order_id, owner, side, exhausted,
                                           0, 0, volume))  # fmt: skip
                            continue
                        else:  # MKT-2: the reservation caps what it sells
                            rec = [order_id, owner, side, price, volume * d // price, volume, 0, 0,
                                   True, None]  # fmt: skip
                        level = asks.get(price)
                        if level is None:
                            asks[price] = [rec, rec]
                            if price < best_ask:
                                ask_prices.insert(0, price)
                                best_ask = price
                            else:
                                insort(ask_prices, price)
                        else:
                            level[1][9] = rec
                            level[1] = rec
                        orders[order_id] = rec
                        if rested:
                            events.append((rested_kind, order_id, owner, side, price, volume))
                        continue
                    # MKT-5: it takes from the bids while they cross
                    if in_quote:
                        tb = volume * d // price  # MKT-2: its reservation
                        tq = volume
                    else:
                        tb = volume
                        tq = None
                    base_filled = quote_filled = 0
                    while best_bid >= price:
                        p = best_bid
                        level = bids[p]
                        m = level[0]
                        if cband is not None and (p < cband[0] or p > cband[1]):  # MKT-7
                            if p <= cband[1]:  # below the band: the sell goes, if it
                                while m is not None and not m[3]:  # meets an order here
                                    tombstones -= 1
                                    m = m[9]
                                if m is not None:
                                    level[0] = m
                                    reason = _PRICE_BAND
                                    break
                            while m is not None:  # above: stale buys, they go
                                if m[3]:
                                    del orders[m[0]]
                                    rem = m[5] if m[8] else m[4]
                                    events.append((done_kind, m[0], m[1], m[2], _PRICE_BAND,
                                                   m[6], m[7], rem))  # fmt: skip
                                else:
                                    tombstones -= 1
                                m = m[9]
                        while m is not None:
                            if not m[3]:  # the tombstone of a cancelled order
                                tombstones -= 1
                                m = m[9]
                                continue
                            # q: what the sell may give at p, then what m buys (mb: its
                            # volume, mq: its quote volume or reservation, None if not
                            # computed yet); MON-2 as for a buy
                            if in_quote:
                                q = tq * d // p
                                if tb < q:
                                    q = tb
                                if not q:
                                    reason = exhausted
                                    break
                            else:
                                q = tb
                            mb = m[4]
                            mq = m[5]
                            if mb is not None and mb < q:
                                q = mb
                            value = q * p
                            received = value // d
                            paid = received if received * d == value else received + 1
                            if mq is not None and paid > mq:  # m's quote rest binds: less
                                q = mq * d // p
                                value = q * p
                                received = value // d
                                paid = received if received * d == value else received + 1
                            if m[1] == owner and stp:  # self-match: expire the resting order
                                del orders[m[0]]
                                rem = m[5] if m[8] else m[4]
                                events.append((done_kind, m[0], m[1], m[2], _SELF_MATCH,
                                               m[6], m[7], rem))  # fmt: skip
                                m = m[9]
                                continue
                            events.append((fill_kind, m[0], order_id, m[1], owner, p, q,
                                           paid, received, side))  # fmt: skip
                            base_filled += q
                            quote_filled += received
                            # m: FILLED, BELOW_MINIMUM (MKT-8), EXHAUSTED, or it keeps
                            # its place for its rest (MKT-6)
                            if mb is not None:  # m buys in base
                                mb -= q
                                if not mb:
                                    del orders[m[0]]
                                    events.append((done_kind, m[0], m[1], buy_side, filled,
                                                   m[6] + q, m[7] + paid, 0))  # fmt: skip
                                    m = m[9]
                                else:
                                    if mq is None:  # its first fill: its reservation
                                        mq = ((mb + q) * p + d1) // d
                                    mq -= paid
                                    below = has_min and (mb < min_base or mb * p < min_quote_d)
                                    if below or mq * d < p:
                                        del orders[m[0]]
                                        m_reason = _BELOW_MINIMUM if below else exhausted
                                        events.append((done_kind, m[0], m[1], m[2], m_reason,
                                                       m[6] + q, m[7] + paid, mb))  # fmt: skip
                                        m = m[9]
                                    else:
                                        m[4] = mb
                                        m[5] = mq
                                        m[6] += q
                                        m[7] += paid
                            else:  # m buys in quote
                                mq -= paid
                                below = has_min and (mq < min_quote or mq * d < min_base * p)
                                if mq and mq * d >= p and not below:
                                    m[5] = mq
                                    m[6] += q
                                    m[7] += paid
                                else:
                                    del orders[m[0]]
                                    m_reason = (
                                        filled if not mq else _BELOW_MINIMUM if below
                                        else exhausted
                                    )  # fmt: skip
                                    events.append((done_kind, m[0], m[1], m[2], m_reason,
                                                   m[6] + q, m[7] + paid, mq))  # fmt: skip
                                    m = m[9]
                            # the sell: FILLED, then BELOW_MINIMUM (MKT-8)
                            tb -= q
                            if in_quote:
                                tq -= received
                                if not tq:
                                    reason = filled
                                    break
                                if has_min and (tq < min_quote or tq * d < min_base * price):
                                    reason = _BELOW_MINIMUM
                                    break
                            else:
                                if not tb:
                                    reason = filled
                                    break
                                if has_min and (tb < min_base or tb * price < min_quote_d):
                                    reason = _BELOW_MINIMUM
                                    break
                        else:  # the level is empty: the next one is the best
                            del bids[p]
                            bid_prices.pop()
                            best_bid = bid_prices[-1] if bid_prices else NO_BID
                            continue
                        # the sell is done (reason); m's level stays unless it is empty
                        if m is None:
                            del bids[p]
                            bid_prices.pop()
                            best_bid = bid_prices[-1] if bid_prices else NO_BID
                        else:
                            level[0] = m
                        break
                    else:  # nothing crosses any more: the rest rests, unless it is dust
                        rem = tq if in_quote else tb
                        if (in_quote and tq * d < price) or not tb:
                            events.append((done_kind, order_id, owner, side, exhausted,
                                           base_filled, quote_filled, rem))  # fmt: skip
                            continue
                        rec = [order_id, owner, side, price, tb, tq, base_filled,
                               quote_filled, in_quote, None]  # fmt: skip
                        level = asks.get(price)
                        if level is None:
                            asks[price] = [rec, rec]
                            if price < best_ask:
                                ask_prices.insert(0, price)
                                best_ask = price
                            else:
                                insort(ask_prices, price)
                        else:
                            level[1][9] = rec
                            level[1] = rec
                        orders[order_id] = rec
                        if rested:
                            events.append((rested_kind, order_id, owner, side, price, rem))
                        continue
                    rem = tq if in_quote else tb
                    events.append((done_kind, order_id, owner, side, reason, base_filled,
                                   quote_filled, rem))  # fmt: skip
                else:
                    raise InvalidOrder(f"side must be Side.BUY or Side.SELL, not {side!r}")
        except ValueError as err:  # an OrderBookError, or a command of the wrong length
            if isinstance(err, OrderBookError):
                err.events = events
                raise
            refused = InvalidOrder(f"a command of the wrong shape: {err}")
            refused.events = events
            raise refused from err
        finally:
            self._last_id = last_id
            self._tombstones = tombstones
        return events
