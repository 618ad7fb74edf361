"""Posting money: the only code that writes legs and balances (MON-4, MON-5).

Every movement of money in Kantor is a ``Posting``: a list of debit and credit
entries that sums to zero per currency, with an idempotency key. ``post`` and
``post_batch`` book postings atomically:

1. validate in Python (balanced per currency, entries in their account's
   currency, no zero legs, no duplicate keys);
2. insert the transactions and legs (all of a batch in one statement, which
   PostgreSQL's statement trigger checks): they need no balance, so they go
   in before the locks, which are then held only for what follows;
3. lock every touched account — and the customer's sibling available/reserved
   accounts, whose sum is the history's ``balanceAfter`` — in primary-key
   order, so two postings can never deadlock (Saleor's rule); on PostgreSQL
   ``FOR NO KEY UPDATE`` (only ``balance_minor`` changes; the legs' deferred
   foreign-key checks, ``KEY SHARE``, never wait for it);
4. apply the postings in order to the locked balances, refusing one that
   would take a non-negative account below zero (``InsufficientFunds``: the
   transaction, legs included, rolls back);
5. insert the history items and update the balances.

Order acceptance and the market's matcher wait for each other's account
locks; keeping the legs out of the locked window made the durable market a
third faster (docs/PERFORMANCE.md). ``post_many`` is the implementation,
with plain rows (the hot paths call it directly); ``post_batch`` returns
model instances and ``post`` is a batch of one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from kantor.core.ids import uuid4s
from kantor.domain.money import Money, currency

from . import writer
from .models import Account, AccountKind, LedgerTransaction
from .operations import Operation, operation_type

__all__ = [
    "DuplicatePosting",
    "Entry",
    "InsufficientFunds",
    "LedgerError",
    "Posting",
    "Unbalanced",
    "credit",
    "debit",
    "post",
    "post_batch",
    "post_many",
]

_HISTORY_KINDS = (AccountKind.CUSTOMER_AVAILABLE, AccountKind.CUSTOMER_RESERVED)


class LedgerError(Exception):
    code = "LEDGER_ERROR"


class Unbalanced(LedgerError):
    code = "UNBALANCED"


class DuplicatePosting(LedgerError):
    """The idempotency key was booked before: nothing was booked now."""

    code = "DUPLICATE"

    def __init__(self, key: str):
        super().__init__(f"already posted: {key}")
        self.key = key


class InsufficientFunds(LedgerError):
    """MON-5: the posting would take a non-negative account below zero."""

    code = "INSUFFICIENT_FUNDS"

    def __init__(self, account: Account, balance_minor: int, needed_minor: int):
        self.account = account
        self.available = Money.from_minor(balance_minor, account.currency)
        self.needed = Money.from_minor(needed_minor, account.currency)
        super().__init__(f"{account}: balance {self.available}, needs {self.needed}")


@dataclass(frozen=True, slots=True)
class Entry:
    account: Account
    #: Debit positive, credit negative, in the account currency's minor units.
    amount_minor: int
    operation: str = ""


def _minor(account: Account, amount: Money | Decimal | str) -> int:
    if isinstance(amount, Money):
        if amount.currency.code != account.currency:
            raise Unbalanced(f"{amount} posted to a {account.currency} account")
        minor = amount.minor
    else:
        minor = currency(account.currency).to_minor(Decimal(amount))
    if minor <= 0:
        raise LedgerError(f"entry amounts must be positive, got {amount}")
    return minor


def debit(account: Account, amount: Money | Decimal | str, operation: str = "") -> Entry:
    return Entry(account, _minor(account, amount), str(operation))


def credit(account: Account, amount: Money | Decimal | str, operation: str = "") -> Entry:
    return Entry(account, -_minor(account, amount), str(operation))


@dataclass
class Posting:
    idempotency_key: str
    kind: str
    entries: list[Entry]
    description: str = ""
    details: dict = field(default_factory=dict)
    submit_id: str = ""
    ordered_by: str = ""
    created_at: datetime | None = None
    created_by_id: int | None = None

    def validate(self) -> None:
        if not self.idempotency_key:
            raise LedgerError("a posting needs an idempotency key")
        if len(self.entries) < 2:
            raise Unbalanced("a posting needs at least two entries")
        totals: dict[str, int] = defaultdict(int)
        for e in self.entries:
            if e.amount_minor == 0:
                raise LedgerError("zero legs are not allowed")
            totals[e.account.currency] += e.amount_minor
        if any(totals.values()):
            raise Unbalanced(f"{self.idempotency_key} does not balance: {dict(totals)}")


def post(posting: Posting) -> LedgerTransaction:
    return post_batch([posting])[0]


def post_batch(postings: Sequence[Posting]) -> list[LedgerTransaction]:
    """Book all postings or none (see module docstring); their transactions."""
    ids = post_many(postings)
    txs = []
    for p, tx_id in zip(postings, ids, strict=True):
        tx = LedgerTransaction(
            id=tx_id,
            idempotency_key=p.idempotency_key,
            kind=p.kind,
            description=p.description[:300],
            created_at=p.created_at,
            submit_id=p.submit_id,
            ordered_by=p.ordered_by,
            details=p.details,
            created_by_id=p.created_by_id,
        )
        tx._state.adding, tx._state.db = False, connection.alias
        txs.append(tx)
    return txs


def post_many(
    postings: Sequence[Posting], *, new_keys: bool = False, savepoint: bool = True
) -> list[uuid.UUID]:
    """``post_batch`` without model instances: the new transactions' ids.

    The hot paths (order acceptance, the matcher) book thousands of postings
    a second through this; rows go to the database as plain tuples
    (``kantor.ledger.writer``: ``COPY`` on PostgreSQL).

    ``new_keys``: the caller's idempotency keys embed an id it just made (a
    new order's UUID), so the lookup for earlier bookings is skipped; the
    unique index still refuses a repeat (``IntegrityError``).

    ``savepoint=False``: inside a caller's transaction, no savepoint (two round
    trips fewer) — a refusal then fails the caller's whole transaction, for a
    caller that is all or nothing anyway (a group of orders, a matcher batch).
    """
    if not postings:
        return []
    keys = [p.idempotency_key for p in postings]
    if len(set(keys)) != len(keys):
        raise LedgerError("duplicate idempotency keys within one batch")
    for p in postings:
        p.validate()
    with transaction.atomic(savepoint=savepoint):
        for key in [] if new_keys else writer.existing_keys(keys):
            raise DuplicatePosting(key)
        now = timezone.now()
        ids, tx_rows, leg_rows, item_rows = uuid4s(len(postings)), [], [], []
        for p, tx_id in zip(postings, ids, strict=True):
            if p.created_at is None:
                p.created_at = now
            tx_rows.append(
                (tx_id, p.idempotency_key, p.kind, p.description[:300], p.created_at,
                 p.submit_id, p.ordered_by, p.details, p.created_by_id)
            )  # fmt: skip
            for e in p.entries:
                acc = e.account
                leg_rows.append((tx_id, acc.id, acc.currency, e.amount_minor, e.operation))
        # The transactions and legs need no balance: they go in before the
        # accounts are locked, so the locks are held only for the history,
        # the balances and the commit (the matcher and order acceptance wait
        # for each other's account locks; the legs are the biggest write).
        locked = writer.insert_and_lock(tx_rows, leg_rows, _touched(postings))
        totals = _history_totals(locked)
        for p, tx_id in zip(postings, ids, strict=True):
            _apply(p, tx_id, locked, totals, item_rows)
        touched = {e.account.id for p in postings for e in p.entries}
        writer.update_balances(
            [(pk, locked[pk][_BALANCE]) for pk in sorted(touched)], history=item_rows
        )
        if connection.vendor != "postgresql":
            # PostgreSQL's statement trigger does this; elsewhere the same check
            # runs here, inside the transaction, before it can commit.
            assert_transactions_balance(ids)
    for p in postings:
        for e in p.entries:  # callers holding these objects see the new balance
            e.account.balance_minor = locked[e.account.id][_BALANCE]
    return ids


# The locked row of an account, as ``writer.lock_accounts`` returns it:
# [kind, customer_id, currency, sign, allow_negative, balance_minor]
_KIND, _CUSTOMER, _CURRENCY, _SIGN, _ALLOW_NEGATIVE, _BALANCE = range(6)


def _touched(postings: Iterable[Posting]) -> tuple[set[int], set[int], set[str]]:
    """The accounts to lock: those posted to, and — for the history's
    ``balanceAfter`` — the touched customers' available and reserved accounts."""
    ids: set[int] = set()
    customers: set[int] = set()
    currencies: set[str] = set()
    for p in postings:
        for e in p.entries:
            acc = e.account
            ids.add(acc.id)
            if acc.kind in _HISTORY_KINDS:
                customers.add(acc.customer_id)
                currencies.add(acc.currency)
    return ids, customers, currencies


