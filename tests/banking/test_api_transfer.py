"""API-1, API-3: /transfer/iban, /transfer, /account/history/mt940 and the kantor/v1 extras."""

from __future__ import annotations

from datetime import date

import pytest

from kantor.banking import actions
from kantor.banking.models import Withdrawal
from kantor.customers.models import ApiRole
from kantor.domain.money import Money
from kantor.ledger.invariants import check_ledger
from kantor.ledger.queries import customer_balance
from tests.api.client import ApiClient, make_api_key
from tests.banking.conftest import add_account
from tests.factories import fund

IBAN = "/api/v2.0.0/transfer/iban"
STATUS = "/api/v2.0.0/transfer"
MT940 = "/api/v2.0.0/account/history/mt940"
PKO = "PL62102010268172805693166101"


@pytest.fixture
def client(jan) -> ApiClient:
    return ApiClient(make_api_key(jan)[1])


def form(**overrides) -> dict:
    data = {
        "submitId": "wd-1",
        "volume": "100.00",
        "currency": "PLN",
        "title": "na wakacje",
        "accountNumber": PKO,
        "recipientName": "Jan Kowalski",
        "transferCostInstruction": "SENDER_VOLUME",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error(answer: dict) -> tuple[str, dict]:
    assert answer["success"] is False, answer
    first = answer["errors"][0]
    return first["key"], {d["key"]: d["value"] for d in first["errorData"]}


def test_withdrawal_through_the_api_reserves_and_replays_its_submit_id_API_1_WD_1(
    mids, jan, client
):
    fund(jan, "300.00", "PLN")

    answer = client.post(IBAN, form())
    again = client.post(IBAN, form())

    assert answer["success"] is True and answer["duplicate"] is False
    result = answer["result"]
    assert (result["feeAmount"], result["feeCurrency"], result["transferType"]) == (
        "0.00",
        "PLN",
        "DOMESTIC",
    )
    assert again["duplicate"] is True and again["result"] == result
    assert Withdrawal.objects.count() == 1
    assert customer_balance(jan, "PLN").reserved == Money("100.00", "PLN")

    status = client.get(STATUS, {"transferId": result["transferId"]})["result"]
    assert status["transferStatus"] == "REQUEST_RECEIVED"
    assert (status["submitId"], status["volume"], status["recipientAccount"]) == (
        "wd-1",
        "100.00",
        PKO,
    )
    assert client.get(STATUS, {"submitId": "wd-1"})["result"]["transferId"] == result["transferId"]
    assert check_ledger().ok


def test_dry_run_returns_the_fee_and_books_nothing_WD_3(mids, jan, client):
    citi = "PL89103000190109780400000000"
    add_account(jan, citi, "PLN", verified=True)
    fund(jan, "300.00", "PLN")

    answer = client.post(IBAN, form(dryRun="true", submitId=None, accountNumber=citi))

    assert answer["result"] == {
        "transferId": "",
        "feeAmount": "4.00",
        "feeCurrency": "PLN",
        "transferType": "DOMESTIC",
    }
    assert not Withdrawal.objects.exists()
    key, _ = error(client.post(IBAN, form(dryRun="true", volume="400.00", submitId=None)))
    assert key == "INSUFFICIENT_FUNDS"
    assert check_ledger().ok


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        ("PL90114020045809183313901285", "ACCOUNT_NOT_DEFINED"),  # somebody else's account
        ("DE89370400440532013000", "ACCOUNT_CURRENCY_MISMATCH"),
        ("PL66124010371974792587876196", "ACCOUNT_NOT_VERIFIED"),
    ],
)
def test_any_other_account_is_refused_API_3_WD_1(mids, jan, client, account, reason):
    add_account(jan, "DE89370400440532013000", "EUR", verified=True)
    add_account(jan, "PL66124010371974792587876196", "PLN")
    fund(jan, "300.00", "PLN")

    key, data = error(client.post(IBAN, form(accountNumber=account)))

    assert (key, data["reason"]) == ("INVALID_ACCOUNT_NUMBER", reason)
    assert customer_balance(jan, "PLN").available == Money("300.00", "PLN")
    assert check_ledger().ok


def test_refusals_carry_the_reference_keys_WD_2(mids, jan, client):
    fund(jan, "50.00", "PLN")
    key, data = error(client.post(IBAN, form()))
    assert (key, data["walletBalance"]) == ("INSUFFICIENT_FUNDS", "50.00 PLN")
    actions.place_hold(jan, acting_user=None, reason="review")
    key, data = error(client.post(IBAN, form(volume="10.00")))
    assert (key, data["reason"]) == ("NOT_AUTHORIZED", "AML_HOLD")
    assert error(client.post(IBAN, form(accountNumber="12345")))[0] == "INVALID_ACCOUNT_NUMBER"
    assert error(client.post(IBAN, form(currency="XXX")))[0] == "CURRENCY_NOT_SUPPORTED"
    assert error(client.post(IBAN, form(faster="true")))[0] == "INVALID_ARGUMENTS"
    assert error(client.post(IBAN, form(volume="1.234")))[0] == "INVALID_ARGUMENTS"
    assert error(client.post(IBAN, form(transferCostInstruction=None)))[0] == "INVALID_ARGUMENTS"
    assert error(client.post(IBAN, form(submitId=None)))[0] == "INVALID_ARGUMENTS"
    # The submitId of a refused request stays free.
    actions.release_hold(jan, acting_user=None, reason="ok")
    assert client.post(IBAN, form(volume="10.00"))["success"] is True
    assert check_ledger().ok


