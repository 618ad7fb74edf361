"""Worked examples of the matching engine, one per market rule (MKT-1..9, MON-2).

Books use D = 1 (whole units, no rounding) unless a test is about rounding.
"""

from __future__ import annotations

import pytest

from kantor.domain.orderbook import LevelView, OrderBook, QueuedOrder
from kantor.domain.orderbook_events import (
    CancelRejected,
    Done,
    DoneReason,
    EventKind,
    Fill,
    InvalidOrder,
    OrderBelowMinimum,
    OrderIdNotIncreasing,
    OrderState,
    Rested,
    RestoreWouldCross,
    SelfMatch,
    Side,
    named,
)

BUY, SELL = Side.BUY, Side.SELL
R = DoneReason


def book(d_exponent: int = 0, **kw) -> OrderBook:
    """A book whose quote value is q * p / 10**d_exponent."""
    return OrderBook(d_exponent, 0, 0, **kw)


def fills(events) -> list[Fill]:
    return [named(e) for e in events if e[0] is EventKind.FILL]


def dones(events) -> list[Done]:
    return [named(e) for e in events if e[0] is EventKind.DONE]


def last(events):
    return named(events[-1])


# MKT-3/4/5 -----------------------------------------------------------------


def test_orders_match_when_buy_limit_is_at_least_sell_limit_MKT_5():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    assert last(b.submit(2, 20, BUY, 99, 5)) == Rested(EventKind.RESTED, 2, 20, BUY, 99, 5)
    events = b.submit(3, 30, BUY, 100, 5)
    assert fills(events) == [Fill(EventKind.FILL, 1, 3, 10, 30, 100, 5, 500, 500, BUY)]


def test_limit_rate_is_the_highest_for_a_buy_and_lowest_for_a_sell_MKT_3():
    b = book()
    b.submit(1, 10, SELL, 101, 5)
    b.submit(2, 11, BUY, 99, 5)
    assert fills(b.submit(3, 30, BUY, 100, 5)) == []  # will not pay 101
    b.cancel(3)
    assert fills(b.submit(4, 40, SELL, 100, 5)) == []  # will not sell at 99
    assert (b.best_bid(), b.best_ask()) == (99, 100)


def test_trade_happens_at_resting_order_rate_MKT_5():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    assert fills(b.submit(2, 20, BUY, 105, 5))[0].price == 100
    b.submit(3, 10, BUY, 105, 5)
    assert fills(b.submit(4, 20, SELL, 100, 5))[0].price == 105


def test_better_rate_first_then_earlier_order_MKT_4():
    b = book()
    b.submit(1, 10, SELL, 101, 5)
    b.submit(2, 11, SELL, 100, 5)
    b.submit(3, 12, SELL, 100, 5)
    b.submit(4, 13, BUY, 99, 5)
    b.submit(5, 14, BUY, 99, 5)
    assert [f.maker_id for f in fills(b.submit(6, 20, BUY, 101, 15))] == [2, 3, 1]
    assert [f.maker_id for f in fills(b.submit(7, 21, SELL, 90, 10))] == [4, 5]


def test_only_the_incoming_order_takes_resting_orders_never_match_MKT_5():
    b = book()
    b.submit(1, 10, BUY, 100, 5)
    b.submit(2, 11, BUY, 101, 5)
    assert b.best_bid() == 101 and b.best_ask() is None
    assert len(b) == 2


# MKT-6 ---------------------------------------------------------------------


def test_partial_fill_larger_order_keeps_its_place_MKT_6():
    b = book()
    b.submit(1, 10, SELL, 100, 100)
    b.submit(2, 11, SELL, 100, 50)
    events = b.submit(3, 20, BUY, 100, 30)
    assert [(f.maker_id, f.base) for f in fills(events)] == [(1, 30)]
    assert last(events).reason is R.FILLED
    assert b.orders_at(SELL, 100) == [QueuedOrder(1, 10, 70, 7000), QueuedOrder(2, 11, 50, 5000)]
    events = b.submit(4, 21, BUY, 100, 80)
    assert [(f.maker_id, f.base) for f in fills(events)] == [(1, 70), (2, 10)]
    assert dones(events)[0] == Done(EventKind.DONE, 1, 10, SELL, R.FILLED, 100, 10000, 0)


