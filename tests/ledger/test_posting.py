"""Worked examples of the ledger, each ending with the accounting check (MON-4, MON-5)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError

from kantor.domain.money import Money
from kantor.ledger import accounts, reservations
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, HistoryItem, LedgerTransaction, Leg
from kantor.ledger.operations import Operation
from kantor.ledger.posting import (
    DuplicatePosting,
    InsufficientFunds,
    Posting,
    Unbalanced,
    assert_transactions_balance,
    credit,
    debit,
    post,
    post_many,
)
from kantor.ledger.queries import customer_balance
from tests.factories import fund


def assert_books_balance():
    report = check_ledger()
    assert report.ok, report.problems


@pytest.fixture
def reserved_for_test(monkeypatch):
    """Plays the part of the market app: says what open orders reserve."""
    held: dict = {}
    monkeypatch.setitem(reservations._sources, "test", lambda: held)
    return held


def test_deposit_credits_the_customer_and_the_client_bank_MON_4(customer):
    fund(customer, "1000.00", "PLN")

    balance = customer_balance(customer, "PLN")
    assert balance.available == Money("1000.00", "PLN")
    assert accounts.operator_account(AccountKind.CLIENT_BANK, "PLN").balance == Money(
        "1000.00", "PLN"
    )
    item = HistoryItem.objects.get(customer=customer)
    assert (item.operation_type, item.amount, item.balance_after) == (
        "PAYIN",
        Money("1000.00", "PLN"),
        Money("1000.00", "PLN"),
    )
    assert_books_balance()


def test_reservation_moves_funds_out_of_available_without_a_history_item_MON_5(
    customer, reserved_for_test
):
    fund(customer, "1000.00", "PLN")
    post(
        Posting(
            "order-1-reserve",
            "reserve",
            [
                debit(accounts.available(customer, "PLN"), Money("400.00", "PLN")),
                credit(accounts.reserved(customer, "PLN"), Money("400.00", "PLN")),
            ],
        )
    )
    reserved_for_test[(customer.pk, "PLN")] = 40000

    balance = customer_balance(customer, "PLN")
    assert (balance.available, balance.reserved) == (Money("600.00", "PLN"), Money("400.00", "PLN"))
    assert HistoryItem.objects.filter(customer=customer).count() == 1  # the deposit only
    assert_books_balance()


def test_trade_between_two_customers_balances_per_currency_through_trading_accounts_MON_4(
    customer, other_customer
):
    """A sells 100 EUR to B at 4.3000; each pays a 0.2% fee in what they receive."""
    fund(customer, "100.00", "EUR")
    fund(other_customer, "430.00", "PLN")
    eur, pln = "EUR", "PLN"
    trading_eur = accounts.operator_account(AccountKind.TRADING, eur)
    trading_pln = accounts.operator_account(AccountKind.TRADING, pln)
    post(
        Posting(
            "trade-1",
            "trade",
            [
                debit(accounts.available(customer, eur), Money("100.00", eur), Operation.MARKET_FX),
                credit(trading_eur, Money("100.00", eur)),
                debit(trading_pln, Money("430.00", pln)),
                credit(
                    accounts.available(customer, pln), Money("430.00", pln), Operation.MARKET_FX
                ),
                debit(
                    accounts.available(customer, pln), Money("0.86", pln), Operation.MARKET_FX_FEE
                ),
                credit(accounts.operator_account(AccountKind.FEE_INCOME, pln), Money("0.86", pln)),
                debit(accounts.available(other_customer, pln), Money("430.00", pln), "MARKET_FX"),
                credit(trading_pln, Money("430.00", pln)),
                debit(trading_eur, Money("100.00", eur)),
                credit(accounts.available(other_customer, eur), Money("100.00", eur), "MARKET_FX"),
                debit(accounts.available(other_customer, eur), Money("0.20", eur), "MARKET_FX_FEE"),
                credit(accounts.operator_account(AccountKind.FEE_INCOME, eur), Money("0.20", eur)),
            ],
        )
    )
    assert customer_balance(customer, pln).available == Money("429.14", pln)
    assert customer_balance(other_customer, eur).available == Money("99.80", eur)
    assert trading_eur.balance.amount == 0 and trading_pln.balance.amount == 0
    items = HistoryItem.objects.filter(customer=customer, currency=pln).order_by("id")
    assert [(i.operation_detailed_type, str(i.amount), str(i.balance_after)) for i in items] == [
        ("MARKET_FX", "430.00 PLN", "430.00 PLN"),
        ("MARKET_FX_FEE", "-0.86 PLN", "429.14 PLN"),
    ]
    assert items[1].operation_type == "COMMISSION"
    assert_books_balance()


def test_spending_more_than_available_is_refused_and_books_nothing_MON_5(customer):
    fund(customer, "50.00", "PLN")
    before = (LedgerTransaction.objects.count(), Leg.objects.count())
    with pytest.raises(InsufficientFunds) as err:
        post(
            Posting(
                "withdraw-too-much",
                "withdrawal",
                [
                    debit(accounts.available(customer, "PLN"), Money("50.01", "PLN")),
                    credit(accounts.operator_account(AccountKind.CLIENT_BANK, "PLN"), "50.01"),
                ],
            )
        )
    assert err.value.available == Money("50.00", "PLN")
    assert (LedgerTransaction.objects.count(), Leg.objects.count()) == before
    assert customer_balance(customer, "PLN").available == Money("50.00", "PLN")
    assert_books_balance()


def test_the_same_idempotency_key_never_books_twice_MON_4(customer):
    fund(customer, "10.00", "EUR", key="statement:REF-1")
    with pytest.raises(DuplicatePosting):
        fund(customer, "10.00", "EUR", key="statement:REF-1")
    assert customer_balance(customer, "EUR").available == Money("10.00", "EUR")
    assert_books_balance()


def test_an_unbalanced_posting_is_refused_before_the_database_MON_4(customer):
    with pytest.raises(Unbalanced):
        post(
            Posting(
                "bad",
                "deposit",
                [
                    debit(accounts.operator_account(AccountKind.CLIENT_BANK, "PLN"), "10.00"),
                    credit(accounts.available(customer, "PLN"), "9.99"),
                ],
            )
        )
    with pytest.raises(Unbalanced):  # currencies balance separately
        post(
            Posting(
                "bad2",
                "deposit",
                [
                    debit(accounts.operator_account(AccountKind.CLIENT_BANK, "PLN"), "10.00"),
                    credit(accounts.available(customer, "EUR"), "10.00"),
                ],
            )
        )


def _raw_unbalanced_legs(customer):
    tx = LedgerTransaction.objects.create(
        idempotency_key="raw", kind="raw", created_at="2026-01-01T00:00Z"
    )
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    Leg.objects.bulk_create(
        [
            Leg(transaction=tx, account=bank, currency="PLN", amount_minor=100),
            Leg(
                transaction=tx,
                account=accounts.available(customer, "PLN"),
                currency="PLN",
                amount_minor=-99,
            ),
        ]
    )
    return tx


def test_the_database_refuses_unbalanced_legs_written_around_the_code_MON_4(customer):
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            _raw_unbalanced_legs(customer)
    else:
        with transaction.atomic():
            tx = _raw_unbalanced_legs(customer)
            with pytest.raises(Unbalanced):
                assert_transactions_balance([tx.pk])
            transaction.set_rollback(True)


@pytest.mark.postgres
def test_postgres_refuses_changing_a_posted_leg_MON_4(customer):
    fund(customer, "10.00", "PLN")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        Leg.objects.update(amount_minor=1)


def test_check_finds_a_balance_tampered_with_outside_the_ledger(customer):
    fund(customer, "10.00", "PLN")
    acc = accounts.available(customer, "PLN")
    type(acc).objects.filter(pk=acc.pk).update(balance_minor=99999)
    report = check_ledger()
    assert not report.ok
    assert any("balance 99999 != legs 1000" in p for p in report.problems)


def test_check_finds_reserved_funds_no_order_holds_MON_5(customer):
    fund(customer, "10.00", "PLN")
    post(
        Posting(
            "orphan-reservation",
            "reserve",
            [
                debit(accounts.available(customer, "PLN"), "4.00"),
                credit(accounts.reserved(customer, "PLN"), "4.00"),
            ],
        )
    )
    report = check_ledger()
    assert any("reserved 400, open orders and withdrawals hold 0" in p for p in report.problems)


@pytest.mark.postgres
def test_postgres_refuses_legs_added_to_a_posted_transaction_MON_4(customer):
    tx = fund(customer, "10.00", "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    extra = [
        Leg(transaction=tx, account=bank, currency="PLN", amount_minor=500),
        Leg(
            transaction=tx,
            account=accounts.available(customer, "PLN"),
            currency="PLN",
            amount_minor=-500,
        ),
    ]
    with pytest.raises(IntegrityError, match="posted transaction"), transaction.atomic():
        Leg.objects.bulk_create(extra)


@pytest.mark.postgres
def test_postgres_balance_check_finds_legs_by_index_on_a_small_ledger_MON_4(customer):
    """On a ledger without statistics (never analysed: a new database, or
    autovacuum off) the planner took the legs of a batch of a hundred
    transactions for half the table and scanned every leg, on each insert,
    and PL/pgSQL kept that plan for the connection's life. The check must
    find the legs by index whatever the statistics say."""

    def leg_scans() -> int:  # this transaction's sequential scans of ledger_leg
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'ledger_leg'"
            )
            row = cursor.fetchone()
        return row[0] if row else 0

    fund(customer, "1.00", "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN").pk
    mine = accounts.available(customer, "PLN").pk
    with connection.cursor() as cursor:  # a ledger of a few thousand legs, never analysed
        cursor.execute(
            "INSERT INTO ledger_ledgertransaction (id, idempotency_key, kind, description, "
            "created_at, submit_id, ordered_by, details) SELECT md5(g::text)::uuid, "
            "'filler-' || g, 'filler', '', now(), '', '', '{}' FROM generate_series(1, 2000) g"
        )
        cursor.execute(
            "INSERT INTO ledger_leg (transaction_id, account_id, currency, amount_minor, "
            "operation) SELECT md5(g::text)::uuid, a.id, 'PLN', a.amount, 'filler' "
            "FROM generate_series(1, 2000) g, (VALUES (%s, 1), (%s, -1)) AS a(id, amount)",
            [bank, mine],
        )
    bank_account = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    available = accounts.available(customer, "PLN")
    with transaction.atomic():
        before = leg_scans()
        for batch in range(8):  # past the five custom plans PL/pgSQL tries first
            post_many(  # a matcher's batch: many transactions' legs in one statement
                [
                    Posting(
                        f"scan-{batch}-{n}",
                        "deposit",
                        [debit(bank_account, "1.00"), credit(available, "1.00")],
                    )
                    for n in range(100)
                ]
            )
        assert leg_scans() == before


def _withdraw(customer, key: str, amount: str) -> Posting:
    available = accounts.available(customer, "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    return Posting(key, "withdrawal", [debit(available, amount), credit(bank, amount)])


def test_a_caller_may_catch_a_refusal_and_go_on_in_its_transaction_MON_5(customer):
    """By default ``post_many`` books inside a savepoint: a refused batch
    (its legs already written) rolls back alone."""
    fund(customer, "10.00", "PLN")
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            post_many([_withdraw(customer, "too-much", "50.00")])
        post_many([_withdraw(customer, "fits", "4.00")])
    assert customer_balance(customer, "PLN").available == Money("6.00", "PLN")
    assert not LedgerTransaction.objects.filter(idempotency_key="too-much").exists()
    assert_books_balance()


def test_without_a_savepoint_a_refusal_fails_the_callers_transaction_MON_5(customer):
    """``savepoint=False`` (a group of orders, a matcher batch): nothing of the
    caller's transaction may be used or committed after a refusal."""
    fund(customer, "10.00", "PLN")
    with pytest.raises(TransactionManagementError), transaction.atomic():
        post_many([_withdraw(customer, "first", "4.00")])
        with pytest.raises(InsufficientFunds):
            post_many([_withdraw(customer, "too-much", "50.00")], savepoint=False)
        post_many([_withdraw(customer, "after", "1.00")])
    assert customer_balance(customer, "PLN").available == Money("10.00", "PLN")
    assert not LedgerTransaction.objects.filter(kind="withdrawal").exists()
    assert_books_balance()
