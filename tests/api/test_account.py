"""API-1 /account/balances and /account/history (DOC-4, MON-1, MON-5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kantor.domain.money import Money
from kantor.ledger import accounts, reservations
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, HistoryItem
from kantor.ledger.operations import Operation
from kantor.ledger.posting import Posting, credit, debit, post, post_batch
from tests.api.client import ApiClient, make_api_key
from tests.factories import fund

BALANCES = "/api/v2.0.0/account/balances"
HISTORY = "/api/v2.0.0/account/history"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def error_key(answer: dict) -> str:
    assert answer["success"] is False, answer
    return answer["errors"][0]["key"]


def exchange(customer, sold: str, bought: str, *, at: datetime, **posting) -> None:
    """The customer's side of a direct exchange, booked through the trading account."""
    sold_m, bought_m = Money(*sold.split()), Money(*bought.split())
    s, b = sold_m.currency.code, bought_m.currency.code
    post(
        Posting(
            idempotency_key=f"fx-{customer.pk}-{at.isoformat()}",
            kind="direct_fx",
            entries=[
                debit(accounts.available(customer, s), sold_m, Operation.DIRECT_FX),
                credit(accounts.operator_account(AccountKind.TRADING, s), sold_m),
                debit(accounts.operator_account(AccountKind.TRADING, b), bought_m),
                credit(accounts.available(customer, b), bought_m, Operation.DIRECT_FX),
            ],
            created_at=at,
            **posting,
        )
    )


def deposit(customer, amount: str, cur: str, *, at: datetime, details=None) -> None:
    money = Money(amount, cur)
    post(
        Posting(
            idempotency_key=f"dep-{customer.pk}-{cur}-{at.isoformat()}",
            kind="deposit",
            entries=[
                debit(accounts.operator_account(AccountKind.CLIENT_BANK, cur), money),
                credit(accounts.available(customer, cur), money, Operation.PAYIN),
            ],
            created_at=at,
            details=details or {},
        )
    )


def test_balances_show_total_available_and_reserved_at_currency_decimals_MON_5(
    customer, client, monkeypatch
):
    # Plays the part of the market app: says what open orders reserve.
    monkeypatch.setitem(reservations._sources, "test", lambda: {(customer.pk, "EUR"): 2400})
    fund(customer, "300.33", "EUR")
    fund(customer, "17.3", "PLN")
    post(
        Posting(
            "reserve-1",
            "reservation",
            [
                debit(accounts.available(customer, "EUR"), "24.00"),
                credit(accounts.reserved(customer, "EUR"), "24.00"),
            ],
        )
    )
    answer = client.get(BALANCES, sign=False)
    assert answer == {
        "success": True,
        "result": [
            {
                "currency": "EUR",
                "balanceTotal": "300.33",
                "balanceAvailable": "276.33",
                "balanceReserved": "24.00",
            },
            {
                "currency": "PLN",
                "balanceTotal": "17.30",
                "balanceAvailable": "17.30",
                "balanceReserved": "0.00",
            },
        ],
    }
    assert check_ledger().ok


def test_balances_are_the_callers_own_API_1(customer, other_customer):
    fund(other_customer, "50.00", "PLN")
    _, raw = make_api_key(customer)
    assert ApiClient(raw).get(BALANCES)["result"] == []


def test_history_item_has_the_reference_shape_DOC_4(customer, client, api_key):
    deposit(customer, "500.00", "PLN", at=T0)
    exchange(
        customer,
        "432.43 PLN",
        "100.00 EUR",
        at=T0 + timedelta(minutes=1, microseconds=788_000),
        submit_id="test105",
        ordered_by="API/apike…",
        details={
            "amountSold": "432.43 PLN",
            "amountBought": "100.00 EUR",
            "rate": "4.3243",
            "rateTs": "2018-10-08T13:10:00.000Z",
            "quoteId": "internal bookkeeping, never shown",
        },
    )
    answer = client.get(HISTORY, {"currencies": "PLN", "sortOrder": "DESC"})
    assert answer["success"] is True
    latest = answer["result"][0]
    item = HistoryItem.objects.get(pk=latest["historyItemId"])
    assert latest == {
        "historyItemId": item.pk,
        "transactionId": str(item.transaction_id),
        "ts": "2026-03-02T09:01:00.788Z",
        "currency": "PLN",
        "operationAmount": "-432.43 PLN",
        "balanceAfter": "67.57 PLN",
        "operationType": "DIRECT_FX",
        "operationDetailedType": "DIRECT_FX",
        "operationDetails": [
            {"key": "amountSold", "value": "432.43 PLN"},
            {"key": "amountBought", "value": "100.00 EUR"},
            {"key": "rate", "value": "4.3243"},
            {"key": "rateTs", "value": "2018-10-08T13:10:00.000Z"},
        ],
        "submitId": "test105",
        "orderedBy": "API/apike…",
    }
    payin = answer["result"][1]
    assert payin["operationAmount"] == "500.00 PLN"
    assert "submitId" not in payin and "orderedBy" not in payin