def test_transfer_needs_the_role_and_a_signature_API_2(mids, jan):
    reader = ApiClient(make_api_key(jan, roles=[ApiRole.READER])[1])
    assert error(reader.post(IBAN, form()))[0] == "MISSING_AUTH_ROLE"
    full = ApiClient(make_api_key(jan)[1])
    assert error(full.post(IBAN, form(), sign=False))[0] == "MISSING_SIGNATURE"


def test_transfer_status_follows_the_payout_and_hides_other_customers_WD_4(
    mids, jan, other_customer, client
):
    fund(jan, "100.00", "PLN")
    result = client.post(IBAN, form(volume="40.00"))["result"]
    payout = Withdrawal.objects.get()
    actions.export_payouts()
    actions.mark_payout_returned(payout, acting_user=None, reason="account closed")

    status = client.get(STATUS, {"transferId": result["transferId"]})["result"]
    assert status["transferStatus"] == "RETURNED"
    assert status["returnReason"] == "account closed"
    assert "settledTs" in status and "returnedTs" in status

    stranger = ApiClient(make_api_key(other_customer)[1])
    key, _ = error(stranger.get(STATUS, {"transferId": result["transferId"]}))
    assert key == "TRANSACTION_NOT_FOUND"
    assert error(client.get(STATUS, {}))[0] == "INVALID_ARGUMENTS"
    assert error(client.get(STATUS, {"transferId": "x" * 36}))[0] == "TRANSACTION_NOT_FOUND"
    assert check_ledger().ok


def test_mt940_history_lists_the_days_operations_with_balances_API_1_DOC_4(mids, jan, client):
    from tests.banking.test_deposit_decisions import NOW, incoming

    actions.import_statement(incoming("R1", "1250.50", title="KND8NX4QMAQ9"), now=NOW)

    answer = client.get(MT940, {"dateFrom": NOW.date().isoformat(), "currencies": "PLN"})

    text = answer["result"]
    lines = text.split("\r\n")
    assert lines[0] == ":20:ST250310PLN/1"
    assert lines[1] == f":25:{jan.deposit_title}-PLN"
    assert lines[2] == ":28C:69/1"
    assert lines[3] == ":60F:C250310PLN0,00"
    assert lines[4].startswith(":61:2503100310C1250,50NTRFNONREF//")
    assert lines[5] == ":86:PAYIN~00PAYIN"
    assert "KND8NX4QMAQ9" in text
    assert ":62F:C250310PLN1250,50" in lines
    assert ":64:C250310PLN1250,50" in lines
    empty = client.get(MT940, {"dateFrom": "2025-03-11"})["result"]
    assert ":60F:C250311PLN1250,50" in empty and ":61:" not in empty
    assert error(client.get(MT940, {}))[0] == "INVALID_ARGUMENTS"
    bad = client.get(MT940, {"dateFrom": "2025-03-11", "dateTo": "2025-03-10"})
    assert error(bad)[0] == "INVALID_ARGUMENTS"
    assert error(client.get(MT940, {"dateFrom": "2025-03-11", "currencies": "XYZ"}))[0] == (
        "CURRENCY_NOT_SUPPORTED"
    )
    assert check_ledger().ok


def test_csv_history_for_export_DOC_4(mids, jan, client):
    from tests.banking.test_deposit_decisions import NOW, incoming

    actions.import_statement(incoming("R1", "10.00", title="KND8NX4QMAQ9"), now=NOW)

    answer = client.get(
        "/api/kantor/v1/account/history/csv",
        {"dateFrom": "2025-03-01", "dateTo": date(2025, 4, 1).isoformat()},
    )

    header, row = answer["result"].strip().split("\r\n")
    assert header.startswith("ts,historyItemId,transactionId,currency,operationType")
    assert ",PLN,PAYIN,PAYIN,10.00,10.00," in row
    assert "JAN KOWALSKI" in row and PKO in row
    assert check_ledger().ok


def test_deposit_instructions_give_the_account_title_and_a_polish_qr_code_DEP_1(jan, client):
    answer = client.get("/api/kantor/v1/deposit_instructions", {"currency": "PLN"})

    [pln] = answer["result"]
    assert pln["accountNumber"] == "PL46105010383616090881330367"
    assert pln["transferTitle"] == "KND8 NX4Q MAQ9"
    assert pln["recipientName"] == "Kantor sp. z o.o."
    assert (
        pln["qrCode"] == "|PL|46105010383616090881330367|000000|Kantor sp. z o.o.|KND8NX4QMAQ9|||"
    )
    assert pln["qrCodeSvg"].startswith("<svg")
    every = client.get("/api/kantor/v1/deposit_instructions")["result"]
    assert {i["currency"] for i in every} == {"PLN", "EUR", "USD", "GBP", "CHF"}
    assert all(i["qrCode"] is None for i in every if i["currency"] != "PLN")
    missing = client.get("/api/kantor/v1/deposit_instructions", {"currency": "JPY"})
    assert error(missing)[0] == "CURRENCY_NOT_SUPPORTED"
