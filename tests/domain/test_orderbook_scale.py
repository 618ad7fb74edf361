"""The Decimal boundary of the order book (MON-1..3, MKT-1, MKT-7, MKT-8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kantor.domain.money import CurrencyMismatch, CurrencyPair, InvalidAmount, Money
from kantor.domain.orderbook_events import DoneReason, EventKind, Side, named
from kantor.domain.orderbook_scale import BookScale

EURPLN = BookScale(CurrencyPair.parse("EURPLN"))


def test_rates_become_ticks_and_back_MON_3():
    assert EURPLN.ticks(Decimal("4.3012")) == 43012
    assert EURPLN.rate(43012) == Decimal("4.3012")
    with pytest.raises(InvalidAmount):
        EURPLN.ticks(Decimal("4.30125"))


def test_volume_in_either_currency_of_the_pair_MKT_1():
    assert EURPLN.volume(Money("250.00", "EUR")) == (25000, False)
    assert EURPLN.volume(Money("1000.00", "PLN")) == (100000, True)
    with pytest.raises(CurrencyMismatch):
        EURPLN.volume(Money("1.00", "USD"))


def test_new_book_takes_minimums_as_money_MKT_8():
    book = EURPLN.new_book(min_base=Money("1.00", "EUR"), min_quote=Money("5.00", "PLN"))
    assert book.divisor == 10**4
    assert book.below_minimum(43000, 99)  # 0.99 EUR
    assert book.below_minimum(43000, 499, in_quote=True)  # 4.99 PLN
    assert not book.below_minimum(43000, 500, in_quote=True)  # 5.00 PLN buys 1.16 EUR


def test_a_trade_in_money_on_eur_pln_MON_2():
    book = EURPLN.new_book()
    book.submit(1, 10, Side.SELL, EURPLN.ticks(Decimal("4.3001")), 333)
    fill = named(book.submit(2, 20, Side.BUY, EURPLN.ticks(Decimal("4.31")), 333)[0])
    assert fill.kind is EventKind.FILL
    assert EURPLN.quote_money(fill.quote_paid) == Money("14.32", "PLN")
    assert EURPLN.quote_money(fill.quote_received) == Money("14.31", "PLN")
    assert EURPLN.base_money(fill.base) == Money("3.33", "EUR")


def test_price_band_is_two_percent_around_the_mid_MKT_7():
    assert EURPLN.price_band(Decimal("4.3000")) == (42140, 43860)
    # rounded inwards when the band's ends fall between ticks
    assert EURPLN.price_band(Decimal("4.30125")) == (42153, 43872)
    book = EURPLN.new_book()
    book.submit(1, 10, Side.SELL, 43900, 100)
    events = book.submit(2, 20, Side.BUY, 44000, 100, band=EURPLN.price_band(Decimal("4.3")))
    assert named(events[-1]).reason is DoneReason.PRICE_BAND


@given(
    mid=st.decimals(Decimal("0.5"), Decimal("500"), places=6),
    upper=st.booleans(),
    offset=st.integers(-2, 2),
)
def test_every_tick_in_the_band_is_within_two_percent_MKT_7(mid, upper, offset):
    lo, hi = EURPLN.price_band(mid)
    tick = (hi if upper else lo) + offset  # around the band's edges
    within = abs(EURPLN.rate(tick) - mid) <= mid * Decimal("0.02")
    assert (lo <= tick <= hi) == within