def test_history_details_per_customer_override_the_shared_ones_DOC_4(customer, other_customer):
    """A transaction touching two customers shows each their own order and submitId."""
    fund(customer, "100.00", "EUR")
    fund(other_customer, "430.00", "PLN")
    eur, pln = Money("100.00", "EUR"), Money("430.00", "PLN")
    post(
        Posting(
            "trade-1",
            "market_fx",
            [
                debit(accounts.available(customer, "EUR"), eur, Operation.MARKET_FX),
                credit(accounts.available(other_customer, "EUR"), eur, Operation.MARKET_FX),
                debit(accounts.available(other_customer, "PLN"), pln, Operation.MARKET_FX),
                credit(accounts.available(customer, "PLN"), pln, Operation.MARKET_FX),
            ],
            details={
                "currencyPair": "EURPLN",
                "per_customer": {
                    str(customer.pk): {"orderId": "o-seller", "buySell": "SELL", "submitId": "s1"},
                    str(other_customer.pk): {"orderId": "o-buyer", "buySell": "BUY"},
                },
            },
        )
    )
    _, raw = make_api_key(other_customer)
    answer = ApiClient(raw).get(HISTORY, {"operationType": "MARKET_FX"})
    assert len(answer["result"]) == 2
    for item in answer["result"]:
        details = {d["key"]: d["value"] for d in item["operationDetails"]}
        assert details == {"orderId": "o-buyer", "currencyPair": "EURPLN", "buySell": "BUY"}
        assert "submitId" not in item


def _history_ids(client, **params) -> list[int]:
    answer = client.get(HISTORY, params)
    assert answer["success"] is True, answer
    return [item["historyItemId"] for item in answer["result"]]


@pytest.fixture
def three_days(customer):
    """A PLN deposit each day at 09:00 UTC, and a EUR exchange on the second day."""
    for day in range(3):
        deposit(customer, f"{100 + day}.00", "PLN", at=T0 + timedelta(days=day))
    exchange(customer, "43.00 PLN", "10.00 EUR", at=T0 + timedelta(days=1, hours=1))
    return list(HistoryItem.objects.filter(customer=customer).order_by("id"))


def test_history_dates_from_inclusive_to_exclusive_DOC_4(client, three_days):
    ids = _history_ids(
        client,
        dateFrom="2026-03-03T09:00:00Z",
        dateTo="2026-03-04T09:00:00.000Z",
        sortOrder="ASC",
    )
    day2 = [i.pk for i in three_days if i.created_at.date() == T0.date() + timedelta(days=1)]
    assert ids == day2 and len(ids) == 3


def test_history_dates_with_an_offset_even_unencoded_in_the_query_DOC_4(client, three_days):
    """11:00+02:00 is 09:00Z; an unencoded '+' arrives as a space and is read back."""
    encoded = client.get(HISTORY, "dateFrom=2026-03-04T11:00:00%2B02:00")
    unencoded = client.get(HISTORY, "dateFrom=2026-03-04T11:00:00+02:00")
    last_day = [i.pk for i in three_days if i.created_at == T0 + timedelta(days=2)]
    assert [i["historyItemId"] for i in encoded["result"]] == last_day
    assert unencoded["result"] == encoded["result"]


def test_history_filters_by_currencies_and_types_DOC_4(client, three_days):
    eur = [i.pk for i in three_days if i.currency == "EUR"]
    assert _history_ids(client, currencies="EUR") == eur
    assert sorted(_history_ids(client, currencies="EUR,PLN")) == [i.pk for i in three_days]
    assert len(_history_ids(client, operationType="PAYIN")) == 3
    assert len(_history_ids(client, operationDetailedType="DIRECT_FX")) == 2
    assert _history_ids(client, operationType="DIRECT_FX", currencies="EUR") == eur
    assert _history_ids(client, operationDetailedType="MONTHLY_FEE") == []


def test_history_pages_newest_first_with_continue_from_DOC_4(client, three_days):
    all_desc = [i.pk for i in reversed(three_days)]
    first = _history_ids(client, itemLimit=2)
    second = _history_ids(client, itemLimit=2, continueFrom=first[-1])
    third = _history_ids(client, itemLimit=2, continueFrom=second[-1])
    assert first + second + third == all_desc
    assert third == all_desc[4:]


def test_history_pages_oldest_first_with_continue_from_DOC_4(client, three_days):
    all_asc = [i.pk for i in three_days]
    first = _history_ids(client, itemLimit=3, sortOrder="ASC")
    second = _history_ids(client, itemLimit=3, sortOrder="ASC", continueFrom=first[-1])
    assert first + second == all_asc


def test_history_default_page_is_200_items_DOC_4(customer, client):
    money = Money("1.00", "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    available = accounts.available(customer, "PLN")
    post_batch(
        [
            Posting(f"bulk-{n}", "deposit", [debit(bank, money), credit(available, money, "PAYIN")])
            for n in range(201)
        ]
    )
    page = _history_ids(client)
    assert len(page) == 200
    assert page[0] == HistoryItem.objects.latest("id").pk


@pytest.mark.parametrize(
    "params",
    [
        {"itemLimit": "0"},
        {"itemLimit": "201"},
        {"itemLimit": "ten"},
        {"continueFrom": "0"},
        {"sortOrder": "NEWEST"},
        {"operationType": "payin"},
        {"operationDetailedType": "SOMETHING"},
        {"dateFrom": "2026-13-01T00:00:00Z"},
        {"dateTo": "tomorrow"},
    ],
)
def test_history_malformed_parameters_are_invalid_arguments_API_1(client, params):
    answer = client.get(HISTORY, params)
    assert error_key(answer) == "INVALID_ARGUMENTS"
    (name,) = params
    assert name in {d["key"] for d in answer["errors"][0]["errorData"]}


def test_history_unknown_currency_is_not_supported_API_1(client):
    assert error_key(client.get(HISTORY, {"currencies": "PLN,XYZ"})) == "CURRENCY_NOT_SUPPORTED"


def test_history_is_the_callers_own_DOC_4(customer, other_customer, client):
    fund(other_customer, "50.00", "PLN")
    assert _history_ids(client) == []
