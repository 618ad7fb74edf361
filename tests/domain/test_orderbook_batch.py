"""``OrderBook.apply``: a batch of commands gives the events of the same commands
one by one (the matcher applies commands in batches). The differential tests
compare random batches with the reference engine; here, the batch contract."""

from __future__ import annotations

import pytest

from bench.workloads import CANCEL, SUBMIT
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import (
    CancelRejected,
    CommandKind,
    Done,
    DoneReason,
    EventKind,
    Fill,
    InvalidOrder,
    OrderIdNotIncreasing,
    Rested,
    Side,
)

BUY, SELL = Side.BUY, Side.SELL
K = CommandKind


def test_a_batch_gives_the_events_of_its_commands_one_by_one():
    commands = [
        (K.SUBMIT, 1, 10, SELL, 100, 5),
        (K.SUBMIT_FULL, 2, 11, SELL, 101, 505, True, None),
        (K.SUBMIT, 3, 12, BUY, 99, 4),
        (K.CANCEL, 3),
        (K.CANCEL, 3),
        (K.SUBMIT_FULL, 4, 13, BUY, 101, 8, False, None),
    ]
    one_by_one = OrderBook(0, 0, 0)
    expected = []
    for c in commands:
        if c[0] is K.CANCEL:
            expected += one_by_one.cancel(c[1])
        else:
            expected += one_by_one.submit(*c[1:])
    book = OrderBook(0, 0, 0)
    assert book.apply(commands) == expected
    assert book.snapshot() == one_by_one.snapshot()
    assert [e[0] for e in expected] == [
        EventKind.RESTED, EventKind.RESTED, EventKind.RESTED, EventKind.DONE,
        EventKind.CANCEL_REJECTED, EventKind.FILL, EventKind.DONE, EventKind.FILL,
        EventKind.DONE,
    ]  # fmt: skip


def test_without_rested_events_every_other_event_stays():
    commands = [(K.SUBMIT, 1, 10, SELL, 100, 5), (K.SUBMIT, 2, 11, BUY, 100, 8), (K.CANCEL, 9)]
    events = OrderBook(0, 0, 0).apply(commands, rested=False)
    assert events == [
        Fill(EventKind.FILL, 1, 2, 10, 11, 100, 5, 500, 500, BUY),
        Done(EventKind.DONE, 1, 10, SELL, DoneReason.FILLED, 5, 500, 0),
        CancelRejected(EventKind.CANCEL_REJECTED, 9, "NOT_ACTIVE"),
    ]  # order 2 rests with 3: no event says so, no Done either
    assert OrderBook(0, 0, 0).apply(commands)[3] == Rested(EventKind.RESTED, 2, 11, BUY, 100, 3)


def test_a_submit_takes_the_batchs_band_and_a_full_submit_its_own_MKT_7():
    book = OrderBook(0, 0, 0)
    book.apply([(K.SUBMIT, 1, 10, SELL, 103, 5), (K.SUBMIT, 2, 11, SELL, 104, 5)])
    events = book.apply(
        [
            (K.SUBMIT_FULL, 3, 20, BUY, 103, 1, False, None),  # no band: trades at 103
            (K.SUBMIT, 4, 21, BUY, 104, 1),  # the batch's band stops it
            (K.SUBMIT_FULL, 5, 22, BUY, 104, 1, False, (98, 104)),
        ],
        band=(98, 102),
    )
    assert [(e[0], e[1]) for e in events if e[0] is not EventKind.FILL] == [
        (EventKind.DONE, 3),
        (EventKind.DONE, 4),
        (EventKind.DONE, 5),
    ]
    assert [e[4] for e in events if e[0] is EventKind.DONE] == [
        DoneReason.FILLED,
        DoneReason.PRICE_BAND,
        DoneReason.FILLED,
    ]


def test_sides_may_be_given_as_their_values():
    book = OrderBook(0, 0, 0)
    events = book.apply([(K.SUBMIT, 1, 10, 1, 100, 5), (K.SUBMIT, 2, 11, 0, 100, 5)])
    assert events[0] == Rested(EventKind.RESTED, 1, 10, SELL, 100, 5)
    assert events[0][3] is SELL and events[1][9] is BUY  # the events carry Side members


def test_the_bench_workloads_tuples_are_commands():
    assert (SUBMIT, CANCEL) == (K.SUBMIT, K.CANCEL)


def test_a_refused_command_changes_nothing_and_the_ones_before_it_stand():
    book = OrderBook(0, 0, 0)
    with pytest.raises(OrderIdNotIncreasing) as err:
        book.apply([(K.SUBMIT, 1, 10, SELL, 100, 5), (K.SUBMIT, 1, 11, BUY, 100, 5), (K.CANCEL, 1)])
    assert err.value.events == [Rested(EventKind.RESTED, 1, 10, SELL, 100, 5)]
    assert book.best_ask() == 100 and book.best_bid() is None  # nothing after it ran
    assert book.submit(2, 11, BUY, 99, 5)[0][0] is EventKind.RESTED


@pytest.mark.parametrize(
    "command",
    [
        (7, 2, 10, SELL, 100, 5),  # no such command
        (K.SUBMIT, 2, 10, SELL, 100),  # a SUBMIT has 6 items
        (K.SUBMIT_FULL, 2, 10, SELL, 100, 5),  # a SUBMIT_FULL has 8
        (K.SUBMIT, 2, 10, 2, 100, 5),  # no such side
        (K.SUBMIT, 2, 10, SELL, 0, 5),
        (K.SUBMIT, 2, 10, SELL, 100, 0),
    ],
)
def test_commands_of_the_wrong_shape_are_refused(command):
    book = OrderBook(0, 0, 0)
    with pytest.raises(InvalidOrder) as err:
        book.apply([(K.SUBMIT, 1, 10, BUY, 90, 5), command])
    assert err.value.code == "INVALID_ORDER"
    assert [e[1] for e in err.value.events] == [1]
    assert len(book) == 1