def test_rest_of_incoming_order_rests_after_partial_fill_MKT_6():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    events = b.submit(2, 20, BUY, 101, 8)
    assert [e[0] for e in events] == [EventKind.FILL, EventKind.DONE, EventKind.RESTED]
    assert last(events) == Rested(EventKind.RESTED, 2, 20, BUY, 101, 3)
    assert b.order(2).base_filled == 5 and b.order(2).quote_filled == 500


# MON-2 ---------------------------------------------------------------------


def test_buyer_pays_rounded_up_seller_receives_rounded_down_MON_2():
    # EUR/PLN: 2 + 4 - 2 decimals → D = 10**4; 3.33 EUR at 4.3001 = 14.319333 PLN
    b = OrderBook(2, 2, 4)
    b.submit(1, 10, SELL, 43001, 333)
    (fill,) = fills(b.submit(2, 20, BUY, 43001, 333))
    assert (fill.quote_paid, fill.quote_received) == (1432, 1431)


# MKT-1: volume in the quote currency ----------------------------------------


def test_buy_limited_in_quote_spends_at_most_its_budget_MKT_1():
    b = book(1)  # D = 10: one unit at 25 ticks costs 2.5
    b.submit(1, 10, SELL, 25, 100)
    events = b.submit(2, 20, BUY, 30, 11, in_quote=True)
    (fill,) = fills(events)
    assert (fill.base, fill.quote_paid) == (4, 10)  # 5 units would cost 12.5 → 13 > 11
    assert last(events) == Done(EventKind.DONE, 2, 20, BUY, R.EXHAUSTED, 4, 10, 1)


def test_sell_limited_in_quote_receives_at_most_its_volume_MKT_1():
    b = book()
    b.submit(1, 10, BUY, 7, 100)
    events = b.submit(2, 20, SELL, 7, 50, in_quote=True)  # receive at most 50
    (fill,) = fills(events)
    assert (fill.base, fill.quote_received) == (7, 49)
    assert last(events).reason is R.EXHAUSTED and last(events).remaining == 1


def test_resting_quote_order_worn_to_dust_is_exhausted_MKT_1():
    b = book(1)  # D = 10: one unit at 15 ticks is worth 1.5
    b.submit(1, 10, BUY, 15, 3, in_quote=True)  # can buy 2 units at 15
    events = b.submit(2, 20, SELL, 15, 1)
    assert fills(events) == [Fill(EventKind.FILL, 1, 2, 10, 20, 15, 1, 2, 1, SELL)]
    # 1 left cannot buy another unit at 15: the resting order is done
    assert dones(events)[0] == Done(EventKind.DONE, 1, 10, BUY, R.EXHAUSTED, 1, 2, 1)
    assert len(b) == 0


def test_quote_volume_too_small_for_one_unit_never_rests_MKT_1():
    b = book()
    assert last(b.submit(1, 10, BUY, 100, 99, in_quote=True)).reason is R.EXHAUSTED
    assert len(b) == 0


def test_rested_quote_order_reports_rest_in_quote_MKT_1():
    b = book()
    assert last(b.submit(1, 10, BUY, 100, 1000, in_quote=True)).remaining == 1000
    assert b.depth(BUY) == [LevelView(100, 10, 1000)]


# MKT-2: the reservation is a hard cap ----------------------------------------


def test_buy_in_base_never_spends_more_than_its_reservation_MKT_2():
    b = book(1)  # D = 10: one unit at 5 ticks is worth 0.5
    for i in (1, 2, 3):
        b.submit(i, 10 + i, SELL, 5, 1)
    assert b.reservation(BUY, 5, 3) == 2  # ceil(1.5)
    events = b.submit(4, 20, BUY, 5, 3)
    assert [f.quote_paid for f in fills(events)] == [1, 1]  # each fill rounds up
    assert last(events) == Done(EventKind.DONE, 4, 20, BUY, R.EXHAUSTED, 2, 2, 1)


