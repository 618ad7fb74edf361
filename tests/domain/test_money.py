from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kantor.domain.money import (
    CURRENCIES,
    CurrencyMismatch,
    CurrencyPair,
    InvalidAmount,
    Money,
    currency,
    round_customer_pays,
    round_customer_receives,
)


def test_money_refuses_sub_minor_amounts_MON_1():
    with pytest.raises(InvalidAmount):
        Money("1.001", "PLN")


def test_rounding_favours_nobody_by_accident_MON_2():
    assert round_customer_pays(Decimal("1.001"), "PLN") == Decimal("1.01")
    assert round_customer_receives(Decimal("1.009"), "PLN") == Decimal("1.00")


def test_pair_parses_walutomat_form_MON_3():
    pair = CurrencyPair.parse("eurpln")
    assert pair.code == "EURPLN" and str(pair) == "EUR/PLN"


# -- properties (MON-1, MON-2) -------------------------------------------------

codes = st.sampled_from(sorted(CURRENCIES))
minor_amounts = st.integers(min_value=-(10**15), max_value=10**15)
raw = st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False)


@given(codes, minor_amounts)
def test_minor_units_round_trip_exactly_MON_1(code, minor):
    m = Money.from_minor(minor, code)
    assert m.minor == minor
    assert Money(str(m.amount), code) == m


@given(codes, minor_amounts, minor_amounts)
def test_addition_is_exact_and_subtraction_undoes_it_MON_1(code, a, b):
    x, y = Money.from_minor(a, code), Money.from_minor(b, code)
    assert (x + y).minor == a + b
    assert (x + y) - y == x


@given(codes, raw)
def test_customer_pays_up_and_receives_down_within_one_minor_unit_MON_2(code, value):
    cur = currency(code)
    up, down = round_customer_pays(value, cur), round_customer_receives(value, cur)
    assert down <= value <= up
    assert up - down in (0, cur.quantum)
    assert (up == down) == (value == value.quantize(cur.quantum))


@given(codes, codes, minor_amounts)
def test_currencies_never_mix_MON_1(a, b, minor):
    if a == b:
        return
    with pytest.raises(CurrencyMismatch):
        Money.from_minor(minor, a) + Money.from_minor(minor, b)


@given(st.sampled_from(["4.1234", "0.0001", "123.4567"]), st.integers(1, 10**9))
def test_quote_amounts_bracket_the_exact_product_MON_2(rate, base_minor):
    pair = CurrencyPair.parse("EURPLN")
    base = Money.from_minor(base_minor, "EUR").amount
    exact = pair.quote_amount(base, Decimal(rate))
    assert round_customer_receives(exact, "PLN") <= exact <= round_customer_pays(exact, "PLN")
