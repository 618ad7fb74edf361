"""Random statements never create or lose money, and re-importing one is a no-op (MON-4, DEP-2).

Each example builds a statement from a small world (three customers with
their titles and accounts, strangers, mangled titles, outgoing entries),
writes it in one of the three formats with the renderers the parsers are
proven against, imports it twice, and checks:

* the ledger balances (check_ledger);
* every incoming złoty is in exactly one place: a customer's balance,
  pending review, suspense, or refunds payable — and the client bank
  account holds exactly the incoming total (nothing outgoing matched a
  payout, so nothing left);
* the second import is all duplicates and books nothing.

Examples run inside a savepoint that is rolled back, so each starts clean.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.banking import actions
from kantor.banking.models import BankEntry, Deposit
from kantor.banking.statements import (
    Direction,
    Statement,
    StatementLine,
    render_camt053,
    render_csv,
    render_mt940,
)
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import Account, AccountKind, LedgerTransaction

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
OPERATOR = {"PLN": "PL46105010383616090881330367", "EUR": "PL58105010383279248019632235"}
_refs = itertools.count(1)

TITLES = st.sampled_from(
    [
        "KND8NX4QMAQ9",  # Jan
        "wplata knd8 nx4q maq9",  # Jan, mangled by a person
        "KNDES52XG47C faktura 12/2025",  # the company
        "KNDB4CYW7KR6",  # Anna
        "KND8NX4QMAQ8",  # a typo: the check symbol catches it
        "KNDES52XG47C KND8NX4QMAQ9",  # two customers' titles: ambiguous
        "",
        "za obiad",
    ]
)
SENDERS = st.sampled_from(
    [
        ("JAN KOWALSKI", "PL62102010268172805693166101"),
        ("ZAKŁAD USŁUG KSIĘGOWYCH BILANS SP. Z O.O.", "PL66124010371974792587876196"),
        ("Anna Nowak-Wiśniewska", "DE89370400440532013000"),
        ("TOMASZ WÓJCIK", "PL62102010268172805693166101"),
        ("EWA LEWANDOWSKA", "PL90114020045809183313901285"),
        ("", ""),
    ]
)
AMOUNTS = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2, allow_nan=False
)


@st.composite
def lines(draw, cur: str):
    direction = draw(st.sampled_from([Direction.CREDIT] * 4 + [Direction.DEBIT]))
    name, account = draw(SENDERS)
    day = date(2025, 3, draw(st.integers(3, 7)))
    return StatementLine(
        bank_reference=f"P{next(_refs)}",
        account_iban=OPERATOR[cur],
        booking_date=day,
        value_date=day,
        amount=draw(AMOUNTS),
        direction=direction,
        currency=cur,
        counterparty_name=name,
        counterparty_account=account,
        title=draw(TITLES),
    )


@st.composite
def statement_files(draw):
    cur = draw(st.sampled_from(["PLN", "EUR"]))
    entries = tuple(draw(st.lists(lines(cur), min_size=1, max_size=8)))
    statement = Statement(
        statement_id=f"ST{next(_refs)}",
        account_iban=OPERATOR[cur],
        currency=cur,
        opening_balance=Decimal("1000000.00"),
        closing_balance=None,
        lines=entries,
    )
    fmt = draw(st.sampled_from(["csv", "mt940", "camt053"]))
    if fmt == "csv":
        return render_csv([statement]).encode(), statement
    if fmt == "mt940":
        return render_mt940([statement]).encode("utf-8"), statement
    return render_camt053([statement]), statement


def _balance(kind: AccountKind, cur: str) -> int:
    account = Account.objects.filter(kind=kind, currency=cur, customer=None).first()
    return account.balance_minor if account else 0


def _customers_total(cur: str) -> int:
    return sum(
        a.balance_minor
        for a in Account.objects.filter(
            currency=cur,
            kind__in=(AccountKind.CUSTOMER_AVAILABLE, AccountKind.CUSTOMER_RESERVED),
        )
    )


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=25)
@given(data=statement_files())
def test_random_statements_never_create_or_lose_money_and_reimport_is_a_no_op_MON_4_DEP_2(
    mids, jan, bilans, anna, data
):
    content, statement = data
    cur = statement.currency
    credits = sum(
        int(line.amount * 100) for line in statement.lines if line.direction is Direction.CREDIT
    )
    try:
        with transaction.atomic():
            first = actions.import_statement(content, now=NOW)
            assert first.duplicates == 0
            assert first.entries == len(statement.lines)
            assert check_ledger().ok
            # Every incoming minor unit is in exactly one place...
            held = (
                _customers_total(cur)
                + _balance(AccountKind.PENDING_DEPOSITS, cur)
                + _balance(AccountKind.SUSPENSE, cur)
                + _balance(AccountKind.REFUNDS_PAYABLE, cur)
                + _balance(AccountKind.FEE_INCOME, cur)
            )
            assert held == credits
            # ...and the client account holds exactly what came in (no payout matched).
            assert _balance(AccountKind.CLIENT_BANK, cur) == credits
            assert Deposit.objects.count() == sum(
                line.direction is Direction.CREDIT for line in statement.lines
            )
            transactions = LedgerTransaction.objects.count()

            second = actions.import_statement(content, now=NOW)

            assert second.duplicates == second.entries == len(statement.lines)
            assert LedgerTransaction.objects.count() == transactions
            assert BankEntry.objects.count() == len(statement.lines)
            assert check_ledger().ok
            raise _Rollback
    except _Rollback:
        pass