def test_resting_buy_in_base_never_spends_more_than_its_reservation_MKT_2():
    b = book(1)
    b.submit(1, 10, BUY, 15, 3)  # reserves ceil(4.5) = 5
    assert fills(b.submit(2, 20, SELL, 15, 1))[0].quote_paid == 2  # ceil(1.5)
    events = b.submit(3, 21, SELL, 15, 1)  # pays 2 again: 1 left, less than a unit
    assert dones(events)[0] == Done(EventKind.DONE, 1, 10, BUY, R.EXHAUSTED, 2, 4, 1)
    assert b.best_bid() is None


def test_reservation_is_what_the_order_could_spend_MKT_2():
    b = OrderBook(2, 2, 4)
    assert b.reservation(BUY, 43001, 333) == 1432
    assert b.reservation(BUY, 43001, 1432, in_quote=True) == 1432
    assert b.reservation(SELL, 43001, 333) == 333
    assert b.reservation(SELL, 43001, 1432, in_quote=True) == 333


# MKT-7: price band -----------------------------------------------------------


def test_a_buy_reaching_above_the_band_is_cancelled_MKT_7():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    b.submit(2, 11, SELL, 103, 5)
    events = b.submit(3, 20, BUY, 105, 20, band=(98, 102))
    assert [f.maker_id for f in fills(events)] == [1]  # fills made before stand
    assert last(events) == Done(EventKind.DONE, 3, 20, BUY, R.PRICE_BAND, 5, 500, 15)
    assert b.best_ask() == 103


def test_a_sell_reaching_below_the_band_is_cancelled_MKT_7():
    b = book()
    b.submit(1, 10, BUY, 100, 5)
    b.submit(2, 11, BUY, 97, 5)
    events = b.submit(3, 20, SELL, 95, 20, band=(98, 102))
    assert [f.maker_id for f in fills(events)] == [1]
    assert last(events) == Done(EventKind.DONE, 3, 20, SELL, R.PRICE_BAND, 5, 500, 15)
    assert b.best_bid() == 97


def test_a_stale_sell_below_the_band_is_cancelled_and_the_buy_trades_on_MKT_7():
    b = book()  # the mid rose: a sell left at 90 is stale
    b.submit(1, 10, SELL, 90, 5)
    b.submit(2, 11, SELL, 90, 2)
    b.submit(3, 12, SELL, 100, 5)
    events = b.submit(4, 20, BUY, 101, 4, band=(98, 102))
    assert events == [
        Done(EventKind.DONE, 1, 10, SELL, R.PRICE_BAND, 0, 0, 5),
        Done(EventKind.DONE, 2, 11, SELL, R.PRICE_BAND, 0, 0, 2),
        Fill(EventKind.FILL, 3, 4, 12, 20, 100, 4, 400, 400, BUY),
        Done(EventKind.DONE, 4, 20, BUY, R.FILLED, 4, 400, 0),
    ]
    assert b.best_ask() == 100 and 1 not in b and 2 not in b


def test_a_stale_buy_above_the_band_is_cancelled_and_the_sell_trades_on_MKT_7():
    b = book()  # the mid fell: a buy left at 110 is stale
    b.submit(1, 10, BUY, 110, 5)
    b.submit(2, 11, BUY, 100, 5)
    events = b.submit(3, 20, SELL, 99, 8, band=(98, 102))
    assert events == [
        Done(EventKind.DONE, 1, 10, BUY, R.PRICE_BAND, 0, 0, 5),
        Fill(EventKind.FILL, 2, 3, 11, 20, 100, 5, 500, 500, SELL),
        Done(EventKind.DONE, 2, 11, BUY, R.FILLED, 5, 500, 0),
        Rested(EventKind.RESTED, 3, 20, SELL, 99, 3),
    ]


def test_a_stale_order_goes_even_when_the_incoming_order_cannot_trade_MKT_7():
    b = book(1)  # D = 10
    b.submit(1, 10, SELL, 90, 5)  # stale
    b.submit(2, 11, SELL, 100, 5)
    events = b.submit(3, 20, BUY, 101, 9, in_quote=True, band=(98, 102))  # 0.9 buys no unit
    assert [named(e).reason for e in events] == [R.PRICE_BAND, R.EXHAUSTED]
    assert [named(e).order_id for e in events] == [1, 3]


