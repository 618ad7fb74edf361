"""MON-4/MON-5 as properties: random postings neither create nor lose money."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import Account, AccountKind
from kantor.ledger.operations import Operation
from kantor.ledger.posting import InsufficientFunds, Posting, credit, debit, post
from tests.factories import make_customer

CURRENCIES = ("PLN", "EUR")
amounts = st.integers(min_value=1, max_value=500_00)


class LedgerMachine(RuleBasedStateMachine):
    """A model of who holds what, checked against the database after every step.

    Each example runs in a savepoint that teardown rolls back.
    """

    @initialize()
    def open_books(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.customers = [make_customer() for _ in range(3)]
        self.model: dict[tuple[int, str, str], int] = defaultdict(int)  # (cust, cur, kind)
        self.bank: dict[str, int] = defaultdict(int)
        self.fees: dict[str, int] = defaultdict(int)
        self.n = 0

    def teardown(self):
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def _post(self, kind, entries) -> bool:
        self.n += 1
        try:
            post(Posting(f"prop-{self.n}", kind, entries))
        except InsufficientFunds:
            return False
        return True

    @rule(c=st.integers(0, 2), cur=st.sampled_from(CURRENCIES), minor=amounts)
    def deposit(self, c, cur, minor):
        cust = self.customers[c]
        amt = Money.from_minor(minor, cur)
        self._post(
            "deposit",
            [
                debit(accounts.operator_account(AccountKind.CLIENT_BANK, cur), amt),
                credit(accounts.available(cust, cur), amt, Operation.PAYIN),
            ],
        )
        self.model[(cust.pk, cur, "available")] += minor
        self.bank[cur] += minor

    @rule(c=st.integers(0, 2), cur=st.sampled_from(CURRENCIES), minor=amounts)
    def withdraw(self, c, cur, minor):
        cust = self.customers[c]
        amt = Money.from_minor(minor, cur)
        ok = self._post(
            "withdrawal",
            [
                debit(accounts.available(cust, cur), amt, Operation.PAYOUT),
                credit(accounts.operator_account(AccountKind.CLIENT_BANK, cur), amt),
            ],
        )
        assert ok == (self.model[(cust.pk, cur, "available")] >= minor)
        if ok:
            self.model[(cust.pk, cur, "available")] -= minor
            self.bank[cur] -= minor

    @rule(
        c=st.integers(0, 2), cur=st.sampled_from(CURRENCIES), minor=amounts, release=st.booleans()
    )
    def reserve_or_release(self, c, cur, minor, release):
        cust = self.customers[c]
        amt = Money.from_minor(minor, cur)
        src, dst = ("reserved", "available") if release else ("available", "reserved")
        acc = {"available": accounts.available, "reserved": accounts.reserved}
        ok = self._post(
            "reserve", [debit(acc[src](cust, cur), amt), credit(acc[dst](cust, cur), amt)]
        )
        assert ok == (self.model[(cust.pk, cur, src)] >= minor)
        if ok:
            self.model[(cust.pk, cur, src)] -= minor
            self.model[(cust.pk, cur, dst)] += minor

    @rule(
        a=st.integers(0, 2),
        b=st.integers(0, 2),
        cur=st.sampled_from(CURRENCIES),
        minor=amounts,
        fee=st.integers(0, 100),
    )
    def pay_with_fee(self, a, b, cur, minor, fee):
        if a == b:
            return
        ca, cb = self.customers[a], self.customers[b]
        entries = [
            debit(accounts.available(ca, cur), Money.from_minor(minor, cur), Operation.INTERNAL),
            credit(accounts.available(cb, cur), Money.from_minor(minor, cur), Operation.INTERNAL),
        ]
        if fee:
            entries += [
                debit(
                    accounts.available(ca, cur), Money.from_minor(fee, cur), Operation.PAYOUT_FEE
                ),
                credit(
                    accounts.operator_account(AccountKind.FEE_INCOME, cur),
                    Money.from_minor(fee, cur),
                ),
            ]
        ok = self._post("transfer", entries)
        assert ok == (self.model[(ca.pk, cur, "available")] >= minor + fee)
        if ok:
            self.model[(ca.pk, cur, "available")] -= minor + fee
            self.model[(cb.pk, cur, "available")] += minor
            self.fees[cur] += fee

    @invariant()
    def money_is_neither_created_nor_lost(self):
        if not hasattr(self, "customers"):
            return
        for cur in CURRENCIES:
            held = Account.objects.filter(currency=cur, kind=AccountKind.CLIENT_BANK)
            owed = sum(
                a.balance_minor
                for a in Account.objects.filter(currency=cur).exclude(kind=AccountKind.CLIENT_BANK)
            )
            assert sum(a.balance_minor for a in held) == owed == self.bank[cur]
        for cust in self.customers:
            for cur in CURRENCIES:
                for kind, fn in (
                    ("available", accounts.available),
                    ("reserved", accounts.reserved),
                ):
                    assert fn(cust, cur).balance_minor == self.model[(cust.pk, cur, kind)]

    @invariant()
    def ledger_check_passes(self):
        if not hasattr(self, "customers"):
            return
        problems = [p for p in check_ledger().problems if "open orders and withdrawals" not in p]
        assert not problems


LedgerMachine.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None)


@pytest.mark.django_db
def test_random_postings_neither_create_nor_lose_money_MON_4_MON_5():
    LedgerMachine.TestCase("runTest").runTest()
