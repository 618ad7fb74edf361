"""Worked examples of matching through the market service, each ending with the
ledger check (MKT-3..9, MKT-10, FEE-1, MON-2, the self-match rule)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind, HistoryItem, LedgerTransaction
from kantor.ledger.queries import customer_balance
from kantor.market.models import CloseReason, Order, OrderStatus, Trade
from tests.factories import fund, make_customer
from tests.market.conftest import assert_books_balance, match, place, set_mid


def fee_income(cur: str) -> Money:
    return accounts.operator_account(AccountKind.FEE_INCOME, cur).balance


def trading(cur: str) -> Money:
    return accounts.operator_account(AccountKind.TRADING, cur).balance


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_a_match_trades_at_the_resting_orders_rate_MKT_5_FEE_1(mid, seller, buyer):
    """A sells 100 EUR at 4.3000; B bids 4.3100 and gets them at 4.3000."""
    sell = place(seller, "SELL", "100.00", "EUR", "4.3000")
    buy = place(buyer, "BUY", "100.00", "EUR", "4.3100")
    match()

    trade = Trade.objects.get()
    assert (trade.price, trade.base_minor, trade.quote_paid_minor) == (Decimal("4.3"), 10000, 43000)
    assert (trade.maker_id, trade.taker_id, trade.taker_side) == (sell.pk, buy.pk, "BUY")
    sell, buy = fresh(sell), fresh(buy)
    assert (sell.status, sell.close_reason) == (OrderStatus.CLOSED, CloseReason.FILLED)
    assert (buy.status, buy.close_reason) == (OrderStatus.CLOSED, CloseReason.FILLED)
    # B reserved 431.00, spent 430.00: 1.00 PLN goes back (MKT-2)
    assert (buy.reserved_minor, buy.sold_minor, buy.released_minor) == (43100, 43000, 100)
    assert customer_balance(buyer, "PLN").available == Money("9570.00", "PLN")
    assert customer_balance(buyer, "PLN").reserved == Money("0.00", "PLN")
    # FEE-1: 0.2% of what each receives, in that currency
    assert customer_balance(buyer, "EUR").available == Money("99.80", "EUR")
    assert customer_balance(seller, "PLN").available == Money("429.14", "PLN")
    assert (fee_income("EUR"), fee_income("PLN")) == (Money("0.20", "EUR"), Money("0.86", "PLN"))
    assert trading("EUR").amount == trading("PLN").amount == 0
    assert_books_balance()


def test_no_trade_while_the_buy_limit_is_below_the_sell_limit_MKT_3(mid, seller, buyer):
    place(seller, "SELL", "100.00", "EUR", "4.3000")
    place(buyer, "BUY", "100.00", "EUR", "4.2999")
    match()
    assert not Trade.objects.exists()
    assert Order.objects.filter(status=OrderStatus.ACTIVE).count() == 2
    assert_books_balance()


def test_better_rate_first_then_earlier_acceptance_MKT_4(mid, buyer):
    first, second, cheaper = (make_customer() for _ in range(3))
    for c in (first, second, cheaper):
        fund(c, "100.00", "EUR")
    a = place(first, "SELL", "10.00", "EUR", "4.3000")
    b = place(second, "SELL", "10.00", "EUR", "4.3000")
    c = place(cheaper, "SELL", "10.00", "EUR", "4.2900")
    place(buyer, "BUY", "15.00", "EUR", "4.3100")
    match()

    fills = [(t.maker_id, t.price, t.base_minor) for t in Trade.objects.order_by("n")]
    assert fills == [(c.pk, Decimal("4.29"), 1000), (a.pk, Decimal("4.3"), 500)]
    assert fresh(b).sold_minor == 0
    assert_books_balance()


def test_partial_fills_keep_the_larger_orders_priority_MKT_6(mid, seller, buyer):
    late = make_customer()
    fund(late, "100.00", "EUR")
    big = place(seller, "SELL", "100.00", "EUR", "4.3000")
    place(buyer, "BUY", "30.00", "EUR", "4.3000")
    match()
    assert fresh(big).sold_minor == 3000 and fresh(big).status == OrderStatus.ACTIVE

    behind = place(late, "SELL", "50.00", "EUR", "4.3000")
    place(buyer, "BUY", "80.00", "EUR", "4.3000")
    match()
    assert fresh(big).close_reason == CloseReason.FILLED  # its 70 went first
    assert fresh(behind).sold_minor == 1000
    assert Trade.objects.filter(maker=big).count() == 2
    assert_books_balance()


def test_an_order_for_a_quote_budget_stops_when_the_budget_is_spent_MKT_1(
    mid, seller, buyer, settings
):
    """100.00 PLN at 4.3000 buys 23.25 EUR for 99.98 PLN; 0.02 PLN buys no cent more."""
    settings.KANTOR_MARKET_MIN_TRADE = {}
    place(seller, "SELL", "100.00", "EUR", "4.3000")
    buy = place(buyer, "BUY", "100.00", "PLN", "4.3000")
    match()
    buy = fresh(buy)
    assert (buy.bought_minor, buy.sold_minor, buy.released_minor) == (2325, 9998, 2)
    assert (buy.status, buy.close_reason) == (OrderStatus.CLOSED, CloseReason.EXHAUSTED)
    assert customer_balance(buyer, "PLN").available == Money("9900.02", "PLN")
    assert_books_balance()


def test_a_trade_outside_the_band_cancels_the_incoming_order_fills_before_stand_MKT_7(
    mid, seller, buyer
):
    """Band around 4.3000 ± 2% = 4.2140..4.3860: the fill at 4.3800 stands, 4.4000 does not."""
    far = make_customer()
    fund(far, "100.00", "EUR")
    near = place(seller, "SELL", "10.00", "EUR", "4.3800")
    outside = place(far, "SELL", "10.00", "EUR", "4.4000")
    buy = place(buyer, "BUY", "20.00", "EUR", "4.4500")
    match()

    buy = fresh(buy)
    assert (buy.status, buy.close_reason) == (OrderStatus.CLOSED, CloseReason.PRICE_BAND)
    assert (buy.bought_minor, buy.sold_minor) == (1000, 4380)
    assert buy.released_minor == buy.reserved_minor - 4380
    assert fresh(near).close_reason == CloseReason.FILLED
    assert fresh(outside).status == OrderStatus.ACTIVE  # resting orders outside the band stay
    assert customer_balance(buyer, "PLN").reserved == Money("0.00", "PLN")
    assert_books_balance()


def test_the_band_uses_the_mid_at_matching_time_not_at_acceptance_MKT_7(mid, seller, buyer):
    place(seller, "SELL", "10.00", "EUR", "4.3800")
    buy = place(buyer, "BUY", "10.00", "EUR", "4.3800")
    set_mid("4.2000")  # the market moved before the matcher got to it: band 4.116..4.284
    match()
    assert fresh(buy).close_reason == CloseReason.PRICE_BAND
    assert not Trade.objects.exists()
    assert_books_balance()


def test_the_band_is_configurable_MKT_7(mid, seller, buyer, settings):
    settings.KANTOR_MARKET_PRICE_BAND = "0.05"
    place(seller, "SELL", "10.00", "EUR", "4.4000")
    place(buyer, "BUY", "10.00", "EUR", "4.4000")
    match()
    assert Trade.objects.count() == 1
    assert_books_balance()


def test_a_rest_below_the_minimum_after_a_partial_fill_is_cancelled_MKT_8(mid, seller, buyer):
    sell = place(seller, "SELL", "10.00", "EUR", "4.3000")
    place(buyer, "BUY", "9.00", "EUR", "4.3000")
    match()
    sell = fresh(sell)
    assert (sell.close_reason, sell.sold_minor, sell.released_minor) == (
        CloseReason.BELOW_MINIMUM,
        900,
        100,
    )
    assert customer_balance(seller, "EUR").available == Money("991.00", "EUR")
    assert_books_balance()


def test_cancel_takes_the_unfilled_rest_filled_parts_stand_MKT_9(mid, seller, buyer):
    from kantor.market.actions import cancel_order

    sell = place(seller, "SELL", "100.00", "EUR", "4.3000")
    place(buyer, "BUY", "40.00", "EUR", "4.3000")
    match()
    pending = cancel_order(sell.order_id, customer=seller)
    assert pending.status == OrderStatus.ACTIVE and pending.cancel_seq is not None
    match()
    sell = fresh(sell)
    assert (sell.status, sell.close_reason) == (OrderStatus.CLOSED, CloseReason.CANCELLED)
    assert (sell.sold_minor, sell.released_minor) == (4000, 6000)
    assert customer_balance(seller, "EUR").available == Money("960.00", "EUR")
    assert customer_balance(seller, "PLN").available == Money("171.65", "PLN")  # 172 − 0.35
    again = cancel_order(sell.order_id, customer=seller)  # closed: nothing changes
    assert again.cancel_seq == sell.cancel_seq
    assert_books_balance()


def test_an_order_cancelled_before_the_matcher_saw_it_never_trades_MKT_9(mid, seller, buyer):
    from kantor.market.actions import cancel_order

    sell = place(seller, "SELL", "10.00", "EUR", "4.3000")
    cancel_order(sell.order_id, customer=seller)
    place(buyer, "BUY", "10.00", "EUR", "4.3000")
    match()
    assert not Trade.objects.exists()
    assert fresh(sell).close_reason == CloseReason.CANCELLED
    assert_books_balance()


def test_another_customers_order_cannot_be_cancelled_MKT_9(mid, seller, buyer):
    from kantor.market.actions import cancel_order
    from kantor.market.errors import OrderNotFound

    sell = place(seller, "SELL", "10.00", "EUR", "4.3000")
    with pytest.raises(OrderNotFound):
        cancel_order(sell.order_id, customer=buyer)


def test_the_operators_cancel_is_audited_and_counts_as_a_cancellation_MKT_9_TERM_3(
    mid, seller, admin_user
):
    from kantor.core.models import AuditLog
    from kantor.market.actions import cancel_customer_orders

    place(seller, "SELL", "10.00", "EUR", "4.3000")
    place(seller, "SELL", "20.00", "EUR", "4.3500")
    cancel_customer_orders(seller, acting_user=admin_user, reason="TERM-3 termination")
    match()
    assert set(Order.objects.values_list("close_reason", flat=True)) == {CloseReason.CANCELLED}
    assert AuditLog.objects.filter(action="market.order_cancelled").count() == 2
    assert customer_balance(seller, "EUR").available == Money("1000.00", "EUR")
    assert_books_balance()


def test_a_customer_never_trades_with_themself_the_resting_order_is_cancelled(mid, seller, buyer):
    """Self-match rule (decision, as exchanges' "expire maker"): the customer's
    resting order is cancelled and the incoming order goes on matching others."""
    fund(seller, "1000.00", "PLN")
    own = place(seller, "SELL", "10.00", "EUR", "4.3000")
    other = make_customer()
    fund(other, "100.00", "EUR")
    theirs = place(other, "SELL", "10.00", "EUR", "4.3100")
    buy = place(seller, "BUY", "10.00", "EUR", "4.3100")
    match()
    assert fresh(own).close_reason == CloseReason.SELF_MATCH
    trade = Trade.objects.get()
    assert (trade.maker_id, trade.taker_id) == (theirs.pk, buy.pk)
    assert customer_balance(seller, "EUR").reserved == Money("0.00", "EUR")
    assert_books_balance()


def test_commission_is_reduced_by_the_customers_discount_FEE_1(mid, seller, buyer):
    """A 25% discount: 0.15% of 430.00 PLN = 0.645, rounded up to 0.65 (MON-2)."""
    seller.fee_discount = Decimal("0.25")
    seller.save()
    place(seller, "SELL", "100.00", "EUR", "4.3000")
    place(buyer, "BUY", "100.00", "EUR", "4.3000")
    match()
    trade = Trade.objects.get()
    assert (trade.seller_commission_minor, trade.buyer_commission_minor) == (65, 20)
    assert_books_balance()


def test_commission_is_at_least_one_minor_unit_FEE_1(mid, seller, buyer):
    """2.00 EUR × 0.2% = 0.004 EUR: the buyer pays the minimum 0.01 EUR."""
    set_mid("5.0000")
    place(seller, "SELL", "2.00", "EUR", "5.0000")
    place(buyer, "BUY", "2.00", "EUR", "5.0000")
    match()
    trade = Trade.objects.get()
    assert (trade.buyer_commission_minor, trade.seller_commission_minor) == (1, 2)
    assert_books_balance()


def test_the_rounding_remainder_of_a_fill_is_the_operators_MON_2(mid, seller, buyer):
    """33.33 EUR × 4.3333 = 144.428889 PLN: the buyer pays 144.43, the seller gets 144.42."""
    place(seller, "SELL", "33.33", "EUR", "4.3333")
    buy = place(buyer, "BUY", "33.33", "EUR", "4.3333")
    match()
    trade = Trade.objects.get()
    assert (trade.quote_paid_minor, trade.quote_received_minor) == (14443, 14442)
    assert fresh(buy).released_minor == 0  # the cover was exactly the payment
    # 0.01 remainder + the seller's commission 0.29 (0.2% of 144.42 = 0.28884)
    assert fee_income("PLN") == Money("0.30", "PLN")
    assert fee_income("EUR") == Money("0.07", "EUR")  # 0.2% of 33.33 = 0.06666
    assert_books_balance()


def test_each_trade_is_one_ledger_transaction_for_both_customers_MKT_10(mid, seller, buyer):
    sell = place(seller, "SELL", "100.00", "EUR", "4.3000", submit_id="sell-1")
    buy = place(buyer, "BUY", "100.00", "EUR", "4.3000")
    match()
    tx = LedgerTransaction.objects.get(kind="market_fx_trade")
    assert Trade.objects.get().transaction_id == tx.pk
    touched = set(tx.legs.values_list("account__customer_id", flat=True)) - {None}
    assert touched == {seller.pk, buyer.pk}
    items = HistoryItem.objects.filter(transaction=tx).order_by("customer_id", "currency", "id")
    seen = {(i.customer_id, i.currency, i.operation_detailed_type, str(i.amount)) for i in items}
    assert seen == {
        (seller.pk, "EUR", "MARKET_FX", "-100.00 EUR"),
        (seller.pk, "PLN", "MARKET_FX", "430.00 PLN"),
        (seller.pk, "PLN", "MARKET_FX_FEE", "-0.86 PLN"),
        (buyer.pk, "PLN", "MARKET_FX", "-430.00 PLN"),
        (buyer.pk, "EUR", "MARKET_FX", "100.00 EUR"),
        (buyer.pk, "EUR", "MARKET_FX_FEE", "-0.20 EUR"),
    }
    own = tx.details["per_customer"]
    assert own[str(seller.pk)] == {
        "orderId": str(sell.order_id),
        "buySell": "SELL",
        "orderVolume": "100.00 EUR",
        "priceLimit": "4.3000",
        "submitId": "sell-1",
    }
    assert own[str(buyer.pk)]["orderId"] == str(buy.order_id)
    assert tx.details["currencyPair"] == "EURPLN"
    assert_books_balance()