def test_a_stale_order_of_the_same_owner_goes_for_the_band_MKT_7():
    b = book()
    b.submit(1, 20, SELL, 90, 5)
    events = b.submit(2, 20, BUY, 100, 5, band=(98, 102))
    assert events == [
        Done(EventKind.DONE, 1, 20, SELL, R.PRICE_BAND, 0, 0, 5),  # not SELF_MATCH
        Rested(EventKind.RESTED, 2, 20, BUY, 100, 5),
    ]


def test_band_does_not_stop_an_order_that_only_rests_MKT_7():
    b = book()
    assert last(b.submit(1, 10, BUY, 150, 5, band=(98, 102)))[0] is EventKind.RESTED


def test_band_is_checked_before_self_match_MKT_7():
    b = book()
    b.submit(1, 20, SELL, 110, 5)
    events = b.submit(2, 20, BUY, 110, 5, band=(90, 105))
    assert [named(e).reason for e in events] == [R.PRICE_BAND]
    assert 1 in b


# MKT-8: minimum trade value ----------------------------------------------------


def test_resting_remainder_below_minimum_is_cancelled_MKT_8():
    b = book(min_base=10)
    b.submit(1, 10, SELL, 100, 25)
    events = b.submit(2, 20, BUY, 100, 20)
    assert dones(events)[0] == Done(EventKind.DONE, 1, 10, SELL, R.BELOW_MINIMUM, 20, 2000, 5)
    assert b.best_ask() is None


def test_incoming_remainder_below_minimum_is_cancelled_MKT_8():
    b = book(min_quote=1000)  # 10 units at 100
    b.submit(1, 10, SELL, 100, 15)
    b.submit(2, 11, SELL, 100, 50)
    events = b.submit(3, 20, BUY, 100, 20)
    assert [f.base for f in fills(events)] == [15]
    assert last(events) == Done(EventKind.DONE, 3, 20, BUY, R.BELOW_MINIMUM, 15, 1500, 5)


def test_below_minimum_comes_before_exhausted_after_a_fill_MKT_8():
    b = book(1, min_base=1)  # the dust of test_resting_quote_order_worn_to_dust...
    b.submit(1, 10, BUY, 15, 3, in_quote=True)
    events = b.submit(2, 20, SELL, 15, 1)
    assert dones(events)[0].reason is R.BELOW_MINIMUM  # ...is also below 1 unit


def test_new_order_below_minimum_is_refused_by_the_helper_MKT_8():
    b = book(min_base=10, min_quote=2000)
    assert b.below_minimum(100, 19) and not b.below_minimum(100, 20)
    assert b.below_minimum(100, 999, in_quote=True)
    with pytest.raises(OrderBelowMinimum) as err:
        b.check_minimum(100, 5)
    assert err.value.code == "AMOUNT_TOO_SMALL"


# MKT-9: cancellation -----------------------------------------------------------


def test_cancel_removes_the_unfilled_rest_and_reports_totals_MKT_9():
    b = book()
    b.submit(1, 10, SELL, 100, 10)
    b.submit(2, 20, BUY, 100, 4)
    assert b.cancel(1) == [Done(EventKind.DONE, 1, 10, SELL, R.CANCELLED, 4, 400, 6)]
    assert fills(b.submit(3, 30, BUY, 100, 4)) == []  # the cancelled rest never trades
    assert b.best_ask() is None and b.depth(SELL) == []


def test_cancel_of_unknown_or_finished_order_is_rejected_MKT_9():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    b.submit(2, 20, BUY, 100, 5)
    reject = [CancelRejected(EventKind.CANCEL_REJECTED, 1, "NOT_ACTIVE")]
    assert b.cancel(1) == reject
    assert b.cancel(99)[0][2] == "NOT_ACTIVE"


def test_cancelled_order_leaves_the_queue_behind_it_intact_MKT_9():
    b = book()
    for i in (1, 2, 3):
        b.submit(i, 10 + i, SELL, 100, 5)
    b.cancel(2)
    assert [q.order_id for q in b.orders_at(SELL, 100)] == [1, 3]
    assert [f.maker_id for f in fills(b.submit(4, 20, BUY, 100, 10))] == [1, 3]


# Self-match prevention ---------------------------------------------------------


