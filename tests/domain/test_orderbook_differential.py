"""Differential tests: the engine against the obviously correct reference engine.

Random command streams (both volume modes, minimums, price bands, cancels,
self-matches among three owners, scales with and without rounding) must give
identical events from both engines, one command at a time and in batches
(``OrderBook.apply``), and the invariants of the market must hold after
every command (MKT-2..9, MON-2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.domain import orderbook_match
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import CommandKind, DoneReason, EventKind, Side, named
from tests.domain.reference_engine import ReferenceBook

PRICES = (95, 105)


@st.composite
def commands(draw, d: int) -> list[tuple]:
    """Submits and cancels; quote volumes sized to the scale's quote values."""
    n = draw(st.integers(1, 40))
    quote_max = 60 * PRICES[1] // d + 5
    out = []
    for _ in range(n):
        if out and draw(st.integers(0, 5)) == 0:
            out.append(("cancel", draw(st.integers(1, len(out) + 2))))
            continue
        in_quote = draw(st.booleans())
        band = None
        if draw(st.integers(0, 3)) == 0:
            lo = draw(st.integers(90, 100))
            band = (lo, draw(st.integers(lo, 110)))
        out.append(
            (
                "submit",
                draw(st.integers(1, 3)),  # owner: few, so self-matches happen
                draw(st.sampled_from((Side.BUY, Side.SELL))),
                draw(st.integers(*PRICES)),
                draw(st.integers(1, quote_max if in_quote else 60)),
                in_quote,
                band,
            )
        )
    return out


@dataclass
class Ledger:
    """What the events say about each order, checked against its limits."""

    volume: dict[int, tuple] = field(default_factory=dict)
    base: dict[int, int] = field(default_factory=dict)
    quote: dict[int, int] = field(default_factory=dict)
    bought: int = 0
    sold: int = 0
    paid: int = 0
    received: int = 0


def check_invariants(book: OrderBook, events: list, ledger: Ledger) -> None:
    for e in events:
        if e[0] is EventKind.FILL:
            f = named(e)
            assert f.base > 0
            assert 0 <= f.quote_paid - f.quote_received <= 1  # MON-2: < 1 unit to the operator
            buyer, seller = (f.taker_id, f.maker_id) if f.taker_side is Side.BUY else (
                f.maker_id, f.taker_id,
            )  # fmt: skip
            assert f.maker_owner != f.taker_owner  # no self-trade
            ledger.bought += f.base
            ledger.sold += f.base
            ledger.paid += f.quote_paid
            ledger.received += f.quote_received
            for oid, quote in ((buyer, f.quote_paid), (seller, f.quote_received)):
                ledger.base[oid] = ledger.base.get(oid, 0) + f.base
                ledger.quote[oid] = ledger.quote.get(oid, 0) + quote
        if e[0] in (EventKind.DONE, EventKind.RESTED):
            oid = e[1]
            side, volume, in_quote, reservation = ledger.volume[oid]
            base, quote = ledger.base.get(oid, 0), ledger.quote.get(oid, 0)
            filled = quote if in_quote else base
            assert filled <= volume  # never overfills its volume (MKT-1)
            assert (quote if side is Side.BUY else base) <= reservation  # MKT-2
            if e[0] is EventKind.DONE:
                done = named(e)
                assert (done.base_filled, done.quote_filled) == (base, quote)
                assert done.remaining == volume - filled
                if done.reason is DoneReason.FILLED:
                    assert done.remaining == 0
            else:
                assert named(e).remaining == volume - filled
    assert ledger.bought == ledger.sold
    assert ledger.paid >= ledger.received
    bid, ask = book.best_bid(), book.best_ask()
    assert bid is None or ask is None or bid < ask  # never crossed


def run_both(
    scale: tuple[int, int, int], minimums: tuple[int, int], cmds: list[tuple], split: int = 0
) -> None:
    """Feed ``cmds`` to the engine and the reference; from command ``split`` on, also
    to a copy of the engine restored from its snapshot: all must agree."""
    kw = {"min_base": minimums[0], "min_quote": minimums[1]}
    book = OrderBook(*scale, **kw)
    ref = ReferenceBook(*scale, **kw)
    restored = None
    ledger = Ledger()
    order_id = 0
    for i, cmd in enumerate(cmds):
        if i == split:
            restored = OrderBook(*scale, **kw)
            restored.restore(book.snapshot())
            assert restored.snapshot() == book.snapshot()
        if cmd[0] == "cancel":
            events = book.cancel(cmd[1])
            assert events == ref.cancel(cmd[1])
            if restored is not None:
                assert restored.cancel(cmd[1]) == events
        else:
            _, owner, side, price, volume, in_quote, band = cmd
            order_id += 1
            ledger.volume[order_id] = (
                side, volume, in_quote, book.reservation(side, price, volume, in_quote),
            )  # fmt: skip
            args = (order_id, owner, side, price, volume, in_quote, band)
            events = book.submit(*args)
            assert events == ref.submit(*args)
            if restored is not None:
                assert restored.submit(*args) == events
        check_invariants(book, events, ledger)
        assert (book.best_bid(), book.best_ask()) == (ref.best_bid(), ref.best_ask())
    if restored is not None:
        for side in (Side.BUY, Side.SELL):
            assert restored.depth(side, 100) == book.depth(side, 100)


