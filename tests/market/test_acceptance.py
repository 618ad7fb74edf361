"""Accepting orders: validation, full cover, sequence, idempotency (MKT-1, MKT-2, MKT-8, FEE-2)."""

from __future__ import annotations

import pytest

from kantor.customers.models import CustomerStatus
from kantor.domain.money import InvalidAmount, Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind, HistoryItem, LedgerTransaction
from kantor.ledger.posting import InsufficientFunds, Posting, credit, debit, post
from kantor.ledger.queries import customer_balance
from kantor.market.actions import preview_order
from kantor.market.errors import (
    AmountTooSmall,
    FeesInArrears,
    InvalidOrder,
    NotAllowed,
    UnsupportedCurrency,
)
from kantor.market.models import Order, OrderStatus
from kantor.rates.errors import PairNotOffered
from kantor.rates.models import OfferedPair
from tests.factories import fund
from tests.market.conftest import assert_books_balance, place


def reserved(customer, cur: str) -> Money:
    return customer_balance(customer, cur).reserved


def test_buy_limited_in_base_reserves_volume_times_limit_rounded_up_MKT_2(customer):
    """33.33 EUR × 4.3333 = 144.428889 PLN: the cover is 144.43 PLN (MON-2: up)."""
    fund(customer, "1000.00", "PLN")
    order = place(customer, "BUY", "33.33", "EUR", "4.3333")

    assert order.reserved_minor == 14443
    assert (order.sold_currency, order.bought_currency) == ("PLN", "EUR")
    assert reserved(customer, "PLN") == Money("144.43", "PLN")
    assert customer_balance(customer, "PLN").available == Money("855.57", "PLN")
    assert order.status == OrderStatus.ACTIVE
    assert_books_balance()


def test_buy_for_a_quote_budget_reserves_the_budget_MKT_1_MKT_2(customer):
    """MKT-1: a buy "for at most 1000 PLN" is as valid as one of 250 EUR."""
    fund(customer, "1000.00", "PLN")
    order = place(customer, "BUY", "1000.00", "PLN", "4.3000")

    assert (order.volume_currency, order.sold_currency) == ("PLN", "PLN")
    assert reserved(customer, "PLN") == Money("1000.00", "PLN")
    assert_books_balance()


def test_sell_reserves_the_base_volume_MKT_2(customer):
    fund(customer, "100.00", "EUR")
    place(customer, "SELL", "100.00", "EUR", "4.3000")
    assert reserved(customer, "EUR") == Money("100.00", "EUR")
    assert customer_balance(customer, "EUR").available == Money("0.00", "EUR")
    assert_books_balance()


def test_sell_to_receive_a_quote_amount_reserves_what_sells_it_at_the_limit_MKT_1_MKT_2(customer):
    """Receiving at most 430.00 PLN at no less than 4.3000 sells at most 100.00 EUR."""
    fund(customer, "150.00", "EUR")
    order = place(customer, "SELL", "430.00", "PLN", "4.3000")
    assert order.reserved_minor == 10000
    assert reserved(customer, "EUR") == Money("100.00", "EUR")
    assert_books_balance()


def test_reservation_is_no_history_item_and_one_balanced_transaction_MKT_2(customer):
    fund(customer, "500.00", "PLN")
    place(customer, "BUY", "10.00", "EUR", "4.3000")
    assert HistoryItem.objects.filter(customer=customer).count() == 1  # the deposit only
    assert LedgerTransaction.objects.filter(kind="market_fx_reserve").count() == 1
    assert_books_balance()


def test_order_without_full_cover_is_refused_and_books_nothing_MKT_2(customer):
    fund(customer, "100.00", "PLN")
    with pytest.raises(InsufficientFunds):
        place(customer, "BUY", "100.00", "EUR", "4.3000")
    assert not Order.objects.exists()
    assert reserved(customer, "PLN") == Money("0.00", "PLN")
    assert_books_balance()


def test_dry_run_checks_the_cover_without_booking_MKT_2(customer):
    fund(customer, "100.00", "PLN")
    request = preview_order(customer, "EURPLN", "BUY", "20.00", "EUR", "4.3000")
    assert request.reservation == Money("86.00", "PLN")
    with pytest.raises(InsufficientFunds):
        preview_order(customer, "EURPLN", "BUY", "50.00", "EUR", "4.3000")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("side", "volume", "cur", "limit"),
    [
        ("SELL", "2.00", "EUR", "4.3000"),  # 2 EUR meets the EUR minimum, 8.60 PLN is below 10
        ("SELL", "1.99", "EUR", "9.0000"),  # 17.91 PLN meets the PLN minimum, 1.99 EUR is below 2
        ("BUY", "9.99", "PLN", "4.3000"),  # a budget below 10 PLN
    ],
)
def test_order_worth_less_than_the_minimum_in_either_currency_is_refused_MKT_8(
    customer, side, volume, cur, limit
):
    fund(customer, "1000.00", "PLN")
    fund(customer, "1000.00", "EUR")
    with pytest.raises(AmountTooSmall) as refused:
        place(customer, side, volume, cur, limit)
    assert refused.value.api_key == "AMOUNT_TOO_SMALL"
    assert not Order.objects.exists()


