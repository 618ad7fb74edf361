"""DOC-1, MKT-10: the panel links each of the customer's trades to its proof of purchase
and sale — the market page's "Your trades" and the history's market exchanges."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kantor.customers.models import Customer
from kantor.ledger.invariants import check_ledger
from kantor.market.queries import customer_trades
from tests.documents.test_trade_proof import pdf_text
from tests.documents.trades import TRADED_AT, Traded, trade_between
from tests.factories import make_customer

PAGE = "/panel/market/EURPLN/"
HISTORY = "/panel/history/"


def client_for(client, customer: Customer):
    client.force_login(customer.user)
    return client


def proof_url(traded: Traded) -> str:
    return reverse("documents:trade_proof", args=[traded.trade.pk])


def rows(page: str, section_id: str) -> dict[str, str]:
    """{trade id: the row's HTML} of the section's table, in the page's order."""
    start = page.index(f'id="{section_id}"')
    table = page[start : page.index("</table>", start)]
    return dict(re.findall(r'<tr data-trade="(\d+)">(.*?)</tr>', table, re.S))


@pytest.fixture
def other(db) -> Customer:
    return make_customer(email="druga@example.com")


@pytest.fixture
def two_trades(customer, other) -> tuple[Traded, Traded]:
    """The customer sells 10.00 EUR at 4.3000 (their order rests: maker), then buys
    33.33 EUR at 4.3333 an hour later (their order takes: taker)."""
    sold = trade_between(other, customer, volume="10.00", rate="4.3000", at=TRADED_AT)
    later = TRADED_AT + timedelta(hours=1)
    bought = trade_between(customer, other, volume="33.33", rate="4.3333", at=later)
    return sold, bought


# -- the market page -------------------------------------------------------------------


def test_your_trades_shows_each_side_as_the_customer_sees_it_MKT_10(client, customer, two_trades):
    sold, bought = two_trades
    page = client_for(client, customer).get(PAGE).content.decode()

    trades = rows(page, "my-trades")
    assert list(trades) == [str(bought.trade.pk), str(sold.trade.pk)]  # newest first
    row = trades[str(bought.trade.pk)]
    assert "2026-03-02 11:00:00" in row  # 10:00 UTC, in Warsaw time (CET)
    assert "kupiono EUR" in row and "33,33 EUR" in row and "4,3333" in row
    assert "144,43 PLN" in row  # paid, rounded up (MON-2)
    assert "0,07 EUR" in row  # FEE-1: 0.2 % of 33.33 EUR, rounded up
    assert f'href="{proof_url(bought)}"' in row
    row = trades[str(sold.trade.pk)]
    assert "2026-03-02 10:00:00" in row
    assert "sprzedano EUR" in row and "10,00 EUR" in row and "4,3000" in row
    assert "43,00 PLN" in row and "0,09 PLN" in row  # received; FEE-1 on 43.00 PLN
    assert f'href="{proof_url(sold)}"' in row
    assert check_ledger().ok


def test_your_trades_lists_only_the_customers_own_trades_DOC_1(client, customer, two_trades):
    later = TRADED_AT + timedelta(hours=2)
    strangers = trade_between(make_customer(), make_customer(), rate="4.3200", at=later)
    page = client_for(client, customer).get(PAGE).content.decode()
    assert str(strangers.trade.pk) not in rows(page, "my-trades")
    assert proof_url(strangers) not in page
    # the public last trades do show it (MKT-12), without who traded
    last = page[page.index('id="last-trades"') : page.index('id="active-orders"')]
    assert "4,3200" in last

    other = client_for(client, strangers.buyer).get(PAGE).content.decode()
    assert list(rows(other, "my-trades")) == [str(strangers.trade.pk)]


def test_each_proof_link_downloads_the_customers_side_as_a_pdf_DOC_1(client, customer, two_trades):
    sold, bought = two_trades
    page = client_for(client, customer).get(PAGE).content.decode()
    for traded, side, net in ((bought, "B", "33,26 EUR"), (sold, "S", "42,91 PLN")):
        href = re.search(r'href="([^"]+)"', rows(page, "my-trades")[str(traded.trade.pk)])[1]
        response = client.get(href)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].endswith(f'-P2P-{traded.trade.pk}-{side}.pdf"')
        assert f"Otrzymano netto {net}" in pdf_text(response.content)
    # the other party's link to the same trade is theirs: the customer gets their own side
    client.logout()
    response = client_for(client, bought.seller).get(proof_url(bought))
    assert response["Content-Disposition"].endswith(f'-P2P-{bought.trade.pk}-S.pdf"')


def test_your_trades_are_the_latest_in_this_pair_only(customer, two_trades):
    sold, bought = two_trades
    assert [t.trade_id for t in customer_trades(customer, "EURPLN", 1)] == [bought.trade.pk]
    both = [bought.trade.pk, sold.trade.pk]
    assert [t.trade_id for t in customer_trades(customer, "EURPLN", 20)] == both
    assert customer_trades(customer, "USDPLN", 20) == []


def test_no_trades_yet_and_the_section_in_english(client, customer, two_trades):
    client_for(client, make_customer(email="nowa@example.com"))
    assert "Nie masz jeszcze transakcji w tej parze." in client.get(PAGE).content.decode()

    client_for(client, customer)
    polish = client.get(PAGE).content.decode()
    assert "Twoje transakcje" in polish and "Potwierdzenie kupna i sprzedaży" in polish
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    english = client.get(PAGE).content.decode()
    assert "Your trades" in english and "Proof of purchase and sale" in english
    trades = rows(english, "my-trades")
    assert "bought EUR" in trades[str(two_trades[1].trade.pk)]
    assert "sold EUR" in trades[str(two_trades[0].trade.pk)]
    assert "33.33 EUR" in trades[str(two_trades[1].trade.pk)]


# -- the history -----------------------------------------------------------------------


def test_history_links_market_exchanges_to_their_proofs_DOC_1_DOC_4(client, customer, two_trades):
    sold, bought = two_trades
    page = client_for(client, customer).get(HISTORY).content.decode()
    links = re.findall(r'href="(/panel/documents/trades/\d+/proof\.pdf)"', page)
    # each trade is two MARKET_FX lines (what was paid, what was bought); the
    # commission and the deposits have no proof of their own
    assert sorted(links) == sorted([proof_url(sold)] * 2 + [proof_url(bought)] * 2)
    assert page.count('class="proof"') == 4
    for href in set(links):
        assert client.get(href)["Content-Type"] == "application/pdf"

    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert proof_url(bought) in dashboard


def test_history_reads_the_pages_trades_in_one_query_DOC_4(client, customer, other, two_trades):
    client_for(client, customer)
    with CaptureQueriesContext(connection) as two:
        client.get(HISTORY)
    for hours in (2, 3, 4):
        trade_between(customer, other, volume="5.00", at=TRADED_AT + timedelta(hours=hours))
    with CaptureQueriesContext(connection) as five:
        page = client.get(HISTORY).content.decode()
    assert page.count('class="proof"') == 10
    assert len(five) == len(two)
    assert sum('"market_trade"' in q["sql"] for q in five.captured_queries) == 1
