"""API-4 /api/kantor/v1/deposit_orders: create (with the instructions), list, get, cancel (FX-2)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine

from kantor.exchange.conf import operator_bank_account
from kantor.exchange.models import DepositOrder
from tests.api.client import ApiClient, make_api_key
from tests.exchange.conftest import T0, bank_account, publish, transfer

BASE = "/api/kantor/v1/deposit_orders"


@pytest.fixture(autouse=True)
def _api_urls(settings):
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def client(customer):
    customer.eur = bank_account(customer, "EUR")
    publish(ts=T0.astimezone(UTC))
    with time_machine.travel(T0 + timedelta(seconds=5)):
        yield ApiClient(make_api_key(customer)[1])


def form(customer, **overrides) -> dict:
    data = {
        "submitId": "dep-1",
        "currencyPair": "EURPLN",
        "buySell": "BUY",
        "volume": "1000.00",
        "volumeCurrency": "PLN",
        "payoutAccountId": customer.eur.pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_answers_the_title_and_the_account_to_pay_FX_2(client, customer):
    answer = client.post(BASE, form(customer))
    assert answer["success"] is True, answer
    order = answer["result"]
    stored = DepositOrder.objects.get()
    assert (order["orderId"], order["transferTitle"]) == (str(stored.pk), stored.title)
    assert order["operatorAccount"] == operator_bank_account("PLN")
    assert (order["status"], order["indicativeRate"]) == ("open", "4.3500")
    assert client.post(BASE, form(customer))["duplicate"] is True


def test_dry_run_creates_nothing_FX_2(client, customer):
    answer = client.post(BASE, form(customer, submitId=None, dryRun="true"), sign=False)
    assert answer["result"]["orderId"] == "" and answer["result"]["transferTitle"] == ""
    assert DepositOrder.objects.count() == 0


def test_a_wrong_amount_currency_is_refused_with_its_reason_FX_2(client, customer):
    answer = client.post(BASE, form(customer, volumeCurrency="EUR"))
    error = answer["errors"][0]
    assert error["key"] == "INVALID_ARGUMENTS"
    assert {"key": "reason", "value": "VOLUME_NOT_IN_SOLD_CURRENCY"} in error["errorData"]


def test_get_list_and_cancel_FX_2(client, customer):
    order = client.post(BASE, form(customer))["result"]
    assert [o["orderId"] for o in client.get(BASE)["result"]] == [order["orderId"]]
    cancelled = client.post(f"{BASE}/{order['orderId']}/cancel")
    assert cancelled["result"]["status"] == "cancelled"
    again = client.post(f"{BASE}/{order['orderId']}/cancel")
    assert again["errors"][0]["key"] == "INVALID_ARGUMENTS"
    assert client.get(f"{BASE}/nope")["errors"][0]["key"] == "TRANSACTION_NOT_FOUND"


def test_the_executed_order_shows_the_exchange_FX_2(client, customer):
    order = client.post(BASE, form(customer))["result"]
    transfer(customer, "1000.00", "PLN", order["transferTitle"], T0 + timedelta(seconds=10))
    with time_machine.travel(T0 + timedelta(seconds=20)):
        shown = client.get(f"{BASE}/{order['orderId']}")["result"]
    assert shown["status"] == "executed"
    assert (shown["boughtAmount"], shown["boughtCurrency"]) == ("229.88", "EUR")
