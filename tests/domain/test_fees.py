from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty.registry import get_banks_by_country

from kantor.domain.fees import (
    ANY_BANK,
    ANY_CURRENCY,
    DEFAULT_WITHDRAWAL_FEE_TABLE,
    FeeError,
    WithdrawalFeeNotConfigured,
    WithdrawalFeeRule,
    polish_bank_number,
    trade_commission,
    withdrawal_fee,
)
from kantor.domain.money import Currency, Money

YEN_WHOLE = Currency("JPY", 0, "yen published without decimals")


# -- FEE-1 ---------------------------------------------------------------------


def test_commission_is_two_per_mille_of_what_the_customer_receives_FEE_1():
    assert trade_commission(Money("1000.00", "EUR")) == Money("2.00", "EUR")


def test_commission_is_rounded_up_to_the_minor_unit_FEE_1():
    # 1234.56 × 0.002 = 2.46912
    assert trade_commission(Money("1234.56", "PLN")) == Money("2.47", "PLN")


def test_discount_is_a_fraction_of_the_rate_FEE_1():
    # 25% off 0.2% is 0.15%: 1000 × 0.0015 = 1.50
    assert trade_commission(Money("1000.00", "PLN"), discount=Decimal("0.25")) == Money(
        "1.50", "PLN"
    )


def test_commission_is_never_below_one_hundredth_FEE_1():
    assert trade_commission(Money("1.00", "PLN")) == Money("0.01", "PLN")
    assert trade_commission(Money("0.01", "PLN")) == Money("0.01", "PLN")


def test_minimum_is_one_minor_unit_for_a_currency_without_decimals_FEE_1():
    assert trade_commission(Money("100", YEN_WHOLE)) == Money("1", YEN_WHOLE)
    assert trade_commission(Money("10000", YEN_WHOLE)) == Money("20", YEN_WHOLE)


def test_commission_never_exceeds_what_is_received_FEE_1():
    assert trade_commission(Money("0.01", "PLN"), rate=Decimal(1)) == Money("0.01", "PLN")
    assert trade_commission(Money("0.00", "PLN")) == Money("0.00", "PLN")


def test_a_waived_commission_charges_nothing_not_the_minimum_FEE_1():
    assert trade_commission(Money("500.00", "PLN"), discount=Decimal(1)) == Money("0.00", "PLN")
    assert trade_commission(Money("500.00", "PLN"), rate=Decimal(0)) == Money("0.00", "PLN")


@pytest.mark.parametrize(
    ("rate", "discount", "received"),
    [
        (Decimal("-0.001"), Decimal(0), Money("1.00", "PLN")),
        (Decimal("1.5"), Decimal(0), Money("1.00", "PLN")),
        (Decimal("0.002"), Decimal("1.01"), Money("1.00", "PLN")),
        (Decimal("0.002"), Decimal("-0.1"), Money("1.00", "PLN")),
        (Decimal("0.002"), Decimal(0), Money("-1.00", "PLN")),
    ],
)
def test_invalid_commission_parameters_are_refused_with_a_code_FEE_1(rate, discount, received):
    with pytest.raises(FeeError) as err:
        trade_commission(received, rate=rate, discount=discount)
    assert err.value.code == "INVALID_FEE_PARAMETER"


@settings(max_examples=150, deadline=None)
@given(
    minor=st.integers(min_value=1, max_value=10**13),
    discount=st.decimals(min_value=0, max_value=Decimal("0.99"), places=2),
    code=st.sampled_from(["PLN", "EUR", "USD"]),
)
def test_commission_properties_FEE_1(minor, discount, code):
    received = Money.from_minor(minor, code)
    fee = trade_commission(received, discount=discount)
    exact = received.amount * Decimal("0.002") * (1 - discount)
    quantum = received.currency.quantum
    assert fee.currency == received.currency
    assert quantum <= fee.amount <= received.amount
    assert fee.amount >= exact  # rounded in the operator's favour: the customer pays
    assert fee.amount - exact < quantum or fee.amount == quantum
    bigger = trade_commission(Money.from_minor(minor + 1, code), discount=discount)
    assert bigger >= fee


# -- WD-3 ----------------------------------------------------------------------

TABLE = DEFAULT_WITHDRAWAL_FEE_TABLE
EUR_PLN = Decimal("4.3000")


@pytest.mark.parametrize("bank", ["102", "144"])
@pytest.mark.parametrize("cur", ["PLN", "EUR", "USD", "GBP", "CHF"])
def test_pko_bp_and_nordea_are_free_in_every_currency_WD_3(bank, cur):
    assert withdrawal_fee(TABLE, bank, cur, Decimal("4.0000")) == Money.zero(cur)


