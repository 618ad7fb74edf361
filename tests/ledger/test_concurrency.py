"""MON-5 under real parallelism: PostgreSQL, several connections, shared balances."""

from __future__ import annotations

import threading

import pytest

from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, LedgerTransaction, Leg
from kantor.ledger.posting import InsufficientFunds, Posting, credit, debit, post, post_many
from kantor.ledger.queries import customer_balance
from tests.factories import fund, make_customer
from tests.threads import in_threads


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

    in_threads(spend, range(2))

    assert sorted(outcomes) == ["ok", "refused"]
    assert customer_balance(customer, "PLN").available == Money("30.00", "PLN")
    assert check_ledger().ok


@pytest.mark.postgres
def test_batches_moving_money_both_ways_between_two_customers_never_deadlock_MON_5(customer):
    """``post_many`` writes a batch's legs before it locks the accounts (the
    locks are held only for the history, the balances and the commit); four
    connections booking A→B and B→A at once must neither deadlock nor lose a
    grosz."""
    other = make_customer()
    fund(customer, "500.00", "PLN")
    fund(other, "500.00", "PLN")
    a, b = accounts.available(customer, "PLN"), accounts.available(other, "PLN")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def trade(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(15):
                there, back = (a, b) if (n + i) % 2 else (b, a)
                post_many(
                    [
                        Posting(
                            f"t{n}-{i}-1", "transfer", [debit(there, "3.00"), credit(back, "3.00")]
                        ),
                        Posting(
                            f"t{n}-{i}-2", "transfer", [debit(back, "1.00"), credit(there, "1.00")]
                        ),
                    ]
                )
        except BaseException as exc:
            errors.append(exc)

    in_threads(trade, range(4), timeout=60)

    assert errors == []
    total = customer_balance(customer, "PLN").available + customer_balance(other, "PLN").available
    assert total == Money("1000.00", "PLN")
    assert LedgerTransaction.objects.filter(kind="transfer").count() == 4 * 15 * 2
    assert check_ledger().ok


def test_a_refused_batch_leaves_no_leg_behind_MON_5(customer):
    """The legs go in before the balances are checked; a refusal rolls them back."""
    fund(customer, "10.00", "PLN")
    available = accounts.available(customer, "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    legs = Leg.objects.count()
    with pytest.raises(InsufficientFunds):
        post_many(
            [
                Posting("ok-part", "withdrawal", [debit(available, "6.00"), credit(bank, "6.00")]),
                Posting("too-much", "withdrawal", [debit(available, "6.00"), credit(bank, "6.00")]),
            ]
        )
    assert Leg.objects.count() == legs
    assert not LedgerTransaction.objects.filter(
        idempotency_key__in=["ok-part", "too-much"]
    ).exists()
    assert customer_balance(customer, "PLN").available == Money("10.00", "PLN")
    assert check_ledger().ok
