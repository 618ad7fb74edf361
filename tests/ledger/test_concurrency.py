"""MON-5 under real parallelism: PostgreSQL, two connections, one balance."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind
from kantor.ledger.posting import InsufficientFunds, Posting, credit, debit, post
from kantor.ledger.queries import customer_balance
from tests.factories import fund


@pytest.mark.postgres
def test_two_connections_spending_the_same_balance_exactly_one_succeeds_MON_5(customer):
    fund(customer, "100.00", "PLN")
    available = accounts.available(customer, "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def spend(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            post(
                Posting(
                    f"spend-{n}",
                    "withdrawal",
                    [debit(available, "70.00"), credit(bank, "70.00")],
                )
            )
            outcomes.append("ok")
        except InsufficientFunds:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert customer_balance(customer, "PLN").available == Money("30.00", "PLN")
    assert check_ledger().ok
