"""The panel's market page over Django's test client (MKT-1..12, FEE-1, FEE-2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from kantor.customers.models import CustomerStatus
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind
from kantor.ledger.posting import Posting, credit, debit, post
from kantor.ledger.queries import customer_balance
from kantor.market.actions import place_order
from kantor.market.matcher import run_matcher_once
from kantor.market.models import CloseReason, Order, OrderStatus
from tests.factories import fund, make_customer
from tests.market.conftest import set_mid

PAGE = "/panel/market/EURPLN/"
ORDER = "/panel/market/EURPLN/order/"


@pytest.fixture(autouse=True)
def _mid(db):
    set_mid("4.3000", ago=timedelta(minutes=1))


@pytest.fixture
def logged_in(client, customer):
    customer.user.set_password("Haslo!2345")
    customer.user.save()
    client.login(username=customer.email, password="Haslo!2345")
    return client


@pytest.fixture
def funded(customer):
    fund(customer, "1000.00", "PLN")
    fund(customer, "200.00", "EUR")
    return customer


def order_form(**overrides) -> dict:
    data = {"side": "SELL", "volume": "100,00", "volume_currency": "EUR", "limit_price": "4,3100"}
    data.update(overrides)
    return data


def review(client, **overrides) -> str:
    response = client.post(ORDER, order_form(step="review", **overrides))
    assert response.status_code == 200
    return response.content.decode()


def confirm(client, submit_id: str = "7f0b7e4c-5d1a-4c55-9e59-6a4bb8a7f3a1", **overrides):
    return client.post(ORDER, order_form(step="confirm", submit_id=submit_id, **overrides))


def alert(page: str) -> str:
    start = page.index('role="alert"')
    return page[start : page.index("</div>", start)]


# -- access ----------------------------------------------------------------------------


def test_the_market_needs_a_login_and_the_panel_links_to_it(client, logged_in, customer):
    anonymous = Client()
    for url in (PAGE, "/panel/market/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and reverse("web:login") in response["Location"]
    assert anonymous.post(ORDER, order_form()).status_code == 302
    assert Order.objects.count() == 0
    dashboard = logged_in.get(reverse("web:dashboard")).content.decode()
    assert 'href="/panel/market/"' in dashboard and "Giełda" in dashboard


def test_the_market_opens_on_the_first_offered_pair_and_refuses_others(logged_in):
    response = logged_in.get("/panel/market/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert logged_in.get("/panel/market/eurpln/").status_code == 200
    assert logged_in.get("/panel/market/EURXYZ/").status_code == 404


def test_posts_are_csrf_protected_SEC_9(funded):
    client = Client(enforce_csrf_checks=True)
    client.force_login(funded.user)
    assert client.post(ORDER, order_form(step="confirm")).status_code == 403
    assert Order.objects.count() == 0


# -- what the page shows ---------------------------------------------------------------


def test_the_page_shows_the_public_book_last_trades_and_balances_MKT_12(logged_in, funded):
    seller, buyer = make_customer(email="s@example.com"), make_customer(email="b@example.com")
    fund(seller, "100.00", "EUR")
    fund(buyer, "1000.00", "PLN")
    place_order(seller, "EURPLN", "SELL", "10.00", "EUR", "4.3000")
    place_order(seller, "EURPLN", "SELL", "20.00", "EUR", "4.3200")
    place_order(buyer, "EURPLN", "BUY", "15.00", "EUR", "4.3000")
    run_matcher_once("EURPLN")

    page = logged_in.get(PAGE).content.decode()
    asks = page[page.index('id="book-asks"') : page.index('id="last-trades"')]
    assert "4,3200" in asks and "20,00" in asks and "86,40" in asks
    bids = page[page.index('id="book-bids"') : page.index('id="book-asks"')]
    assert "4,3000" in bids and "5,00" in bids
    trades = page[page.index('id="last-trades"') : page.index('id="active-orders"')]
    assert "4,3000" in trades and "10,00" in trades
    balances = page[page.index('id="market-balances"') : page.index('id="book-bids"')]
    assert "1000,00 PLN" in balances and "200,00 EUR" in balances
    assert "4,3000" in page[page.index('id="mid-rate"') :]


def test_the_page_reads_in_polish_and_in_english(logged_in, funded):
    polish = logged_in.get(PAGE, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Giełda walutowa" in polish and "Sprawdź zlecenie" in polish
    assert "Twoje aktywne zlecenia" in polish
    logged_in.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    english = logged_in.get(PAGE).content.decode()
    assert "Currency market" in english and "Review the order" in english
    assert "Your active orders" in english


# -- placing ---------------------------------------------------------------------------


def test_review_shows_the_cover_and_commission_and_books_nothing_MKT_2_FEE_1(logged_in, funded):
    page = review(logged_in, side="BUY", volume="100", limit_price="4.3")
    summary = page[page.index('id="order-review"') : page.index('id="market-balances"')]
    assert "430,00 PLN" in summary  # MKT-2: the full cover, 100 × 4.3000
    assert "100,00 EUR" in summary and "0,20 EUR" in summary and "99,80 EUR" in summary
    assert 'name="submit_id"' in summary and 'value="confirm"' in summary
    assert Order.objects.count() == 0
    assert customer_balance(funded, "PLN").reserved == Money("0.00", "PLN")


def test_confirming_places_the_order_once_and_lists_it_as_active_MKT_1(logged_in, funded):
    response = confirm(logged_in)
    assert response.status_code == 302 and response["Location"] == PAGE
    again = confirm(logged_in)  # a second click, or the browser's resubmission
    assert again.status_code == 302
    order = Order.objects.get()
    assert (order.side, order.volume, order.ordered_by) == ("SELL", Money("100.00", "EUR"), "WEB")
    assert customer_balance(funded, "EUR").reserved == Money("100.00", "EUR")

    page = logged_in.get(PAGE).content.decode()
    assert "Zlecenie przyjęte" in page
    active = page[page.index('id="active-orders"') : page.index('id="closed-orders"')]
    assert str(order.order_id) in active and "sprzedaż EUR" in active and "4,3100" in active
    assert check_ledger().ok


def test_an_order_for_an_amount_in_the_quote_currency_MKT_1(logged_in, funded):
    page = review(logged_in, side="BUY", volume="860", volume_currency="PLN", limit_price="4,30")
    summary = page[page.index('id="order-review"') : page.index('id="market-balances"')]
    assert "860,00 PLN" in summary and "200,00 EUR" in summary  # 860 / 4.30
    confirm(logged_in, side="BUY", volume="860", volume_currency="PLN", limit_price="4,30")
    assert Order.objects.get().volume == Money("860.00", "PLN")


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"volume": "abc"}, "Wpisz liczbę"),
        ({"volume": "-5"}, "Wpisz liczbę"),
        ({"volume": "0"}, "większą od zera"),
        ({"limit_price": ""}, "To pole jest wymagane"),
        ({"side": "HOLD"}, "Wybierz poprawną wartość"),
        ({"volume_currency": "USD"}, "Wybierz poprawną wartość"),
        ({"limit_price": "4,31005"}, "najwyżej 4 miejsca po przecinku"),  # MON-3
        ({"volume": "10,001"}, "najwyżej 2 miejsca po przecinku"),  # MON-1
        ({"volume": "1,00"}, "co najmniej 2,00 EUR i 10,00 PLN"),  # MKT-8
    ],
)
def test_a_wrong_order_is_refused_on_its_field_with_a_message(
    logged_in, funded, overrides, field_text
):
    for step in ("review", "confirm"):
        response = logged_in.post(ORDER, order_form(step=step, **overrides))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="field-error"' in page and field_text in page
    assert Order.objects.count() == 0


def test_insufficient_funds_are_refused_with_what_is_available_MKT_2(logged_in, funded):
    for step in ("review", "confirm"):
        response = logged_in.post(ORDER, order_form(step=step, volume="250"))
        assert response.status_code == 200
        message = alert(response.content.decode())
        assert "Niewystarczające środki" in message and "200,00 EUR" in message
    assert Order.objects.count() == 0


def test_a_customer_in_arrears_is_refused_FEE_2(logged_in, funded):
    post(
        Posting(
            "test-arrears",
            "damages",
            [
                debit(accounts.receivable(funded, "PLN"), Money("1.00", "PLN")),
                credit(accounts.operator_account(AccountKind.DAMAGES_INCOME, "PLN"), "1.00"),
            ],
        )
    )
    for step in ("review", "confirm"):
        message = alert(logged_in.post(ORDER, order_form(step=step)).content.decode())
        assert "nieopłacone opłaty" in message and "1,00 PLN" in message
    assert Order.objects.count() == 0


def test_a_suspended_account_cannot_place_orders_REG_12(logged_in, funded):
    funded.status = CustomerStatus.SUSPENDED
    funded.save()
    message = alert(logged_in.post(ORDER, order_form(step="confirm")).content.decode())
    assert "nie może teraz składać zleceń" in message
    assert Order.objects.count() == 0


def test_a_pair_no_longer_offered_is_not_found(logged_in, funded):
    from kantor.rates.models import OfferedPair

    OfferedPair.objects.filter(code="EURPLN").update(enabled=False)
    assert logged_in.post(ORDER, order_form(step="confirm")).status_code == 404
    assert Order.objects.count() == 0


# -- cancelling and closed orders ------------------------------------------------------


def test_cancel_withdraws_the_rest_through_the_matcher_MKT_9(logged_in, funded):
    order = place_order(funded, "EURPLN", "SELL", "100.00", "EUR", "4.3100")
    run_matcher_once("EURPLN")
    url = reverse("web:market_cancel", args=[order.order_id])

    response = logged_in.post(url, {"pair": "EURPLN"})
    assert response.status_code == 302 and response["Location"] == PAGE
    page = logged_in.get(PAGE).content.decode()
    assert "Anulowanie przyjęte" in page
    active = page[page.index('id="active-orders"') : page.index('id="closed-orders"')]
    assert "anulowanie w toku" in active  # accepted; the matcher withdraws it

    run_matcher_once("EURPLN")
    order.refresh_from_db()
    assert (order.status, order.close_reason) == (OrderStatus.CLOSED, CloseReason.CANCELLED)
    assert customer_balance(funded, "EUR").available == Money("200.00", "EUR")
    page = logged_in.get(PAGE).content.decode()
    closed = page[page.index('id="closed-orders"') :]
    assert str(order.order_id) in closed and "anulowane" in closed
    assert check_ledger().ok


def test_someone_elses_or_an_unknown_order_cannot_be_cancelled_MKT_9(logged_in, funded):
    other = make_customer(email="o@example.com")
    fund(other, "100.00", "EUR")
    theirs = place_order(other, "EURPLN", "SELL", "100.00", "EUR", "4.3100")
    for order_id in (theirs.order_id, "00000000-0000-0000-0000-000000000000"):
        response = logged_in.post(reverse("web:market_cancel", args=[order_id]), follow=True)
        assert response.status_code == 200
        assert "Nie masz takiego zlecenia" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.cancel_seq is None


def test_a_filled_order_shows_what_was_sold_bought_and_the_commission_FEE_1(logged_in, funded):
    buyer = make_customer(email="b@example.com")
    fund(buyer, "1000.00", "PLN")
    confirm(logged_in, volume="100,00", limit_price="4,3000")
    place_order(buyer, "EURPLN", "BUY", "100.00", "EUR", "4.3000")
    run_matcher_once("EURPLN")

    page = logged_in.get(PAGE).content.decode()
    closed = page[page.index('id="closed-orders"') :]
    assert "100,00 EUR" in closed  # sold
    assert "430,00 PLN" in closed  # bought (gross)
    assert "0,86 PLN" in closed  # FEE-1: 0.2% of 430.00
    assert "zrealizowane" in closed
    assert "Nie masz aktywnych zleceń" in page
    assert check_ledger().ok