def test_customer_never_trades_with_themself_resting_order_expires():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    b.submit(2, 20, SELL, 100, 5)
    events = b.submit(3, 10, BUY, 100, 5)
    assert named(events[0]) == Done(EventKind.DONE, 1, 10, SELL, R.SELF_MATCH, 0, 0, 5)
    assert [f.maker_id for f in fills(events)] == [2]


def test_self_match_prevention_expires_every_own_order_met():
    b = book()
    b.submit(1, 10, SELL, 100, 5)
    b.submit(2, 10, SELL, 101, 5)
    b.submit(3, 30, SELL, 102, 5)
    events = b.submit(4, 10, BUY, 102, 5)
    assert [(e[0], e[1]) for e in events] == [
        (EventKind.DONE, 1),
        (EventKind.DONE, 2),
        (EventKind.FILL, 3),
        (EventKind.DONE, 3),
        (EventKind.DONE, 4),
    ]


def test_self_match_allowed_only_when_the_book_says_so():
    b = book(self_match=SelfMatch.ALLOW)  # for benchmarks against engines without it
    b.submit(1, 10, SELL, 100, 5)
    assert fills(b.submit(2, 10, BUY, 100, 5))[0].maker_owner == 10


# Errors ------------------------------------------------------------------------


def test_order_ids_must_increase_with_acceptance_MKT_4():
    b = book()
    b.submit(5, 10, SELL, 100, 5)
    with pytest.raises(OrderIdNotIncreasing) as err:
        b.submit(5, 10, SELL, 100, 5)
    assert err.value.code == "ORDER_ID_NOT_INCREASING"


@pytest.mark.parametrize(
    ("side", "price", "volume"), [(BUY, 0, 5), (BUY, 100, 0), (BUY, 100, -1), (2, 100, 5)]
)
def test_invalid_orders_are_refused_and_change_nothing(side, price, volume):
    b = book()
    with pytest.raises(InvalidOrder) as err:
        b.submit(1, 10, side, price, volume)
    assert err.value.code == "INVALID_ORDER"
    b.submit(1, 10, BUY, 100, 5)  # id 1 is still free


# Queries, snapshot and restore ---------------------------------------------------


def test_depth_aggregates_levels_best_first_MKT_12():
    b = book(1)
    b.submit(1, 10, SELL, 101, 3)
    b.submit(2, 11, SELL, 100, 4)
    b.submit(3, 12, SELL, 100, 5)
    b.submit(4, 13, BUY, 99, 3)
    assert b.depth(SELL) == [LevelView(100, 9, 90), LevelView(101, 3, 31)]  # asks round up
    assert b.depth(SELL, levels=1) == [LevelView(100, 9, 90)]
    assert b.depth(BUY) == [LevelView(99, 3, 29)]  # bids round down
    b.cancel(2)
    b.cancel(3)
    assert b.best_ask() == 101 and b.depth(SELL) == [LevelView(101, 3, 31)]


def test_restore_rebuilds_the_book_without_matching():
    b = book(1, min_base=2)
    b.submit(1, 10, SELL, 5, 7)
    b.submit(2, 11, BUY, 5, 3)  # pays 2 for 1.5
    b.submit(3, 12, BUY, 4, 100, in_quote=True)
    b.submit(4, 13, SELL, 6, 50, in_quote=True)
    copy = book(1, min_base=2)
    copy.restore(b.snapshot())
    assert copy.snapshot() == b.snapshot()
    assert copy.submit(9, 20, BUY, 6, 40) == b.submit(9, 20, BUY, 6, 40)
    assert copy.submit(10, 21, SELL, 3, 40) == b.submit(10, 21, SELL, 3, 40)


def test_restore_refuses_a_crossed_state():
    b = book()
    b.restore([OrderState(1, 10, SELL, 100, 5)])
    with pytest.raises(RestoreWouldCross) as err:
        b.restore([OrderState(2, 11, BUY, 100, 5)])
    assert err.value.code == "RESTORE_WOULD_CROSS"


def test_same_commands_give_the_same_events():
    def run():
        b = book(1, min_base=2)
        out = []
        for i in range(1, 200):
            side = BUY if i % 3 else SELL
            out += b.submit(i, i % 4, side, 90 + (i * 7) % 21, 1 + (i * 13) % 17, i % 5 == 0)
            if i % 7 == 0:
                out += b.cancel(i - 3)
        return out

    assert run() == run()
