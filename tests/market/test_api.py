"""API-1 /market_fx/*: the reference's parameters, fields, validation and error keys."""

from __future__ import annotations

import pytest

from kantor.customers.models import ApiRole
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind
from kantor.ledger.posting import Posting, credit, debit, post
from kantor.ledger.queries import customer_balance
from kantor.market.models import Order
from tests.api.client import ApiClient, make_api_key
from tests.factories import fund, make_customer
from tests.market.conftest import match

ORDERS = "/api/v2.0.0/market_fx/orders"
ACTIVE = "/api/v2.0.0/market_fx/orders/active"
CLOSE = "/api/v2.0.0/market_fx/orders/close"
BEST = "/api/v2.0.0/market_fx/best_offers"
DETAILED = "/api/v2.0.0/market_fx/best_offers/detailed"
HISTORY = "/api/v2.0.0/account/history"


@pytest.fixture(autouse=True)
def _api(settings, mid):
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.KANTOR_MARKET_CLOSE_WAIT_SECONDS = 0


@pytest.fixture
def client(customer) -> ApiClient:
    fund(customer, "10000.00", "PLN")
    fund(customer, "1000.00", "EUR")
    return ApiClient(make_api_key(customer)[1])


@pytest.fixture
def other(db) -> ApiClient:
    someone = make_customer(email="other@example.com")
    fund(someone, "10000.00", "PLN")
    fund(someone, "1000.00", "EUR")
    return ApiClient(make_api_key(someone)[1])


def form(**overrides) -> dict:
    data = {
        "submitId": "order-1",
        "currencyPair": "EURPLN",
        "buySell": "SELL",
        "volume": "90.00",
        "volumeCurrency": "EUR",
        "limitPrice": "4.2456",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error(answer: dict) -> tuple[str, dict]:
    assert answer["success"] is False, answer
    first = answer["errors"][0]
    return first["key"], {d["key"]: d["value"] for d in first["errorData"]}


def test_new_order_answers_its_id_and_reserves_the_cover_MKT_2(client, customer):
    answer = client.post(ORDERS, form())
    assert answer["success"] is True and answer["duplicate"] is False
    order = Order.objects.get(order_id=answer["result"]["orderId"])
    assert (order.submit_id, order.side, order.volume_minor) == ("order-1", "SELL", 9000)
    assert order.ordered_by.startswith("API/")
    assert customer_balance(customer, "EUR").reserved == Money("90.00", "EUR")


def test_the_same_submit_id_replays_the_answer_with_duplicate_true_API_1(client):
    first = client.post(ORDERS, form())
    again = client.post(ORDERS, form())
    assert again["duplicate"] is True
    assert again["result"] == first["result"]
    assert Order.objects.count() == 1


def test_dry_run_needs_no_signature_and_places_nothing_API_1(client):
    answer = client.post(ORDERS, form(submitId=None, dryRun="true"), sign=False)
    assert answer == {"success": True, "duplicate": False, "result": {"orderId": ""}}
    assert not Order.objects.exists()
    key, _ = error(client.post(ORDERS, form(submitId=None, volume="9000.00", dryRun="true")))
    assert key == "INSUFFICIENT_FUNDS"


def test_a_real_order_must_be_signed_API_2(client):
    key, _ = error(client.post(ORDERS, form(), sign=False))
    assert key == "MISSING_SIGNATURE"


def test_a_reader_key_cannot_place_orders_API_2(customer):
    reader = ApiClient(make_api_key(customer, roles=[ApiRole.READER])[1])
    key, _ = error(reader.post(ORDERS, form()))
    assert key == "MISSING_AUTH_ROLE"
    assert reader.get(ACTIVE)["success"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("volume", "90.5"),  # the pattern wants two decimals
        ("volume", "1234567890123.00"),
        ("limitPrice", "4.24567"),
        ("limitPrice", "123.1"),
        ("buySell", "HOLD"),
        ("currencyPair", None),
        ("submitId", "not valid!"),
    ],
)
def test_parameters_follow_the_reference_patterns_API_1(client, field, value):
    key, data = error(client.post(ORDERS, form(**{field: value})))
    assert key == "INVALID_ARGUMENTS"
    assert field in data
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"currencyPair": "EURXYZ"}, "CURRENCY_NOT_SUPPORTED"),
        ({"currencyPair": "EURSEK"}, "CURRENCY_NOT_SUPPORTED"),  # a pair not offered
        ({"volumeCurrency": "XYZ"}, "CURRENCY_NOT_SUPPORTED"),
        ({"volumeCurrency": "USD"}, "INVALID_ARGUMENTS"),
        ({"volume": "5000.00"}, "INSUFFICIENT_FUNDS"),
        ({"volume": "1.00"}, "AMOUNT_TOO_SMALL"),  # MKT-8
        ({"limitPrice": "0"}, "INVALID_ARGUMENTS"),
    ],
)
def test_refusals_carry_the_reference_keys_API_1(client, overrides, expected):
    key, _ = error(client.post(ORDERS, form(**overrides)))
    assert key == expected
    assert not Order.objects.exists()


