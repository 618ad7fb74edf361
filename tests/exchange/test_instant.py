"""FX-1: instant exchange with the operator at a quoted rate (worked examples)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import Side
from kantor.exchange.actions import exchange_instant, preview_instant
from kantor.exchange.errors import ExchangeError, InvalidExchange, QuoteInvalid
from kantor.exchange.models import Exchange
from kantor.exchange.pricing import plan_exchange
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, HistoryItem, Leg
from kantor.ledger.posting import InsufficientFunds
from kantor.ledger.queries import customer_balance
from kantor.rates.errors import PairNotOffered
from tests.exchange.conftest import NOW, SECOND, publish
from tests.factories import fund


def available(customer, cur: str) -> Money:
    return customer_balance(customer, cur).available


def operator(kind: AccountKind, cur: str) -> Money:
    return accounts.operator_account(kind, cur).balance


def test_buying_base_books_one_balanced_transaction_through_trading_FX_1(customer, eurpln):
    """The ARCHITECTURE example: 100 EUR at ask 4.35, mid 4.30."""
    fund(customer, "1000.00", "PLN")
    exchange = exchange_instant(customer, "EURPLN", "BUY", "100.00", "EUR", NOW, now=NOW)

    assert available(customer, "PLN") == Money("565.00", "PLN")
    assert available(customer, "EUR") == Money("100.00", "EUR")
    assert operator(AccountKind.TRADING, "PLN") == Money("430.00", "PLN")
    assert operator(AccountKind.TRADING, "EUR") == Money("-100.00", "EUR")
    assert operator(AccountKind.FX_INCOME, "PLN") == Money("5.00", "PLN")
    legs = Leg.objects.filter(transaction=exchange.transaction)
    assert sorted((leg.account.kind, leg.currency, leg.amount_minor) for leg in legs) == sorted(
        [
            (AccountKind.CUSTOMER_AVAILABLE, "PLN", 43500),
            (AccountKind.TRADING, "PLN", -43000),
            (AccountKind.FX_INCOME, "PLN", -500),
            (AccountKind.TRADING, "EUR", 10000),
            (AccountKind.CUSTOMER_AVAILABLE, "EUR", -10000),
        ]
    )
    assert (exchange.sold, exchange.bought, exchange.margin_minor) == (
        Money("435.00", "PLN"),
        Money("100.00", "EUR"),
        500,
    )
    assert check_ledger().ok


def test_selling_base_mirrors_the_buy_FX_1(customer, eurpln):
    fund(customer, "100.00", "EUR")
    exchange_instant(customer, "EURPLN", Side.SELL, "100.00", "EUR", NOW, now=NOW)
    assert available(customer, "EUR") == Money("0.00", "EUR")
    assert available(customer, "PLN") == Money("425.00", "PLN")
    assert operator(AccountKind.TRADING, "EUR") == Money("100.00", "EUR")
    assert operator(AccountKind.TRADING, "PLN") == Money("-430.00", "PLN")
    assert operator(AccountKind.FX_INCOME, "PLN") == Money("5.00", "PLN")
    assert check_ledger().ok


def test_history_shows_direct_fx_with_the_reference_details_FX_1(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    exchange_instant(
        customer, "EURPLN", "BUY", "100.00", "EUR", NOW, submit_id="s1", ordered_by="GUI/x", now=NOW
    )
    items = {
        i.currency: i
        for i in HistoryItem.objects.filter(customer=customer, operation_type="DIRECT_FX")
    }
    pln, eur = items["PLN"], items["EUR"]
    assert (pln.operation_type, pln.amount, eur.amount) == (
        "DIRECT_FX",
        Money("-435.00", "PLN"),
        Money("100.00", "EUR"),
    )
    details = pln.transaction.details
    assert {k: details[k] for k in ("amountSold", "amountBought", "rate", "rateTs")} == {
        "amountSold": "435.00 PLN",
        "amountBought": "100.00 EUR",
        "rate": "4.3500",
        "rateTs": "2026-03-02T09:00:00.000Z",
    }
    assert (pln.transaction.submit_id, pln.transaction.ordered_by) == ("s1", "GUI/x")


def test_volume_in_the_quote_currency_pays_at_most_it_when_buying_FX_1_MON_2(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    exchange = exchange_instant(customer, "EURPLN", "BUY", "1000.00", "PLN", NOW, now=NOW)
    # K = 1000 / 4.35 = 229.885… → 229.88 EUR (received: down); pays 229.88 × 4.35 = 999.978 → up
    assert (exchange.bought, exchange.sold) == (Money("229.88", "EUR"), Money("999.98", "PLN"))
    assert available(customer, "PLN") == Money("0.02", "PLN")
    assert check_ledger().ok


def test_volume_in_the_quote_currency_receives_at_least_it_when_selling_FX_1_MON_2(
    customer, eurpln
):
    fund(customer, "500.00", "EUR")
    exchange = exchange_instant(customer, "EURPLN", "SELL", "1000.00", "PLN", NOW, now=NOW)
    # K = 1000 / 4.25 = 235.294… → 235.30 EUR (paid: up); receives 235.30 × 4.25 = 1000.025 → down
    assert (exchange.sold, exchange.bought) == (Money("235.30", "EUR"), Money("1000.02", "PLN"))
    assert check_ledger().ok


def test_the_quote_is_honoured_for_ten_minutes_even_after_new_rates_FX_1(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    publish(mid="4.5000", bid="4.4500", ask="4.5500", ts=NOW + timedelta(minutes=5))
    last_instant = NOW + timedelta(seconds=600)
    exchange = exchange_instant(customer, "EURPLN", "BUY", "10.00", "EUR", NOW, now=last_instant)
    assert exchange.rate == Decimal("4.3500")
    assert exchange.rate_ts == NOW


def test_an_expired_quote_is_refused_FX_1(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    with pytest.raises(QuoteInvalid) as err:
        exchange_instant(
            customer,
            "EURPLN",
            "BUY",
            "10.00",
            "EUR",
            NOW,
            now=NOW + timedelta(seconds=600, microseconds=1),
        )
    assert err.value.code == "QUOTE_EXPIRED"
    assert Exchange.objects.count() == 0
    assert available(customer, "PLN") == Money("1000.00", "PLN")


def test_an_unknown_ts_is_refused_FX_1(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    with pytest.raises(QuoteInvalid) as err:
        exchange_instant(customer, "EURPLN", "BUY", "10.00", "EUR", NOW + SECOND, now=NOW)
    assert err.value.code == "UNKNOWN_RATE_TS"
    with pytest.raises(QuoteInvalid):  # a ts of another pair does not name a EUR/PLN rate
        publish("USDPLN", mid="4.0000", bid="3.9000", ask="4.1000", ts=NOW + 2 * SECOND)
        exchange_instant(customer, "EURPLN", "BUY", "10.00", "EUR", NOW + 2 * SECOND, now=NOW)


def test_the_rate_of_the_customers_segment_applies_RATE_1_FX_1(customer, eurpln):
    publish(mid="4.3000", bid="4.2800", ask="4.3200", segment="vip")
    from kantor.rates.actions import set_margin

    set_margin("EURPLN", bid_margin=Decimal("0.001"), ask_margin=Decimal("0.001"), segment="vip")
    customer.segment = "vip"
    fund(customer, "1000.00", "PLN")
    exchange = exchange_instant(customer, "EURPLN", "BUY", "100.00", "EUR", NOW, now=NOW)
    assert exchange.sold == Money("432.00", "PLN")


def test_insufficient_funds_books_nothing_MON_5(customer, eurpln):
    fund(customer, "100.00", "PLN")
    with pytest.raises(InsufficientFunds) as err:
        exchange_instant(customer, "EURPLN", "BUY", "100.00", "EUR", NOW, now=NOW)
    assert err.value.code == "INSUFFICIENT_FUNDS"
    assert err.value.available == Money("100.00", "PLN")
    assert Exchange.objects.count() == 0
    assert check_ledger().ok


def test_a_pair_not_offered_is_not_supported_MON_3(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    with pytest.raises(PairNotOffered) as err:
        exchange_instant(customer, "CZKPLN", "BUY", "10.00", "CZK", NOW, now=NOW)
    assert err.value.code == "CURRENCY_NOT_SUPPORTED"


@pytest.mark.parametrize(
    ("volume", "cur", "code"),
    [
        ("10.00", "USD", "VOLUME_CURRENCY_NOT_IN_PAIR"),
        ("0.00", "EUR", "INVALID_VOLUME"),
        ("0.01", "PLN", "AMOUNT_TOO_SMALL"),
    ],
)
def test_volumes_that_cannot_be_exchanged_are_refused_FX_1(customer, eurpln, volume, cur, code):
    fund(customer, "1000.00", "PLN")
    with pytest.raises(InvalidExchange) as err:
        preview_instant(customer, "EURPLN", "BUY", volume, cur, NOW, now=NOW)
    assert err.value.code == code


def test_a_suspended_customer_cannot_exchange_REG_12(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    customer.status = "suspended"
    with pytest.raises(ExchangeError) as err:
        exchange_instant(customer, "EURPLN", "BUY", "1.00", "EUR", NOW, now=NOW)
    assert (err.value.code, err.value.api_key) == ("CUSTOMER_INACTIVE", "NOT_AUTHORIZED")


def test_the_operator_commission_applies_when_configured_FEE_1(customer, eurpln, settings):
    settings.KANTOR_OPERATOR_FX_COMMISSION_RATE = "0.002"
    customer.fee_discount = Decimal("0.25")
    fund(customer, "1000.00", "PLN")
    exchange = exchange_instant(customer, "EURPLN", "BUY", "100.00", "EUR", NOW, now=NOW)
    # 0.2 % less a quarter = 0.15 % of 100 EUR = 0.15 EUR, from what the customer receives
    assert (exchange.bought, exchange.commission_minor) == (Money("99.85", "EUR"), 15)
    assert operator(AccountKind.FEE_INCOME, "EUR") == Money("0.15", "EUR")
    assert check_ledger().ok


RATES = st.decimals(min_value=Decimal("0.5000"), max_value=Decimal("9.0000"), places=4)


@settings(max_examples=150, deadline=None)
@given(
    mid=RATES,
    spread=st.integers(min_value=0, max_value=500),
    minor=st.integers(min_value=1, max_value=10**10),
    side=st.sampled_from(list(Side)),
    in_base=st.booleans(),
)
def test_the_customer_never_gets_more_than_the_rate_gives_MON_2_FX_1(
    mid, spread, minor, side, in_base
):
    pair = CurrencyPair.parse("EURPLN")
    bid, ask = mid - Decimal(spread).scaleb(-4) / 2, mid + Decimal(spread).scaleb(-4)
    bid = max(pair.round_rate_down(bid), Decimal("0.0001"))
    volume = Money.from_minor(minor, "EUR" if in_base else "PLN")
    try:
        plan = plan_exchange(pair, side, volume, bid=bid, ask=ask, mid=mid)
    except InvalidExchange as exc:
        assert exc.code == "AMOUNT_TOO_SMALL"
        return
    k = plan.amount.amount
    if side is Side.BUY:
        assert plan.sold.amount >= k * ask and plan.bought == plan.amount
    else:
        assert plan.bought.amount <= k * bid and plan.sold == plan.amount
    assert not plan.margin.is_negative  # bid ≤ mid ≤ ask: the operator never pays a margin
    assert plan.sold.is_positive and plan.bought.is_positive


def test_instant_exchanges_follow_the_hours_of_basic_orders_LOCK_13(customer, eurpln, settings):
    from datetime import time

    from kantor.domain.calendar import ServiceHours
    from kantor.domain.ratelock import ServiceClosed

    settings.KANTOR_ORDER_HOURS = ServiceHours.business_days(time(11, 0), time(20, 0))
    fund(customer, "1000.00", "PLN")
    with pytest.raises(ServiceClosed):  # 10:00 Warsaw
        exchange_instant(customer, "EURPLN", "BUY", "1.00", "EUR", NOW, now=NOW)
