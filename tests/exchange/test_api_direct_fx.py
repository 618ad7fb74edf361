"""API-1 POST /direct_fx/exchanges: the reference's parameters, errors and answers (FX-1)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine

from kantor.customers.models import ApiRole
from kantor.domain.money import Money
from kantor.exchange.actions import exchange_instant
from kantor.exchange.models import Exchange
from kantor.ledger.invariants import check_ledger
from kantor.ledger.posting import InsufficientFunds
from kantor.ledger.queries import customer_balance
from tests.api.client import ApiClient, make_api_key
from tests.exchange.conftest import NOW, publish
from tests.factories import fund
from tests.threads import in_threads

EXCHANGES = "/api/v2.0.0/direct_fx/exchanges"
HISTORY = "/api/v2.0.0/account/history"
TS = "2026-03-02T09:00:00.000Z"


@pytest.fixture(autouse=True)
def _api_urls(settings):
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW + timedelta(seconds=30)):
        yield


@pytest.fixture
def client(customer, eurpln, frozen) -> ApiClient:
    return ApiClient(make_api_key(customer)[1])


def form(**overrides) -> dict:
    data = {
        "submitId": "test105",
        "currencyPair": "EURPLN",
        "buySell": "BUY",
        "volume": "100.00",
        "volumeCurrency": "EUR",
        "ts": TS,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error(answer: dict) -> tuple[str, dict]:
    assert answer["success"] is False, answer
    first = answer["errors"][0]
    return first["key"], {d["key"]: d["value"] for d in first["errorData"]}


def test_exchange_answers_an_exchange_id_and_shows_in_history_FX_1(customer, client):
    fund(customer, "1000.00", "PLN")
    answer = client.post(EXCHANGES, form())
    assert answer["success"] is True and answer["duplicate"] is False
    result = answer["result"]
    exchange = Exchange.objects.get()
    assert result["exchangeId"] == str(exchange.id)
    assert (result["soldAmount"], result["boughtAmount"], result["rate"]) == (
        "435.00",
        "100.00",
        "4.3500",
    )
    history = client.get(HISTORY, {"operationType": "DIRECT_FX", "currencies": "PLN"})
    item = history["result"][0]
    assert item["operationAmount"] == "-435.00 PLN"
    assert item["submitId"] == "test105" and item["orderedBy"].startswith("API/")
    assert item["operationDetails"] == [
        {"key": "amountSold", "value": "435.00 PLN"},
        {"key": "amountBought", "value": "100.00 EUR"},
        {"key": "rate", "value": "4.3500"},
        {"key": "rateTs", "value": TS},
    ]
    assert check_ledger().ok


def test_dry_run_answers_the_numbers_and_books_nothing_FX_1(customer, client):
    fund(customer, "1000.00", "PLN")
    answer = client.post(EXCHANGES, form(submitId=None, dryRun="true"), sign=False)
    assert answer["success"] is True
    assert answer["result"]["exchangeId"] == ""
    assert answer["result"]["soldAmount"] == "435.00"
    assert Exchange.objects.count() == 0
    assert customer_balance(customer, "PLN").available == Money("1000.00", "PLN")


def test_a_repeated_submit_id_replays_and_exchanges_once_API_1(customer, client):
    fund(customer, "1000.00", "PLN")
    first = client.post(EXCHANGES, form())
    again = client.post(EXCHANGES, form())
    assert again["duplicate"] is True and again["result"] == first["result"]
    assert Exchange.objects.count() == 1
    assert customer_balance(customer, "PLN").available == Money("565.00", "PLN")


def test_an_expired_ts_is_refused_with_a_reason_FX_1(customer, eurpln):
    fund(customer, "1000.00", "PLN")
    with time_machine.travel(NOW + timedelta(seconds=601), tick=False):
        answer = ApiClient(make_api_key(customer)[1]).post(EXCHANGES, form())
    key, data = error(answer)
    assert (key, data["reason"]) == ("INVALID_ARGUMENTS", "QUOTE_EXPIRED")
    assert answer["duplicate"] is False
    assert Exchange.objects.count() == 0


def test_an_unknown_ts_is_refused_FX_1(customer, client):
    fund(customer, "1000.00", "PLN")
    key, data = error(client.post(EXCHANGES, form(ts="2026-03-02T09:00:01.000Z")))
    assert (key, data["reason"]) == ("INVALID_ARGUMENTS", "UNKNOWN_RATE_TS")


def test_insufficient_funds_names_the_wallet_balance_MON_5(customer, client):
    fund(customer, "100.00", "PLN")
    key, data = error(client.post(EXCHANGES, form()))
    assert (key, data) == ("INSUFFICIENT_FUNDS", {"walletBalance": "100.00 PLN"})
    assert check_ledger().ok


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"currencyPair": "CZKPLN", "volumeCurrency": "CZK"}, "CURRENCY_NOT_SUPPORTED"),
        ({"volumeCurrency": "XXX"}, "CURRENCY_NOT_SUPPORTED"),
        ({"volumeCurrency": "USD"}, "INVALID_ARGUMENTS"),
        ({"volume": "100.5"}, "INVALID_ARGUMENTS"),
        ({"buySell": "HOLD"}, "INVALID_ARGUMENTS"),
        ({"ts": "yesterday"}, "INVALID_ARGUMENTS"),
        ({"ts": None}, "INVALID_ARGUMENTS"),
        ({"volume": "0.01", "volumeCurrency": "PLN"}, "AMOUNT_TOO_SMALL"),
    ],
)
def test_invalid_requests_get_the_reference_keys_API_1(customer, client, overrides, expected):
    fund(customer, "1000.00", "PLN")
    assert error(client.post(EXCHANGES, form(**overrides)))[0] == expected
    assert Exchange.objects.count() == 0


def test_a_real_exchange_must_be_signed_and_needs_the_role_API_2(customer, eurpln, frozen):
    fund(customer, "1000.00", "PLN")
    client = ApiClient(make_api_key(customer)[1])
    assert error(client.post(EXCHANGES, form(), sign=False))[0] == "MISSING_SIGNATURE"
    reader = ApiClient(make_api_key(customer, roles=[ApiRole.READER])[1])
    assert error(reader.post(EXCHANGES, form()))[0] == "MISSING_AUTH_ROLE"
    direct = ApiClient(make_api_key(customer, roles=[ApiRole.DIRECT_FX])[1])
    assert direct.post(EXCHANGES, form())["success"] is True


@pytest.mark.postgres
def test_two_parallel_exchanges_spending_the_same_balance_exactly_one_succeeds_FX_1_MON_5(
    customer,
):
    publish()
    fund(customer, "500.00", "PLN")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def buy(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            exchange_instant(
                customer, "EURPLN", "BUY", "100.00", "EUR", NOW,
                idempotency_key=f"parallel-{n}", now=NOW,
            )  # fmt: skip
            outcomes.append("ok")
        except InsufficientFunds:
            outcomes.append("refused")

    in_threads(buy, range(2))

    assert sorted(outcomes) == ["ok", "refused"]
    assert Exchange.objects.count() == 1
    assert customer_balance(customer, "PLN").available == Money("65.00", "PLN")
    assert customer_balance(customer, "EUR").available == Money("100.00", "EUR")
    assert check_ledger().ok