def test_insufficient_funds_names_the_wallet_balance_MKT_2(client):
    _, data = error(client.post(ORDERS, form(volume="5000.00")))
    assert data == {"walletBalance": "1000.00 EUR"}


def test_a_customer_in_arrears_is_refused_FEE_2(client, customer):
    post(
        Posting(
            "test-arrears",
            "damages",
            [
                debit(accounts.receivable(customer, "PLN"), Money("1.00", "PLN")),
                credit(accounts.operator_account(AccountKind.DAMAGES_INCOME, "PLN"), "1.00"),
            ],
        )
    )
    key, data = error(client.post(ORDERS, form()))
    assert (key, data["reason"]) == ("NOT_AUTHORIZED", "FEES_IN_ARREARS")


def test_order_details_follow_the_reference_after_a_fill(client, other):
    sell_id = client.post(ORDERS, form(volume="100.00", limitPrice="4.3000"))["result"]["orderId"]
    other.post(ORDERS, form(buySell="BUY", volume="40.00", limitPrice="4.3000"))
    match()

    [details] = client.get(ORDERS, {"orderId": sell_id})["result"]
    assert details["orderId"] == sell_id
    assert {k: details[k] for k in details if k not in ("orderId", "submitTs", "updateTs")} == {
        "submitId": "order-1",
        "status": "ACTIVE",
        "completion": 40,
        "currencyPair": "EURPLN",
        "buySell": "SELL",
        "volume": "100.00",
        "volumeCurrency": "EUR",
        "limitPrice": "4.3000",
        "soldAmount": "40.00",
        "soldCurrency": "EUR",
        "boughtAmount": "172.00",
        "boughtCurrency": "PLN",
        "commissionAmount": "0.35",
        "commissionCurrency": "PLN",
        "commissionRate": "0.0020",
    }
    assert details["submitTs"].endswith("Z") and details["updateTs"] >= details["submitTs"]


def test_orders_lookup_is_the_callers_only_and_checks_the_id_length_API_1(client, other):
    sell_id = client.post(ORDERS, form())["result"]["orderId"]
    assert other.get(ORDERS, {"orderId": sell_id})["result"] == []
    assert client.get(ORDERS, {"orderId": "0" * 36})["result"] == []
    key, data = error(client.get(ORDERS, {"orderId": "short"}))
    assert key == "INVALID_ARGUMENTS" and "orderId" in data


def test_active_orders_newest_first_paged_by_older_than_API_1(client):
    ids = [
        client.post(ORDERS, form(submitId=f"o{i}", limitPrice=f"4.30{i}0"))["result"]["orderId"]
        for i in range(3)
    ]
    page = client.get(ACTIVE, {"itemLimit": 2})["result"]
    assert [o["orderId"] for o in page] == [ids[2], ids[1]]
    rest = client.get(ACTIVE, {"itemLimit": 2, "olderThan": page[-1]["submitTs"]})["result"]
    assert [o["orderId"] for o in rest] == [ids[0]]
    assert error(client.get(ACTIVE, {"itemLimit": 101}))[0] == "INVALID_ARGUMENTS"


def test_close_withdraws_the_rest_and_answers_the_order_MKT_9(client, customer):
    order_id = client.post(ORDERS, form())["result"]["orderId"]
    answer = client.post(CLOSE, {"orderId": order_id})
    assert answer["success"] is True
    assert answer["result"]["orderId"] == order_id  # the matcher has not applied it yet
    match()
    closed = client.post(CLOSE, {"orderId": order_id})["result"]
    assert (closed["status"], closed["completion"], closed["soldAmount"]) == ("CLOSED", 0, "0.00")
    assert customer_balance(customer, "EUR").reserved == Money("0.00", "EUR")


def test_close_of_an_unknown_order_is_transaction_not_found_MKT_9(client, other):
    assert error(client.post(CLOSE, {"orderId": "0" * 36}))[0] == "TRANSACTION_NOT_FOUND"
    theirs = other.post(ORDERS, form())["result"]["orderId"]
    assert error(client.post(CLOSE, {"orderId": theirs}))[0] == "TRANSACTION_NOT_FOUND"


