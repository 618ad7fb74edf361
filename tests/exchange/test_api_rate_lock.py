"""API-4 /api/kantor/v1/rate_lock/*: quote, place, list, get (LOCK-1..14 through the API)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine

from kantor.customers.models import ApiRole
from kantor.exchange.models import RateLockOrder
from kantor.ledger.invariants import check_ledger
from tests.api.client import ApiClient, make_api_key
from tests.exchange.conftest import T0, lock_ready, publish, transfer

BASE = "/api/kantor/v1/rate_lock"


@pytest.fixture(autouse=True)
def _api_urls(settings):
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def client(customer):
    lock_ready(customer)
    publish(ts=T0.astimezone(UTC))
    with time_machine.travel(T0 + timedelta(seconds=5)):
        yield ApiClient(make_api_key(customer)[1])


def error(answer: dict) -> tuple[str, dict]:
    assert answer["success"] is False, answer
    first = answer["errors"][0]
    return first["key"], {d["key"]: d["value"] for d in first["errorData"]}


def quote(client) -> dict:
    answer = client.post(f"{BASE}/quotes", {"currencyPair": "EURPLN"})
    assert answer["success"] is True, answer
    return answer["result"]


def place_form(quote_id: str, **overrides) -> dict:
    data = {
        "submitId": "lock-1",
        "quoteId": quote_id,
        "buySell": "BUY",
        "volume": "1000.00",
        "volumeCurrency": "EUR",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_quote_shows_the_rates_margins_and_validity_LOCK_3_LOCK_11(client):
    result = quote(client)
    assert (result["buyRate"], result["sellRate"], result["midRate"]) == (
        "4.3500",
        "4.2500",
        "4.3000",
    )
    assert (result["buyMargin"], result["sellMargin"]) == ("0.0500", "0.0500")
    assert result["validUntil"] > result["quotedTs"]


def test_placing_fixes_amount_due_title_account_and_deadline_LOCK_5_LOCK_6(client):
    answer = client.post(f"{BASE}/orders", place_form(quote(client)["quoteId"]))
    assert answer["success"] is True and answer["duplicate"] is False
    order = answer["result"]
    stored = RateLockOrder.objects.get()
    assert order["orderId"] == str(stored.pk)
    assert (order["amountDue"], order["amountDueCurrency"]) == ("4350.00", "PLN")
    assert order["transferTitle"] == stored.title
    assert order["deadlineTs"] == "2026-03-09T17:00:00.000Z"
    assert order["deadlineLocal"] == "2026-03-09T18:00:00+01:00"
    assert order["status"] == "awaiting_payment"
    assert order["operatorAccount"]


def test_a_repeated_submit_id_replays_the_order_API_1(client):
    form = place_form(quote(client)["quoteId"])
    first = client.post(f"{BASE}/orders", form)
    again = client.post(f"{BASE}/orders", form)
    assert again["duplicate"] is True and again["result"] == first["result"]
    assert RateLockOrder.objects.count() == 1


def test_dry_run_shows_the_terms_and_places_nothing_LOCK_5(client):
    form = place_form(quote(client)["quoteId"], submitId=None, dryRun="true")
    answer = client.post(f"{BASE}/orders", form, sign=False)
    assert answer["result"]["orderId"] == "" and answer["result"]["amountDue"] == "4350.00"
    assert RateLockOrder.objects.count() == 0


def test_over_the_limit_is_refused_with_a_clear_error_LOCK_12(client):
    form = place_form(quote(client)["quoteId"], volume="30000.00")
    key, data = error(client.post(f"{BASE}/orders", form))
    assert (key, data["reason"]) == ("INVALID_ARGUMENTS", "LOCK_LIMIT_EXCEEDED")
    assert (data["limit"], data["exposure"]) == ("100000.00 PLN", "130500.00 PLN")


def test_an_expired_quote_is_refused_LOCK_3(client):
    quote_id = quote(client)["quoteId"]
    with time_machine.travel(T0 + timedelta(minutes=3)):
        key, data = error(client.post(f"{BASE}/orders", place_form(quote_id)))
    assert (key, data["reason"]) == ("INVALID_ARGUMENTS", "QUOTE_EXPIRED")


def test_without_the_agreement_the_answer_is_not_authorized_LOCK_1(other_customer):
    publish(ts=T0.astimezone(UTC))
    with time_machine.travel(T0 + timedelta(seconds=5)):
        client = ApiClient(make_api_key(other_customer)[1])
        key, data = error(client.post(f"{BASE}/quotes", {"currencyPair": "EURPLN"}))
        assert (key, data["reason"]) == ("NOT_AUTHORIZED", "NO_RATE_LOCK_AGREEMENT")
        assert client.post(f"{BASE}/agreement")["result"]["status"] == "active"
        assert client.get(f"{BASE}/agreement")["result"]["status"] == "active"


def test_list_and_get_show_the_outcome_LOCK_9(client, customer):
    placed = client.post(f"{BASE}/orders", place_form(quote(client)["quoteId"]))["result"]
    transfer(customer, "4350.00", "PLN", placed["transferTitle"], T0 + timedelta(days=1))
    with time_machine.travel(T0 + timedelta(days=1, minutes=1)):
        listed = client.get(f"{BASE}/orders")["result"]
        one = client.get(f"{BASE}/orders/{placed['orderId']}")["result"]
    assert [o["orderId"] for o in listed] == [placed["orderId"]]
    assert one["status"] == "executed" and one["exchangeId"]
    assert check_ledger().ok


def test_an_unknown_order_is_not_found_API_4(client):
    assert error(client.get(f"{BASE}/orders/nope"))[0] == "TRANSACTION_NOT_FOUND"


def test_reading_needs_a_role_placing_needs_direct_fx_API_2(customer, client):
    reader = ApiClient(make_api_key(customer, roles=[ApiRole.READER])[1])
    assert reader.get(f"{BASE}/orders")["success"] is True
    key, _ = error(reader.post(f"{BASE}/quotes", {"currencyPair": "EURPLN"}))
    assert key == "MISSING_AUTH_ROLE"