def run_batches(
    scale: tuple[int, int, int],
    minimums: tuple[int, int],
    batches: list[tuple[list[tuple], tuple[int, int] | None]],
    *,
    rested: bool = True,
    int_sides: bool = False,
) -> None:
    """Feed ``(commands, band)`` batches to ``apply``: a submit in base with the
    batch's band goes as a SUBMIT, any other as a SUBMIT_FULL. The events must
    be the reference engine's, less its Rested events when ``rested`` is false."""
    kw = {"min_base": minimums[0], "min_quote": minimums[1]}
    book = OrderBook(*scale, **kw)
    ref = ReferenceBook(*scale, **kw)
    order_id = 0
    for cmds, band in batches:
        batch, expected = [], []
        for cmd in cmds:
            if cmd[0] == "cancel":
                batch.append((CommandKind.CANCEL, cmd[1]))
                expected += ref.cancel(cmd[1])
                continue
            _, owner, side, price, volume, in_quote, own_band = cmd
            order_id += 1
            expected += ref.submit(order_id, owner, side, price, volume, in_quote, own_band)
            if int_sides:
                side = int(side)
            args = (order_id, owner, side, price, volume)
            if not in_quote and own_band == band:
                batch.append((CommandKind.SUBMIT, *args))
            else:
                batch.append((CommandKind.SUBMIT_FULL, *args, in_quote, own_band))
        if not rested:
            expected = [e for e in expected if e[0] is not EventKind.RESTED]
        assert book.apply(batch, band, rested=rested) == expected
        assert (book.best_bid(), book.best_ask()) == (ref.best_bid(), ref.best_ask())


@st.composite
def batches(draw, cmds: list[tuple]) -> list[tuple[list[tuple], tuple[int, int] | None]]:
    """``cmds`` cut into batches, each with no band or one that some of its submits carry."""
    cuts = sorted(set(draw(st.lists(st.integers(1, len(cmds)), max_size=4))) | {len(cmds)})
    out, start = [], 0
    for cut in cuts:
        chunk = cmds[start:cut]
        bands = [c[6] for c in chunk if c[0] == "submit" and c[6] is not None]
        out.append((chunk, draw(st.sampled_from([None, *bands]))))
        start = cut
    return out


SCALES = st.sampled_from([(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0), (2, 2, 1)])
MINIMUMS = st.tuples(st.sampled_from([0, 0, 3, 10]), st.sampled_from([0, 0, 50, 400]))


@settings(max_examples=300)
@given(data=st.data(), scale=SCALES, minimums=MINIMUMS)
def test_engine_matches_reference_engine(data, scale, minimums):
    d = 10 ** (scale[0] + scale[2] - scale[1])
    cmds = data.draw(commands(d))
    run_both(scale, minimums, cmds, split=data.draw(st.integers(0, len(cmds))))


@settings(max_examples=40)
@given(data=st.data(), scale=SCALES, minimums=MINIMUMS)
def test_engine_matches_reference_engine_with_eager_compaction_MKT_9(data, scale, minimums):
    d = 10 ** (scale[0] + scale[2] - scale[1])
    with mock.patch.object(orderbook_match, "_COMPACT_FLOOR", 0):
        run_both(scale, minimums, data.draw(commands(d)))


@settings(max_examples=200)
@given(data=st.data(), scale=SCALES, minimums=MINIMUMS)
def test_batches_give_the_reference_engines_events(data, scale, minimums):
    d = 10 ** (scale[0] + scale[2] - scale[1])
    cmds = data.draw(commands(d))
    run_batches(
        scale,
        minimums,
        data.draw(batches(cmds)),
        rested=data.draw(st.booleans()),
        int_sides=data.draw(st.booleans()),
    )


@settings(max_examples=40)
@given(data=st.data(), scale=SCALES, minimums=MINIMUMS)
def test_batches_give_the_reference_engines_events_with_eager_compaction_MKT_9(
    data, scale, minimums
):
    d = 10 ** (scale[0] + scale[2] - scale[1])
    cmds = data.draw(commands(d))
    with mock.patch.object(orderbook_match, "_COMPACT_FLOOR", 0):
        run_batches(scale, minimums, data.draw(batches(cmds)), rested=data.draw(st.booleans()))


def long_stream(seed: int = 7, n: int = 3000) -> list[tuple]:
    """Deeper books than hypothesis builds: many levels, owners and cancels."""
    rnd = random.Random(seed)
    cmds: list[tuple] = []
    for _ in range(n):
        if cmds and rnd.random() < 0.15:
            cmds.append(("cancel", rnd.randint(max(1, len(cmds) - 300), len(cmds))))
            continue
        in_quote = rnd.random() < 0.3
        band = (rnd.randint(85, 100), rnd.randint(100, 115)) if rnd.random() < 0.2 else None
        cmds.append(
            (
                "submit",
                rnd.randint(1, 8),
                rnd.choice((Side.BUY, Side.SELL)),
                rnd.randint(80, 120),
                rnd.randint(1, 600 if in_quote else 80),
                in_quote,
                band,
            )
        )
    return cmds


@pytest.mark.parametrize("minimums", [(0, 0), (5, 20)])
def test_batches_give_the_reference_engines_events_on_a_long_seeded_stream(minimums):
    cmds = long_stream()
    chunks = [(cmds[i : i + 250], None) for i in range(0, len(cmds), 250)]
    with mock.patch.object(orderbook_match, "_COMPACT_FLOOR", 50):
        run_batches((1, 0, 0), minimums, chunks, rested=False, int_sides=True)


@pytest.mark.parametrize("minimums", [(0, 0), (5, 20)])
def test_engine_matches_reference_engine_on_a_long_seeded_stream(minimums):
    with mock.patch.object(orderbook_match, "_COMPACT_FLOOR", 50):
        run_both((1, 0, 0), minimums, long_stream(), split=2000)