def test_minimum_is_configurable_per_currency_MKT_8(customer, settings):
    settings.KANTOR_MARKET_MIN_TRADE = {"PLN": "100.00"}
    fund(customer, "1000.00", "EUR")
    with pytest.raises(AmountTooSmall):
        place(customer, "SELL", "20.00", "EUR", "4.3000")  # 86 PLN
    assert place(customer, "SELL", "25.00", "EUR", "4.3000").status == OrderStatus.ACTIVE


def test_pair_not_offered_is_refused_MKT_1(customer):
    fund(customer, "100.00", "EUR")
    with pytest.raises(PairNotOffered) as refused:
        place(customer, "SELL", "10.00", "EUR", "1.0000", pair="EURSEK")
    assert refused.value.code == "CURRENCY_NOT_SUPPORTED"
    OfferedPair.objects.filter(code="EURPLN").update(enabled=False)
    with pytest.raises(PairNotOffered):
        place(customer, "SELL", "10.00", "EUR", "4.3000")


def test_volume_currency_must_be_one_of_the_pair_MKT_1(customer):
    fund(customer, "100.00", "EUR")
    with pytest.raises(InvalidOrder) as refused:
        place(customer, "SELL", "10.00", "USD", "4.3000")
    assert refused.value.code == "VOLUME_CURRENCY_NOT_IN_PAIR"
    with pytest.raises(UnsupportedCurrency):
        place(customer, "SELL", "10.00", "XYZ", "4.3000")


def test_limit_rate_with_more_than_the_pairs_decimals_is_refused_MON_3(customer):
    fund(customer, "100.00", "EUR")
    with pytest.raises(InvalidOrder) as refused:
        place(customer, "SELL", "10.00", "EUR", "4.30001")
    assert refused.value.code == "INVALID_LIMIT_PRICE"
    with pytest.raises(InvalidOrder):
        place(customer, "SELL", "10.00", "EUR", "0")


def test_volume_finer_than_the_minor_unit_is_refused_MON_1(customer):
    fund(customer, "100.00", "EUR")
    with pytest.raises(InvalidAmount):
        place(customer, "SELL", "10.001", "EUR", "4.3000")


def test_side_is_buy_or_sell_MKT_1(customer):
    fund(customer, "100.00", "EUR")
    with pytest.raises(InvalidOrder) as refused:
        place(customer, "HOLD", "10.00", "EUR", "4.3000")
    assert refused.value.code == "INVALID_SIDE"


def test_customer_owing_fees_cannot_place_orders_until_paid_FEE_2(customer):
    fund(customer, "1000.00", "PLN")
    post(
        Posting(
            "test-arrears",
            "damages",
            [
                debit(accounts.receivable(customer, "PLN"), Money("5.00", "PLN")),
                credit(
                    accounts.operator_account(AccountKind.DAMAGES_INCOME, "PLN"),
                    Money("5.00", "PLN"),
                ),
            ],
        )
    )
    with pytest.raises(FeesInArrears) as refused:
        place(customer, "BUY", "10.00", "EUR", "4.3000")
    assert refused.value.api_key == "NOT_AUTHORIZED"
    assert refused.value.error_data == {"amountDue": "5.00 PLN"}
    assert not Order.objects.exists()
    assert_books_balance()


@pytest.mark.parametrize("status", [CustomerStatus.SUSPENDED, CustomerStatus.TERMINATED])
def test_suspended_or_terminated_customer_cannot_place_orders_REG_12(customer, status):
    fund(customer, "1000.00", "PLN")
    customer.status = status
    customer.save()
    with pytest.raises(NotAllowed):
        place(customer, "BUY", "10.00", "EUR", "4.3000")


def test_repeated_submit_id_returns_the_first_order_and_books_nothing_API_1(customer):
    fund(customer, "1000.00", "PLN")
    first = place(customer, "BUY", "10.00", "EUR", "4.3000", submit_id="s-1")
    again = place(customer, "BUY", "10.00", "EUR", "4.3000", submit_id="s-1")
    assert again.pk == first.pk
    assert reserved(customer, "PLN") == Money("43.00", "PLN")
    assert_books_balance()


def test_sequence_numbers_follow_acceptance_per_pair_MKT_4(customer):
    fund(customer, "1000.00", "PLN")
    fund(customer, "1000.00", "USD")
    a = place(customer, "BUY", "10.00", "EUR", "4.3000")
    b = place(customer, "BUY", "10.00", "USD", "4.0000", pair="USDPLN")
    c = place(customer, "BUY", "10.00", "EUR", "4.2000")
    assert (a.seq, c.seq) == (1, 2)
    assert b.seq == 1