def _history_totals(locked: dict[int, list]) -> dict[tuple[int, str], int]:
    """Each locked customer's total (available + reserved) per currency."""
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for row in locked.values():
        if row[_KIND] in _HISTORY_KINDS:
            totals[(row[_CUSTOMER], row[_CURRENCY])] += row[_BALANCE]
    return totals


def _apply(
    posting: Posting,
    tx_id: uuid.UUID,
    locked: dict[int, list],
    totals: dict[tuple[int, str], int],
    item_rows: list[tuple],
) -> None:
    """Apply one posting to the locked balances; append its history rows."""
    before: dict[int, int] = {}
    item_deltas: dict[tuple[int, str, str], int] = {}
    for e in posting.entries:
        pk = e.account.id
        row = locked.get(pk)
        if row is None or row[_CURRENCY] != e.account.currency:
            raise Unbalanced(f"account {pk} changed currency or vanished")
        if pk not in before:
            before[pk] = row[_BALANCE]
        if row[_KIND] in _HISTORY_KINDS:
            # Customer accounts are credit-normal: a credit raises the balance.
            item_key = (row[_CUSTOMER], row[_CURRENCY], e.operation or _OTHER)
            item_deltas[item_key] = item_deltas.get(item_key, 0) - e.amount_minor
        row[_BALANCE] += row[_SIGN] * e.amount_minor
    for pk, was in before.items():
        row = locked[pk]
        if row[_BALANCE] < 0 and not row[_ALLOW_NEGATIVE]:
            account = next(e.account for e in posting.entries if e.account.id == pk)
            raise InsufficientFunds(account, was, was - row[_BALANCE])
    created_at = posting.created_at
    for (customer_id, cur, op), delta in item_deltas.items():
        if delta == 0:
            continue
        key = (customer_id, cur)
        totals[key] += delta
        item_rows.append(
            (customer_id, tx_id, cur, _operation_type(op), op, delta, totals[key], created_at)
        )


_OTHER = Operation.OTHER.value


@cache
def _operation_type(detailed: str) -> str:
    return str(operation_type(detailed))


def assert_transactions_balance(tx_ids: Sequence[uuid.UUID]) -> None:
    """The database-side check: legs of these transactions sum to zero per currency."""
    for start in range(0, len(tx_ids), 500):
        bad = writer.unbalanced(tx_ids[start : start + 500])
        if bad is not None:
            raise Unbalanced(f"transaction {bad[0]} does not balance in {bad[1]}: {bad[2]}")
