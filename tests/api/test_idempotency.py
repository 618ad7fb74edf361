"""API-1 submitId and dryRun, proven on a real submitting endpoint (a donation
booked in the ledger, ``tests/api/testing_api.py``) built with ``submit``."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from kantor.api.models import Submission
from kantor.customers.models import ApiRole
from kantor.domain.money import Money
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import HistoryItem, LedgerTransaction
from kantor.ledger.queries import customer_balance
from tests.api import testing_api
from tests.api.client import ApiClient, make_api_key, rsa_key, timestamp
from tests.factories import fund
from tests.threads import in_threads

DONATE = "/api/test/donate"


def error_key(answer: dict) -> str:
    assert answer["success"] is False, answer
    return answer["errors"][0]["key"]


def donations() -> int:
    return LedgerTransaction.objects.filter(kind="test_donation").count()


@pytest.fixture
def funded(customer):
    fund(customer, "100.00", "PLN")
    return customer


def test_first_submission_executes_and_answers_duplicate_false_API_1(funded, client, api_key):
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10.00", "submitId": "sub-1"})
    assert answer["success"] is True
    assert answer["duplicate"] is False
    assert list(answer) == ["success", "duplicate", "result"]
    tx = LedgerTransaction.objects.get(kind="test_donation")
    assert answer["result"] == {"transferId": str(tx.pk), "feeAmount": "0.00", "feeCurrency": "PLN"}
    assert customer_balance(funded, "PLN").available == Money("90.00", "PLN")
    item = HistoryItem.objects.get(transaction=tx)
    assert (tx.submit_id, tx.ordered_by) == ("sub-1", f"API/{api_key[0].prefix[:5]}…")
    assert item.amount == Money("-10.00", "PLN")
    assert check_ledger().ok


def test_same_request_again_replays_the_first_answer_and_executes_nothing_API_1(funded, client):
    data = {"currency": "PLN", "volume": "10.00", "submitId": "sub-1"}
    first = client.post(DONATE, data)
    # Same parameters in another order, with dryRun=false spelled out: the same request.
    again = client.post(DONATE, "submitId=sub-1&dryRun=false&volume=10.00&currency=PLN")
    assert again == {**first, "duplicate": True}
    assert donations() == 1
    assert customer_balance(funded, "PLN").available == Money("90.00", "PLN")


def test_different_request_under_a_used_submit_id_is_refused_API_1(funded, client):
    client.post(DONATE, {"currency": "PLN", "volume": "10.00", "submitId": "sub-1"})
    answer = client.post(DONATE, {"currency": "PLN", "volume": "20.00", "submitId": "sub-1"})
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert answer["duplicate"] is False
    assert answer["errors"][0]["errorData"] == [{"key": "submitId", "value": "sub-1"}]
    assert donations() == 1


def test_submit_ids_are_per_customer_API_1(funded, other_customer, client):
    fund(other_customer, "100.00", "PLN")
    _, raw = make_api_key(other_customer)
    data = {"currency": "PLN", "volume": "10.00", "submitId": "shared-id"}
    assert client.post(DONATE, data)["duplicate"] is False
    assert ApiClient(raw).post(DONATE, data)["duplicate"] is False
    assert donations() == 2


def test_a_refused_operation_leaves_its_submit_id_free_API_1(customer, client):
    data = {"currency": "PLN", "volume": "10.00", "submitId": "sub-2"}
    assert error_key(client.post(DONATE, data)) == "INSUFFICIENT_FUNDS"
    assert not Submission.objects.exists()
    fund(customer, "10.00", "PLN")
    answer = client.post(DONATE, data)
    assert answer["success"] is True and answer["duplicate"] is False
    assert customer_balance(customer, "PLN").available == Money("0.00", "PLN")


def test_insufficient_funds_names_the_wallet_balance_MON_5(customer, client):
    fund(customer, "3.14", "PLN")
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10.00", "submitId": "sub-3"})
    assert error_key(answer) == "INSUFFICIENT_FUNDS"
    assert answer["errors"][0]["errorData"] == [{"key": "walletBalance", "value": "3.14 PLN"}]
    assert "{walletBalance}" in answer["errors"][0]["description"]


def test_submit_id_is_required_unless_dry_run_API_1(funded, client):
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10.00"})
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert answer["errors"][0]["errorData"] == [{"key": "submitId", "value": "required"}]


@pytest.mark.parametrize("submit_id", ["has space", "x" * 37, "zażółć", "a/b"])
def test_submit_id_must_match_the_reference_pattern_API_1(funded, client, submit_id):
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10.00", "submitId": submit_id})
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert answer["errors"][0]["errorData"][0]["key"] == "submitId"


def test_dry_run_answers_with_empty_ids_executes_and_stores_nothing_API_1(funded, client):
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10.00", "dryRun": "true"})
    assert answer == {
        "success": True,
        "duplicate": False,
        "result": {"transferId": "", "feeAmount": "0.00", "feeCurrency": "PLN"},
    }
    assert donations() == 0
    assert not Submission.objects.exists()
    assert customer_balance(funded, "PLN").available == Money("100.00", "PLN")


def test_dry_run_still_checks_that_the_operation_is_possible_API_1(customer, client):
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10.00", "dryRun": "true"})
    assert error_key(answer) == "INSUFFICIENT_FUNDS"


def test_dry_run_must_not_carry_a_submit_id_API_1(funded, client):
    answer = client.post(
        DONATE, {"currency": "PLN", "volume": "10.00", "dryRun": "true", "submitId": "x1"}
    )
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert answer["errors"][0]["errorData"] == [{"key": "submitId", "value": "x1"}]
    assert donations() == 0


def test_dry_run_needs_no_signature_but_a_present_one_is_verified_API_2(funded, api_key):
    unsigned = ApiClient(api_key[1])
    data = {"currency": "PLN", "volume": "10.00", "dryRun": "true"}
    assert unsigned.post(DONATE, data, sign=False)["success"] is True
    impostor = ApiClient(api_key[1], rsa_key(1))
    assert error_key(impostor.post(DONATE, data)) == "INVALID_SIGNATURE"


def test_a_real_submission_must_be_signed_API_2(funded, client):
    data = {"currency": "PLN", "volume": "10.00", "submitId": "unsigned"}
    answer = client.post(DONATE, data, sign=False)
    assert error_key(answer) == "MISSING_SIGNATURE"
    assert answer["duplicate"] is False
    assert donations() == 0


def test_submitting_needs_the_endpoint_role_API_2(funded):
    _, raw = make_api_key(funded, roles=[ApiRole.READER])
    data = {"currency": "PLN", "volume": "10.00", "submitId": "role"}
    assert error_key(ApiClient(raw).post(DONATE, data)) == "MISSING_AUTH_ROLE"


def test_malformed_form_is_invalid_arguments_API_1(funded, client):
    answer = client.post(DONATE, {"currency": "PLN", "volume": "10,5", "submitId": "bad"})
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert {d["key"] for d in answer["errors"][0]["errorData"]} == {"volume"}


def test_unknown_currency_in_a_form_is_not_supported_API_1(funded, client):
    answer = client.post(DONATE, {"currency": "XYZ", "volume": "1.00", "submitId": "cur"})
    assert error_key(answer) == "CURRENCY_NOT_SUPPORTED"


def _wait_until_another_backend_waits_for_a_lock(deadline: float) -> bool:
    """PostgreSQL: true once another connection is blocked on a lock (our unique index).

    The hook runs inside the first request's transaction, and PostgreSQL keeps
    one snapshot of ``pg_stat_activity`` per transaction: without clearing it,
    a first look taken before the second request blocked would be all we see.
    """
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.01)
    return False


@pytest.mark.postgres
def test_two_simultaneous_requests_with_one_submit_id_execute_once_API_1(customer, api_key):
    """The second request blocks on the Submission's unique index while the first
    runs; once the first commits it replays the first answer."""
    fund(customer, "100.00", "PLN")
    saw_waiter: list[bool] = []
    testing_api.before_execute.append(
        lambda: saw_waiter.append(
            _wait_until_another_backend_waits_for_a_lock(time.monotonic() + 10)
        )
    )
    barrier = threading.Barrier(2)
    answers: list[dict] = []
    body = "currency=PLN&volume=70.00&submitId=race-1"

    # Two signatures: the same key, body and millisecond would be one (a replay).
    now = datetime.now(UTC)
    stamps = [timestamp(now + timedelta(milliseconds=n), millis=True) for n in range(2)]

    def send(ts: str) -> None:
        client = ApiClient(api_key[1])
        barrier.wait(timeout=10)
        answers.append(client.post(DONATE, body, ts=ts))

    try:
        in_threads(send, stamps)
    finally:
        testing_api.before_execute.clear()

    assert [a["success"] for a in answers] == [True, True], answers
    assert saw_waiter == [True], "the second request never waited for the first"
    assert sorted(a["duplicate"] for a in answers) == [False, True]
    assert answers[0]["result"] == answers[1]["result"]
    assert donations() == 1
    assert customer_balance(customer, "PLN").available == Money("30.00", "PLN")
    assert check_ledger().ok
