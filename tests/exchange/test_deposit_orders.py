"""FX-2 (and the MKT-11 hook): exchange on deposit, paid out with no further instruction."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import pytest

from kantor.banking.models import Withdrawal
from kantor.domain.money import Money
from kantor.exchange import deposit_venues
from kantor.exchange.actions import (
    cancel_deposit_order,
    create_deposit_order,
    deposit_order_proceeds,
    preview_deposit_order,
)
from kantor.exchange.errors import ExchangeError, InvalidExchange, OrderStateError
from kantor.exchange.models import DepositOrder, DepositOrderStatus, ExchangeSource
from kantor.ledger.invariants import check_ledger
from kantor.ledger.queries import customer_balance
from tests.exchange.conftest import T0, bank_account, publish, transfer
from tests.factories import fund

AT = T0.astimezone(UTC)


@pytest.fixture
def accounts_(customer):
    customer.verified_at = T0 - timedelta(days=30)
    customer.save(update_fields=["verified_at"])
    return bank_account(customer, "PLN"), bank_account(customer, "EUR")


def order_for(customer, eur_account, **kw) -> DepositOrder:
    params = {"pair": "EURPLN", "side": "BUY", "volume": "1000.00", "volume_currency": "PLN"}
    params.update(kw)
    return create_deposit_order(
        customer,
        params["pair"],
        params["side"],
        params["volume"],
        params["volume_currency"],
        eur_account.pk,
        now=T0,
    )


def test_the_transfer_with_the_title_is_exchanged_at_the_rate_then_and_paid_out_FX_2(
    customer, accounts_
):
    pln, eur = accounts_
    order = order_for(customer, eur)
    assert order.title.startswith("KNT") and order.status == DepositOrderStatus.OPEN
    publish(ts=AT)  # when the order was made: ask 4.35
    later = T0 + timedelta(hours=3)
    publish(mid="4.0000", bid="3.9500", ask="4.0500", ts=later.astimezone(UTC))
    claimed = transfer(customer, "1000.00", "PLN", f"przelew {order.title}", later, sender=pln)
    assert claimed == "exchange"
    order.refresh_from_db()
    exchange = order.exchange
    assert order.status == DepositOrderStatus.EXECUTED
    assert exchange.source == ExchangeSource.DEPOSIT_ORDER
    # the rate current at booking (4.05), not at ordering: 1000 / 4.05 → 246.91 EUR
    assert (exchange.rate, exchange.bought) == (Decimal("4.0500"), Money("246.91", "EUR"))
    withdrawal = Withdrawal.objects.get(pk=order.payout_reference)
    assert withdrawal.bank_account == eur and not order.payout_error
    eur_balance = customer_balance(customer, "EUR")
    assert eur_balance.available == Money("0.00", "EUR")  # all of it is on its way out
    # 246.91 × 4.05 = 999.9855 → 999.99 PLN paid (up); the grosz left stays available
    assert customer_balance(customer, "PLN").available == Money("0.01", "PLN")
    assert check_ledger().ok


def test_more_than_ordered_exchanges_the_order_and_leaves_the_rest_FX_2(customer, accounts_):
    pln, eur = accounts_
    order = order_for(customer, eur, volume="400.00")
    publish(ts=AT)
    transfer(customer, "500.00", "PLN", order.title, T0, sender=pln)
    order.refresh_from_db()
    # 400 / 4.35 → 91.95 EUR (down); 91.95 × 4.35 = 399.9825 → 399.99 PLN (up)
    assert order.exchange.sold == Money("399.99", "PLN")
    assert customer_balance(customer, "PLN").available == Money("100.01", "PLN")
    assert check_ledger().ok


def test_an_order_is_used_once_FX_2(customer, accounts_):
    pln, eur = accounts_
    order = order_for(customer, eur, volume="100.00")
    publish(ts=AT)
    transfer(customer, "100.00", "PLN", order.title, T0, sender=pln)
    assert transfer(customer, "100.00", "PLN", order.title, T0 + timedelta(hours=1)) is None
    # 0.03 left by the first (22.98 EUR cost 99.97 PLN) + the second transfer, untouched
    assert customer_balance(customer, "PLN").available == Money("100.03", "PLN")


def test_a_transfer_in_another_currency_stays_on_the_balance_FX_2(customer, accounts_):
    _, eur = accounts_
    order = order_for(customer, eur)
    publish(ts=AT)
    assert transfer(customer, "1000.00", "EUR", order.title, T0) is None
    order.refresh_from_db()
    assert order.status == DepositOrderStatus.OPEN and "EUR" in order.failure
    assert customer_balance(customer, "EUR").available == Money("1000.00", "EUR")


def test_no_rate_at_booking_fails_the_order_and_keeps_the_money_FX_2(customer, accounts_):
    pln, eur = accounts_
    order = order_for(customer, eur)
    assert transfer(customer, "1000.00", "PLN", order.title, T0, sender=pln) == "exchange"
    order.refresh_from_db()
    assert order.status == DepositOrderStatus.FAILED and "NO_RATE_FOR_PAIR" in order.failure
    assert customer_balance(customer, "PLN").available == Money("1000.00", "PLN")
    assert check_ledger().ok


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"volume_currency": "EUR"}, "VOLUME_NOT_IN_SOLD_CURRENCY"),
        ({"side": "SELL"}, "VOLUME_NOT_IN_SOLD_CURRENCY"),
        ({"volume": "0.00"}, "VOLUME_NOT_IN_SOLD_CURRENCY"),
    ],
)
def test_the_amount_is_what_the_customer_transfers_FX_2(customer, accounts_, kw, code):
    with pytest.raises(InvalidExchange) as err:
        order_for(customer, accounts_[1], **kw)
    assert err.value.code == code


def test_the_payout_account_must_receive_the_bought_currency_BANK_1(customer, accounts_):
    pln, _ = accounts_
    with pytest.raises(ExchangeError) as err:
        create_deposit_order(customer, "EURPLN", "BUY", "100.00", "PLN", pln.pk, now=T0)
    assert err.value.code == "PAYOUT_CURRENCY_MISMATCH"
    with pytest.raises(ExchangeError) as err:
        create_deposit_order(customer, "EURPLN", "BUY", "100.00", "PLN", 999999, now=T0)
    assert err.value.code == "UNKNOWN_BANK_ACCOUNT"


def test_a_preview_creates_nothing_and_cancelling_stops_it_FX_2(customer, accounts_):
    pln, eur = accounts_
    preview = preview_deposit_order(customer, "EURPLN", "BUY", "100.00", "PLN", eur.pk, now=T0)
    assert preview.title == "" and DepositOrder.objects.count() == 0
    order = order_for(customer, eur)
    cancel_deposit_order(order)
    with pytest.raises(OrderStateError):
        cancel_deposit_order(order)
    publish(ts=AT)
    assert transfer(customer, "1000.00", "PLN", order.title, T0, sender=pln) is None


def test_another_venue_places_the_order_and_pays_out_each_fill_MKT_11(
    customer, accounts_, monkeypatch
):
    pln, eur = accounts_
    placed = []

    def market(order, deposit, amount):
        placed.append(amount)
        return "market-order-1"

    monkeypatch.setitem(deposit_venues._venues, "test-market", market)
    publish(ts=AT)  # banking converts the withdrawal fee (WD-3) at the mid
    order = create_deposit_order(
        customer, "EURPLN", "BUY", "1000.00", "PLN", eur.pk, venue="test-market", now=T0
    )
    transfer(customer, "1000.00", "PLN", order.title, T0, sender=pln)
    order.refresh_from_db()
    assert (order.status, order.venue_reference) == (DepositOrderStatus.PLACED, "market-order-1")
    assert placed == [Money("1000.00", "PLN")]
    fund(customer, "230.00", "EUR")  # what the market's fill credited
    deposit_order_proceeds(order, Money("230.00", "EUR"), key="fill-1")
    order.refresh_from_db()
    assert order.status == DepositOrderStatus.EXECUTED and order.payout_reference
    assert check_ledger().ok
