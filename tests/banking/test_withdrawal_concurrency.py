"""WD-2, MON-5 under real parallelism: two simultaneous withdrawals of the same funds."""

from __future__ import annotations

import threading

import pytest

from kantor.banking import actions
from kantor.banking.errors import BankingError
from kantor.banking.models import Withdrawal
from kantor.domain.money import Money
from kantor.ledger.invariants import check_ledger
from kantor.ledger.queries import customer_balance
from tests.factories import fund
from tests.threads import in_threads


@pytest.mark.postgres
def test_two_simultaneous_withdrawals_of_the_same_funds_exactly_one_succeeds_WD_2(mids, jan):
    fund(jan, "100.00", "PLN")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def withdraw(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            actions.request_withdrawal(
                jan, jan.pko, Money("70.00", "PLN"), idempotency_key=f"race-{n}"
            )
            outcomes.append("ok")
        except BankingError as refused:
            outcomes.append(refused.code)

    in_threads(withdraw, range(2))

    assert sorted(outcomes) == ["INSUFFICIENT_FUNDS", "ok"]
    assert Withdrawal.objects.count() == 1
    balance = customer_balance(jan, "PLN")
    assert (balance.available, balance.reserved) == (Money("30.00", "PLN"), Money("70.00", "PLN"))
    assert check_ledger().ok


@pytest.mark.postgres
def test_the_same_statement_imported_twice_at_once_books_once_DEP_2(mids, jan):
    from tests.banking.test_deposit_decisions import incoming

    data = incoming("RACE-1", "10.00", title="KND8NX4QMAQ9")
    barrier = threading.Barrier(2)
    summaries = []

    def run(_) -> None:
        barrier.wait(timeout=10)
        summaries.append(actions.import_statement(data))

    in_threads(run, range(2))

    assert sorted((s.booked, s.duplicates) for s in summaries) == [(0, 1), (1, 0)]
    assert customer_balance(jan, "PLN").available == Money("10.00", "PLN")
    assert check_ledger().ok