def test_best_offers_are_public_and_aggregated_by_rate_MKT_12(client, other):
    client.post(ORDERS, form(submitId="a", volume="10.00", limitPrice="4.3100"))
    other.post(ORDERS, form(submitId="b", volume="5.00", limitPrice="4.3100"))
    other.post(ORDERS, form(submitId="c", buySell="BUY", volume="20.00", limitPrice="4.2900"))
    match()

    answer = ApiClient(None).get(BEST, {"currencyPair": "EURPLN"}, sign=False)
    result = answer["result"]
    assert result["currencyPair"] == "EURPLN" and result["ts"].endswith("Z")
    assert result["asks"] == [
        {"price": "4.3100", "volume": "15.00", "valueInOppositeCurrency": "64.65"}
    ]
    assert result["bids"] == [
        {"price": "4.2900", "volume": "20.00", "valueInOppositeCurrency": "85.80"}
    ]
    key, _ = error(ApiClient(None).get(BEST, {"currencyPair": "EURXYZ"}, sign=False))
    assert key == "CURRENCY_NOT_SUPPORTED"


def test_best_offers_detailed_marks_the_callers_own_offers_MKT_12(client, other):
    mine = client.post(ORDERS, form(submitId="a", volume="10.00", limitPrice="4.3100"))
    other.post(ORDERS, form(submitId="b", volume="5.00", limitPrice="4.3100"))
    other.post(ORDERS, form(submitId="c", volume="5.00", limitPrice="4.3200"))
    match()

    result = client.get(DETAILED, {"currencyPair": "EURPLN", "itemLimit": 1})["result"]
    [level] = result["asks"]
    assert (level["price"], level["volume"], level["includesOwn"]) == ("4.3100", "15.00", True)
    first, second = level["quotes"]
    assert first["own"] is True and first["orderId"] == mine["result"]["orderId"]
    assert first["volume"] == "10.00" and first["ts"].endswith("Z")
    assert "own" not in second and "orderId" not in second
    theirs = other.get(DETAILED, {"currencyPair": "EURPLN"})["result"]["asks"]
    assert len(theirs) == 2 and "includesOwn" in theirs[0]


def test_history_shows_market_fx_and_commission_items_with_order_details_API_1(client, other):
    sell_id = client.post(ORDERS, form(volume="100.00", limitPrice="4.3000"))["result"]["orderId"]
    other.post(ORDERS, form(buySell="BUY", volume="100.00", limitPrice="4.3000"))
    match()

    items = client.get(HISTORY, {"currencies": "PLN", "sortOrder": "ASC"})["result"]
    trade, fee = items[-2:]
    assert (trade["operationType"], trade["operationDetailedType"]) == ("MARKET_FX", "MARKET_FX")
    assert trade["operationAmount"] == "430.00 PLN"
    assert (fee["operationType"], fee["operationDetailedType"]) == ("COMMISSION", "MARKET_FX_FEE")
    assert fee["operationAmount"] == "-0.86 PLN"
    details = {d["key"]: d["value"] for d in trade["operationDetails"]}
    assert details == {
        "orderId": sell_id,
        "currencyPair": "EURPLN",
        "buySell": "SELL",
        "orderVolume": "100.00 EUR",
        "priceLimit": "4.3000",
    }
    assert trade["submitId"] == "order-1" and trade["orderedBy"].startswith("API/")


def test_paging_active_orders_never_skips_orders_accepted_together_API_1(client, customer):
    """A batch accepted at one instant gets distinct millisecond submitTs values, so
    olderThan (the last submitTs of a page) pages through all of them."""
    from django.utils import timezone

    from kantor.market.actions import place_orders
    from kantor.market.validation import validate_order

    fund(customer, "1000.00", "EUR")
    requests = [
        validate_order(customer, "EURPLN", "SELL", "10.00", "EUR", f"4.40{i}0") for i in range(4)
    ]
    placed = place_orders(requests, now=timezone.now())
    seen, older_than = [], None
    while True:
        query = {"itemLimit": 1, **({"olderThan": older_than} if older_than else {})}
        page = client.get(ACTIVE, query)["result"]
        if not page:
            break
        seen += [o["orderId"] for o in page]
        older_than = page[-1]["submitTs"]
    assert sorted(seen) == sorted(str(o.order_id) for o in placed)


def test_a_group_of_many_customers_stamps_each_customers_orders_a_millisecond_apart_API_1(
    customer, other
):
    """Offsets count per customer: a gateway's group of many customers' orders is
    not stamped milliseconds into the future."""
    from datetime import timedelta

    from django.utils import timezone

    from kantor.market.actions import place_orders
    from kantor.market.validation import validate_order

    someone = make_customer(email="third@example.com")
    fund(customer, "1000.00", "EUR")
    fund(someone, "1000.00", "EUR")
    owners = [customer, someone, customer, someone, someone]
    requests = [validate_order(c, "EURPLN", "SELL", "10.00", "EUR", "4.4000") for c in owners]
    now = timezone.now().replace(microsecond=0)
    placed = place_orders(requests, now=now)
    ms = [(o.customer_id, (o.submitted_at - now) // timedelta(milliseconds=1)) for o in placed]
    assert ms == [
        (customer.pk, 0), (someone.pk, 0), (customer.pk, 1), (someone.pk, 1), (someone.pk, 2)
    ]  # fmt: skip
