"""Pure rate rules (RATE-1, MON-3): bid/ask rounding, cross rates, the demo walk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kantor.domain.money import CurrencyPair, InvalidAmount
from kantor.domain.rates import DemoWalk, MissingMid, bid_ask, cross_mid, round_mid

EURPLN = CurrencyPair.parse("EURPLN")
EURUSD = CurrencyPair.parse("EURUSD")
USDPLN = CurrencyPair.parse("USDPLN")

# --- bid / ask ---------------------------------------------------------------


def test_bid_rounds_down_and_ask_rounds_up_at_four_decimals_RATE_1():
    # 4.3917 × 0.9975 = 4.38072075 → 4.3807; 4.3917 × 1.0025 = 4.40267925 → 4.4027
    q = bid_ask(EURPLN, Decimal("4.3917"), Decimal("0.0025"), Decimal("0.0025"))
    assert (q.mid, q.bid, q.ask) == (Decimal("4.3917"), Decimal("4.3807"), Decimal("4.4027"))


def test_rounding_follows_the_pairs_decimals_MON_3():
    eurhuf = CurrencyPair.parse("EURHUF", rate_decimals=2)
    # the mid is first brought to 2 decimals half-up: 395.125 → 395.13;
    # 395.13 × 0.997 = 393.94461 → 393.94; 395.13 × 1.003 = 396.31539 → 396.32
    q = bid_ask(eurhuf, Decimal("395.125"), Decimal("0.003"), Decimal("0.003"))
    assert (q.mid, q.bid, q.ask) == (Decimal("395.13"), Decimal("393.94"), Decimal("396.32"))


def test_six_decimal_pair_keeps_its_precision_MON_3():
    jpypln = CurrencyPair.parse("JPYPLN", rate_decimals=6)
    q = bid_ask(jpypln, Decimal("0.025812"), Decimal("0.005"), Decimal("0.005"))
    # 0.025812 × 0.995 = 0.02568294 → 0.025682; × 1.005 = 0.02594106 → 0.025942
    assert (q.bid, q.ask) == (Decimal("0.025682"), Decimal("0.025942"))


def test_asymmetric_margins_apply_to_their_own_side_RATE_1():
    q = bid_ask(EURPLN, Decimal("4.0000"), Decimal("0.01"), Decimal("0"))
    assert (q.bid, q.mid, q.ask) == (Decimal("3.9600"), Decimal("4.0000"), Decimal("4.0000"))


@pytest.mark.parametrize("margin", [Decimal("-0.001"), Decimal("0.1001"), Decimal("NaN")])
def test_margin_outside_zero_to_ten_percent_is_refused_RATE_1(margin):
    with pytest.raises(InvalidAmount):
        bid_ask(EURPLN, Decimal("4.3"), margin, Decimal("0.001"))


@pytest.mark.parametrize("mid", [Decimal(0), Decimal("-1"), Decimal("0.00004")])
def test_a_mid_that_is_not_positive_at_the_pairs_decimals_is_refused_RATE_1(mid):
    with pytest.raises(InvalidAmount):
        bid_ask(EURPLN, mid, Decimal("0.001"), Decimal("0.001"))


#: mids of at least 100 quanta of the pair (a pair quoted with fewer
#: significant digits is misconfigured); any precision, up to 8 decimals
units = st.integers(min_value=100, max_value=10**12)
mids = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50000"), places=8)
margins = st.decimals(min_value=Decimal(0), max_value=Decimal("0.1"), places=6)
positive_margins = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("0.1"), places=6)
decimals = st.integers(min_value=2, max_value=6)


@given(n=units, extra=mids, bid_margin=margins, ask_margin=margins, places=decimals)
def test_bid_never_above_mid_and_ask_never_below_RATE_1(n, extra, bid_margin, ask_margin, places):
    pair = CurrencyPair.parse("EURPLN", rate_decimals=places)
    mid = Decimal(n).scaleb(-places) + extra
    q = bid_ask(pair, mid, bid_margin, ask_margin)
    assert q.bid <= q.mid <= q.ask
    for rate in (q.mid, q.bid, q.ask):
        assert rate == rate.quantize(pair.rate_quantum)
    # the rounding never gives the customer more than the margin allows
    assert q.bid <= q.mid * (1 - bid_margin)
    assert q.ask >= q.mid * (1 + ask_margin)
    # ... and takes at most one quantum beyond it
    assert q.mid * (1 - bid_margin) - q.bid < pair.rate_quantum
    assert q.ask - q.mid * (1 + ask_margin) < pair.rate_quantum


@given(
    n=units, extra=mids, bid_margin=positive_margins, ask_margin=positive_margins, places=decimals
)
def test_positive_margins_give_a_spread_RATE_1(n, extra, bid_margin, ask_margin, places):
    pair = CurrencyPair.parse("EURPLN", rate_decimals=places)
    mid = Decimal(n).scaleb(-places) + extra
    q = bid_ask(pair, mid, bid_margin, ask_margin)
    assert q.bid < q.mid < q.ask


# --- cross rates -------------------------------------------------------------

TABLE_2026_10_23 = {
    "EUR": Decimal("4.3917"),
    "USD": Decimal("3.9247"),
    "GBP": Decimal("5.2498"),
    "CHF": Decimal("4.7681"),
}


@pytest.mark.parametrize(
    ("pair", "mid"),
    [
        ("EURPLN", "4.3917"),
        ("EURUSD", "1.1190"),  # 4.3917 / 3.9247 = 1.118989…
        ("EURGBP", "0.8365"),  # 0.836546…
        ("EURCHF", "0.9211"),  # 0.921058…
        ("USDCHF", "0.8231"),  # 0.823116…
        ("GBPUSD", "1.3376"),  # 1.337630…
        ("PLNEUR", "0.2277"),  # 1 / 4.3917 = 0.227702…
    ],
)
def test_cross_rates_are_derived_from_pln_mids_RATE_1(pair, mid):
    assert cross_mid(CurrencyPair.parse(pair), TABLE_2026_10_23) == Decimal(mid)


def test_cross_rate_rounds_half_up_not_half_even_RATE_1():
    # 2.0001 / 2 = 1.00005 exactly: half-up gives 1.0001 (half-even would give 1.0000)
    assert cross_mid(EURUSD, {"EUR": Decimal("2.0001"), "USD": Decimal(2)}) == Decimal("1.0001")
    assert round_mid(EURUSD, Decimal("1.00005")) == Decimal("1.0001")


def test_cross_rate_needs_both_currencies_RATE_1():
    with pytest.raises(MissingMid):
        cross_mid(EURUSD, {"EUR": Decimal("4.3917")})


# --- the demo walk -----------------------------------------------------------

WALK = DemoWalk(seed="test-seed")
ANCHOR_TS = datetime(2026, 10, 26, 11, 15, tzinfo=UTC)
ANCHOR_INDEX = WALK.step_index(ANCHOR_TS)


def test_demo_walk_starts_at_the_last_real_mid_RATE_1():
    assert WALK.mid(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, ANCHOR_INDEX) == Decimal("4.4026")


def test_demo_walk_same_seed_same_time_same_rate_RATE_1():
    index = ANCHOR_INDEX + 1234
    first = DemoWalk(seed="test-seed").mid(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, index)
    again = DemoWalk(seed="test-seed").mid(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, index)
    other = [
        DemoWalk(seed=f"other-{n}").mid(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, index)
        for n in range(5)
    ]
    assert first == again
    assert any(o != first for o in other)


def test_demo_walk_is_the_same_whether_walked_at_once_or_in_parts_RATE_1():
    whole = list(
        WALK.mids(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, ANCHOR_INDEX, ANCHOR_INDEX + 50)
    )
    parts = list(
        WALK.mids(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, ANCHOR_INDEX, ANCHOR_INDEX + 20)
    )
    parts += list(
        WALK.mids(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, ANCHOR_INDEX + 20, ANCHOR_INDEX + 50)
    )
    assert whole == parts
    assert len({mid for _, mid in whole}) > 1  # it does move


@given(offset=st.integers(min_value=0, max_value=100_000))
def test_demo_walk_moves_at_most_half_a_per_mille_per_tick_RATE_1(offset):
    index = ANCHOR_INDEX + offset
    for pair, anchor in ((EURPLN, Decimal("4.4026")), (EURUSD, Decimal("1.1205"))):
        before = WALK.mid(pair, anchor, ANCHOR_INDEX, index)
        after = WALK.mid(pair, anchor, ANCHOR_INDEX, index + 1)
        assert abs(after - before) <= before * Decimal("0.0005") + pair.rate_quantum


@given(offset=st.integers(min_value=0, max_value=10_000_000))
def test_demo_walk_stays_near_the_real_mid_RATE_1(offset):
    mid = WALK.mid(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, ANCHOR_INDEX + offset)
    assert abs(mid / Decimal("4.4026") - 1) < Decimal("0.05")


def test_demo_cross_pairs_stay_consistent_with_pln_pairs_RATE_1():
    index = ANCHOR_INDEX + 5000
    eurpln = WALK.mid(EURPLN, Decimal("4.4026"), ANCHOR_INDEX, index)
    usdpln = WALK.mid(USDPLN, Decimal("3.9293"), ANCHOR_INDEX, index)
    eurusd = WALK.mid(EURUSD, Decimal("1.1205"), ANCHOR_INDEX, index)
    assert abs(eurusd - eurpln / usdpln) < Decimal("0.0003")


def test_demo_steps_are_aligned_to_the_step_length_RATE_1():
    when = datetime(2026, 11, 21, 10, 0, 7, 500000, tzinfo=UTC)
    index = WALK.step_index(when)
    assert WALK.step_time(index) == datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
    assert WALK.step_time(index + 1) - WALK.step_time(index) == timedelta(seconds=10)
    with pytest.raises(ValueError):
        WALK.step_index(when.replace(tzinfo=None))
