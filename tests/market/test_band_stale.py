"""MKT-7 through the market service: a resting order left beyond the band by a
moving mid is stale. The order that reaches it cancels it (PRICE_BAND), its
reservation comes back, and matching goes on; each example ends with the
ledger check."""

from __future__ import annotations

from decimal import Decimal

from kantor.domain.money import Money
from kantor.ledger.queries import customer_balance
from kantor.market.models import CloseReason, Order, OrderStatus, Trade
from tests.factories import fund, make_customer
from tests.market.conftest import assert_books_balance, match, place, set_mid


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_a_stale_sell_below_the_band_is_cancelled_and_the_buy_trades_on_MKT_7(mid):
    stale_seller, seller, buyer = make_customer(), make_customer(), make_customer()
    fund(stale_seller, "100.00", "EUR")
    fund(seller, "100.00", "EUR")
    fund(buyer, "1000.00", "PLN")
    stale = place(stale_seller, "SELL", "10.00", "EUR", "4.2500")
    match()  # it rests: nothing to trade with
    set_mid("4.4000")  # band 4.3120..4.4880: 4.2500 is far below it
    sell = place(seller, "SELL", "10.00", "EUR", "4.3500")
    buy = place(buyer, "BUY", "10.00", "EUR", "4.4000")
    match()

    stale = fresh(stale)
    assert (stale.status, stale.close_reason) == (OrderStatus.CLOSED, CloseReason.PRICE_BAND)
    assert (stale.sold_minor, stale.released_minor) == (0, stale.reserved_minor)
    assert customer_balance(stale_seller, "EUR").available == Money("100.00", "EUR")
    assert customer_balance(stale_seller, "EUR").reserved == Money("0.00", "EUR")
    trade = Trade.objects.get()
    assert (trade.maker_id, trade.taker_id, trade.price) == (sell.pk, buy.pk, Decimal("4.35"))
    assert fresh(buy).close_reason == CloseReason.FILLED
    assert_books_balance()


def test_a_stale_buy_above_the_band_is_cancelled_and_the_sell_trades_on_MKT_7(mid):
    stale_buyer, buyer, seller = make_customer(), make_customer(), make_customer()
    fund(stale_buyer, "1000.00", "PLN")
    fund(buyer, "1000.00", "PLN")
    fund(seller, "100.00", "EUR")
    stale = place(stale_buyer, "BUY", "10.00", "EUR", "4.3500")
    match()
    set_mid("4.2000")  # band 4.1160..4.2840: 4.3500 is far above it
    buy = place(buyer, "BUY", "10.00", "EUR", "4.2700")
    sell = place(seller, "SELL", "10.00", "EUR", "4.2500")
    match()

    stale = fresh(stale)
    assert (stale.status, stale.close_reason) == (OrderStatus.CLOSED, CloseReason.PRICE_BAND)
    assert stale.released_minor == stale.reserved_minor == 4350
    assert customer_balance(stale_buyer, "PLN").available == Money("1000.00", "PLN")
    trade = Trade.objects.get()
    assert (trade.maker_id, trade.taker_id, trade.price) == (buy.pk, sell.pk, Decimal("4.27"))
    assert fresh(sell).close_reason == CloseReason.FILLED
    assert_books_balance()


def test_a_stale_order_goes_even_when_nothing_in_the_band_is_left_to_trade_MKT_7(mid):
    stale_seller, buyer = make_customer(), make_customer()
    fund(stale_seller, "100.00", "EUR")
    fund(buyer, "1000.00", "PLN")
    stale = place(stale_seller, "SELL", "10.00", "EUR", "4.2500")
    match()
    set_mid("4.4000")
    buy = place(buyer, "BUY", "10.00", "EUR", "4.4000")
    match()

    assert fresh(stale).close_reason == CloseReason.PRICE_BAND
    assert fresh(buy).status == OrderStatus.ACTIVE  # it rests at its limit
    assert not Trade.objects.exists()
    assert_books_balance()
