"""MKT-9 in groups: ``cancel_orders``, a gateway's group commit of customers' cancels."""

from __future__ import annotations

import pytest

from kantor.domain.money import Money
from kantor.ledger.queries import customer_balance
from kantor.market.actions import cancel_order, cancel_orders
from kantor.market.errors import OrderNotFound
from kantor.market.models import CloseReason, Order, OrderStatus, Trade
from tests.market.conftest import assert_books_balance, match, place


def test_a_group_of_cancels_takes_consecutive_sequence_numbers_and_releases_everything_MKT_9(
    mid, seller, buyer
):
    sells = [place(seller, "SELL", "100.00", "EUR", f"4.31{i}0") for i in range(3)]
    buy = place(buyer, "BUY", "50.00", "EUR", "4.2900")

    done = cancel_orders([(o.order_id, seller) for o in sells] + [(buy.order_id, buyer)])

    seqs = [o.cancel_seq for o in done]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    assert all(o.status == OrderStatus.ACTIVE for o in done)  # the matcher closes them
    match()
    closed = Order.objects.filter(close_reason=CloseReason.CANCELLED).count()
    assert closed == 4 and not Trade.objects.exists()
    assert customer_balance(seller, "EUR").available == Money("1000.00", "EUR")
    assert customer_balance(buyer, "PLN").available == Money("10000.00", "PLN")
    assert_books_balance()


def test_a_stranger_s_order_in_the_group_refuses_the_whole_group_MKT_9(mid, seller, buyer):
    mine = place(buyer, "BUY", "10.00", "EUR", "4.2900")
    theirs = place(seller, "SELL", "10.00", "EUR", "4.3100")

    with pytest.raises(OrderNotFound):
        cancel_orders([(mine.order_id, buyer), (theirs.order_id, buyer)])

    assert not Order.objects.filter(cancel_seq__isnull=False).exists()
    with pytest.raises(OrderNotFound):
        cancel_orders([("not-a-uuid", buyer)])


def test_closed_repeated_or_already_cancelled_orders_change_nothing_MKT_9(mid, seller, buyer):
    sell = place(seller, "SELL", "10.00", "EUR", "4.3000")
    place(buyer, "BUY", "10.00", "EUR", "4.3000")
    match()  # the sell is filled and closed
    rest = place(seller, "SELL", "20.00", "EUR", "4.3500")
    first = cancel_order(rest.order_id, customer=seller)

    group = [(sell.order_id, seller), (rest.order_id, seller), (rest.order_id, seller)]
    done = cancel_orders(group)

    assert done[0].cancel_seq is None and done[0].status == OrderStatus.CLOSED
    assert done[1].cancel_seq == done[2].cancel_seq == first.cancel_seq
    match()
    assert Order.objects.get(pk=rest.pk).close_reason == CloseReason.CANCELLED
    assert_books_balance()
