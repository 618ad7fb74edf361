"""The market's other surfaces: public JSON (MKT-12), the CLI, the back office (MKT-9, TERM-3)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kantor.core.models import AuditLog
from kantor.market.models import CloseReason, Order
from tests.factories import fund, make_customer
from tests.market.conftest import assert_books_balance, match, place


@pytest.fixture
def market(mid):
    """A crossed-then-matched EUR/PLN market: one trade, one bid, one ask resting."""
    seller, buyer = make_customer(email="s@example.com"), make_customer(email="b@example.com")
    fund(seller, "100.00", "EUR")
    fund(buyer, "1000.00", "PLN")
    place(seller, "SELL", "10.00", "EUR", "4.3000")
    place(seller, "SELL", "20.00", "EUR", "4.3200")
    place(buyer, "BUY", "15.00", "EUR", "4.3000")
    match()
    return seller, buyer


def test_public_book_json_aggregates_rate_levels_MKT_12(client: Client, market):
    answer = client.get("/market/eurpln/book.json", secure=True).json()
    assert answer["pair"] == "EURPLN" and answer["ts"].endswith("Z")
    assert answer["asks"] == [{"rate": "4.3200", "volume": "20.00", "value": "86.40"}]
    assert answer["bids"] == [{"rate": "4.3000", "volume": "5.00", "value": "21.50"}]


def test_public_trades_json_shows_the_last_trades_without_identities_MKT_12(client, market):
    answer = client.get("/market/EURPLN/trades.json", secure=True).json()
    assert answer["trades"] == [
        {
            "ts": answer["trades"][0]["ts"],
            "rate": "4.3000",
            "volume": "10.00",
            "value": "43.00",
            "takerSide": "BUY",
        }
    ]


def test_public_json_of_an_unknown_pair_is_404_in_json(client, db):
    response = client.get("/market/EURXYZ/book.json", secure=True)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CURRENCY_NOT_SUPPORTED"
    assert reverse("market:trades_json", args=["eurpln"]) == "/market/EURPLN/trades.json"


def test_cli_book_and_orders(market, capsys):
    call_command("market", "book", "EURPLN")
    out = capsys.readouterr().out
    assert "4.3200" in out and "4.3000" in out
    call_command("market", "orders", "--customer", "S@example.com")
    out = capsys.readouterr().out
    assert out.count("EURPLN") == 2 and "FILLED" in out
    with pytest.raises(CommandError, match="CURRENCY_NOT_SUPPORTED"):
        call_command("market", "book", "EURXYZ")


def test_cli_cancel_is_an_audited_operator_cancel_MKT_9(market, capsys):
    order = Order.objects.get(limit_price="4.3200")
    with pytest.raises(CommandError, match="REASON_REQUIRED"):
        call_command("market", "cancel", str(order.order_id), "--reason", " ")
    call_command("market", "cancel", str(order.order_id), "--reason", "customer asked by phone")
    call_command("market", "matcher", "--pair", "EURPLN", "--once")
    assert "EURPLN: 1 commands" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.close_reason == CloseReason.CANCELLED
    log = AuditLog.objects.get(action="market.order_cancelled")
    assert log.details["via"] == "cli" and log.details["reason"] == "customer asked by phone"
    assert_books_balance()


@pytest.mark.urls("tests.core.urls")
def test_back_office_lists_orders_and_trades_read_only(admin_client, market):
    order = Order.objects.order_by("pk").first()
    for model in ("order", "trade"):
        page = admin_client.get(reverse(f"admin:market_{model}_changelist"), secure=True)
        assert page.status_code == 200
    change = reverse("admin:market_order_change", args=[order.pk])
    assert admin_client.get(change, secure=True).status_code == 200
    assert admin_client.post(change, {}, secure=True).status_code == 403
    assert admin_client.get(reverse("admin:market_order_add"), secure=True).status_code == 403


@pytest.mark.urls("tests.core.urls")
def test_back_office_cancel_asks_for_a_reason_and_is_audited_MKT_9_TERM_3(
    admin_client, admin_user, market
):
    order = Order.objects.get(limit_price="4.3200")
    url = reverse("admin:market_order_changelist")
    data = {"action": "cancel_orders", "_selected_action": [order.pk]}
    page = admin_client.post(url, data, secure=True)
    assert page.status_code == 200 and b"reason" in page.content
    admin_client.post(url, {**data, "apply": "1", "reason": "TERM-3 termination"}, secure=True)
    order.refresh_from_db()
    assert order.cancel_seq is not None and order.cancelled_by == admin_user
    assert AuditLog.objects.filter(action="market.order_cancelled").count() == 1
    match()
    order.refresh_from_db()
    assert order.close_reason == CloseReason.CANCELLED
    assert_books_balance()
