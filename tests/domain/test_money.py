from decimal import Decimal

import pytest

from kantor.domain.money import (
    CurrencyPair,
    InvalidAmount,
    Money,
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
