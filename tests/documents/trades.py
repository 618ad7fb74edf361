"""Market trades between customers with Polish names (real rows, no mocks); shared by
``tests/documents`` and ``tests/market/test_confirmations.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import time_machine

from kantor.customers.models import Customer, CustomerKind
from kantor.market.models import Order, Trade
from tests.factories import fund, make_customer
from tests.market.conftest import match, place, set_mid

#: Monday 2 March 2026, 10:00:00 in Warsaw (CET, UTC+1).
TRADED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Traded:
    trade: Trade
    buyer: Customer
    seller: Customer
    buy: Order
    sell: Order


def trade_between(
    buyer: Customer,
    seller: Customer,
    *,
    volume: str = "33.33",
    rate: str = "4.3333",
    at: datetime = TRADED_AT,
) -> Traded:
    """The seller's order rests, the buyer's takes it: one trade of ``volume`` EUR at ``rate``."""
    with time_machine.travel(at, tick=False):
        set_mid("4.3000", ago=timedelta(minutes=1))
        fund(seller, "1000.00", "EUR")
        fund(buyer, "10000.00", "PLN")
        sell = place(seller, "SELL", volume, "EUR", rate)
        match()
        buy = place(buyer, "BUY", volume, "EUR", rate)
        match()
    trade = Trade.objects.select_related("maker", "taker").get(taker=buy)
    buy.refresh_from_db()
    sell.refresh_from_db()
    return Traded(trade, buyer, seller, buy, sell)


def polish_individual() -> Customer:
    return make_customer(
        first_name="Zażółć",
        last_name="Gęślą-Jaźń",
        street="ul. Źródlana 5 m. 7",
        postal_code="90-001",
        city="Łódź",
    )


def polish_company() -> Customer:
    return make_customer(
        kind=CustomerKind.COMPANY,
        company_name="Przedsiębiorstwo Handlowe „Żuraw” sp. z o.o.",
        regon="123456785",
        street="ul. Świętokrzyska 12",
        postal_code="00-916",
        city="Warszawa",
    )