@pytest.mark.parametrize(
    "bank", ["109", "150", "124", "114", "116", "249", "105", "175", "191", "188"]
)
def test_named_banks_are_free_in_pln_and_5_pln_equivalent_otherwise_WD_3(bank):
    assert withdrawal_fee(TABLE, bank, "PLN", Decimal(1)) == Money("0.00", "PLN")
    # 5 / 4.30 = 1.1627… → 1.17 EUR, rounded up: the customer pays it.
    assert withdrawal_fee(TABLE, bank, "EUR", EUR_PLN) == Money("1.17", "EUR")


def test_other_banks_pay_4_pln_or_9_pln_equivalent_WD_3():
    citi = polish_bank_number("PL27 1030 0019 0109 8503 0011 1111")
    assert citi == "103"
    assert withdrawal_fee(TABLE, citi, "PLN", Decimal(1)) == Money("4.00", "PLN")
    # 9 / 5.1000 = 1.7647… → 1.77 GBP
    assert withdrawal_fee(TABLE, citi, "GBP", Decimal("5.1000")) == Money("1.77", "GBP")


def test_a_foreign_bank_is_an_other_bank_WD_3():
    assert polish_bank_number("DE89 3704 0044 0532 0130 00") is None
    assert withdrawal_fee(TABLE, None, "EUR", EUR_PLN) == Money("2.10", "EUR")  # 9/4.3 = 2.093


def test_bank_number_is_read_from_the_sorting_code_of_a_polish_iban_WD_3():
    assert polish_bank_number("pl61109010140000071219812874") == "109"
    assert polish_bank_number("PL10 1020 1026 0000 0402 0123 4567") == "102"
    assert polish_bank_number("PL") is None


def test_operator_rows_for_a_bank_and_currency_beat_wildcards_WD_3():
    promo = WithdrawalFeeRule(frozenset({"114"}), "EUR", Money("0.00", "PLN"), "mBank EUR promo")
    table = (*TABLE, promo)
    assert withdrawal_fee(table, "114", "EUR", EUR_PLN) == Money("0.00", "EUR")
    assert withdrawal_fee(table, "114", "USD", Decimal("4.0000")) == Money("1.25", "USD")


def test_ambiguous_and_missing_rows_are_configuration_errors_WD_3():
    clash = WithdrawalFeeRule(frozenset({"102"}), ANY_CURRENCY, Money("1.00", "PLN"))
    with pytest.raises(FeeError):
        withdrawal_fee((*TABLE, clash), "102", "PLN", Decimal(1))
    only_pln = (WithdrawalFeeRule(ANY_BANK, "PLN", Money("4.00", "PLN")),)
    with pytest.raises(WithdrawalFeeNotConfigured) as err:
        withdrawal_fee(only_pln, "102", "EUR", EUR_PLN)
    assert err.value.code == "WITHDRAWAL_FEE_NOT_CONFIGURED"


def test_fee_rows_are_validated_WD_3():
    with pytest.raises(FeeError):
        WithdrawalFeeRule(ANY_BANK, "PLN", Money("4.00", "EUR"))
    with pytest.raises(FeeError):
        WithdrawalFeeRule(frozenset({"12"}), "PLN", Money("4.00", "PLN"))
    with pytest.raises(FeeError):
        withdrawal_fee(TABLE, "103", "EUR", Decimal(0))


@settings(max_examples=100, deadline=None)
@given(
    bank=st.sampled_from(["102", "114", "103", None]),
    rate=st.decimals(min_value=Decimal("0.0100"), max_value=Decimal("50"), places=4),
)
def test_converted_fee_covers_the_pln_fee_by_less_than_one_minor_unit_WD_3(bank, rate):
    fee = withdrawal_fee(TABLE, bank, "USD", rate)
    pln = withdrawal_fee(TABLE, bank, "PLN", Decimal(1))
    fee_pln = {"102": 0, "114": 5, "103": 9, None: 9}[bank]
    assert pln.amount in (Decimal(0), Decimal(4))
    assert fee.amount * rate >= fee_pln
    assert (fee.amount - Decimal("0.01")) * rate < fee_pln or fee.amount == 0
    assert fee.amount == (Decimal(fee_pln) / rate).quantize(Decimal("0.01"), ROUND_CEILING)


def test_default_table_names_banks_that_exist_in_the_polish_registry_WD_3():
    """The 3-digit numbers come from the NBP registry as shipped in schwifty (BANK-1)."""
    prefixes = {bank.bank_code[:3] for bank in get_banks_by_country("PL")}
    named = set().union(*(rule.banks for rule in DEFAULT_WITHDRAWAL_FEE_TABLE))
    assert named <= prefixes
