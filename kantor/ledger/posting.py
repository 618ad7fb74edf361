"""Posting money: the only code that writes legs and balances (MON-4, MON-5).

Every movement of money in Kantor is a ``Posting``: a list of debit and credit
entries that sums to zero per currency, with an idempotency key. ``post`` and
``post_batch`` book postings atomically:

1. validate in Python (balanced per currency, entries in their account's
   currency, no zero legs, no duplicate keys);
2. lock every touched account — and the customer's sibling available/reserved
   accounts, whose sum is the history's ``balanceAfter`` — with
   ``SELECT … FOR UPDATE`` in primary-key order, so two postings can never
   deadlock (Saleor's rule);
3. apply the postings in order to the locked balances, refusing one that
   would take a non-negative account below zero (``InsufficientFunds``);
4. insert transactions, legs (all of a batch in one statement, which
   PostgreSQL's statement trigger checks) and history items, update balances.

``post_batch`` is what the market's matcher uses to commit many trades in one
database transaction; a single ``post`` is a batch of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from kantor.domain.money import Money, currency

from .models import Account, AccountKind, HistoryItem, LedgerTransaction, Leg
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
    """Book all postings or none (see module docstring)."""
    if not postings:
        return []
    keys = [p.idempotency_key for p in postings]
    if len(set(keys)) != len(keys):
        raise LedgerError("duplicate idempotency keys within one batch")
    for p in postings:
        p.validate()
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )[:1]
        for key in existing:
            raise DuplicatePosting(key)
        locked = _lock_accounts(postings)
        now = timezone.now()
        txs, legs, items = [], [], []
        for p in postings:
            tx = LedgerTransaction(
                idempotency_key=p.idempotency_key,
                kind=p.kind,
                description=p.description[:300],
                created_at=p.created_at or now,
                submit_id=p.submit_id,
                ordered_by=p.ordered_by,
                details=p.details,
                created_by_id=p.created_by_id,
            )
            txs.append(tx)
            items.extend(_apply(p, tx, locked))
            legs.extend(
                Leg(
                    transaction=tx,
                    account_id=e.account.pk,
                    currency=e.account.currency,
                    amount_minor=e.amount_minor,
                    operation=e.operation,
                )
                for e in p.entries
            )
        LedgerTransaction.objects.bulk_create(txs)
        Leg.objects.bulk_create(legs)
        HistoryItem.objects.bulk_create(items)
        touched = {e.account.pk for p in postings for e in p.entries}
        Account.objects.bulk_update([locked[pk] for pk in sorted(touched)], ["balance_minor"])
        if connection.vendor != "postgresql":
            # PostgreSQL's statement trigger does this; elsewhere the same check
            # runs here, inside the transaction, before it can commit.
            assert_transactions_balance([tx.pk for tx in txs])
    for p in postings:
        for e in p.entries:  # callers holding these objects see the new balance
            e.account.balance_minor = locked[e.account.pk].balance_minor
    return txs


def _lock_accounts(postings: Iterable[Posting]) -> dict[int, Account]:
    ids: set[int] = set()
    siblings: set[tuple[int, str]] = set()
    for p in postings:
        for e in p.entries:
            ids.add(e.account.pk)
            if e.account.kind in _HISTORY_KINDS:
                siblings.add((e.account.customer_id, e.account.currency))
    query = Q(pk__in=ids)
    if siblings:
        query |= Q(
            customer_id__in={c for c, _ in siblings},
            currency__in={cur for _, cur in siblings},
            kind__in=_HISTORY_KINDS,
        )
    accounts = Account.objects.select_for_update().filter(query).order_by("pk")
    return {a.pk: a for a in accounts}


def _apply(
    posting: Posting, tx: LedgerTransaction, locked: dict[int, Account]
) -> list[HistoryItem]:
    """Apply one posting to the locked balances; return its history items."""
    before_total: dict[tuple[int, str], int] = {}
    item_deltas: dict[tuple[int, str, str], int] = {}
    before = {e.account.pk: locked[e.account.pk].balance_minor for e in posting.entries}
    for e in posting.entries:
        acc = locked[e.account.pk]
        if acc.currency != e.account.currency:
            raise Unbalanced(f"account {acc.pk} changed currency")
        if acc.kind in _HISTORY_KINDS:
            key = (acc.customer_id, acc.currency)
            if key not in before_total:
                before_total[key] = _customer_total(locked, *key)
            op = e.operation or Operation.OTHER
            # Customer accounts are credit-normal: a credit raises the balance.
            item_key = (acc.customer_id, acc.currency, op)
            item_deltas[item_key] = item_deltas.get(item_key, 0) - e.amount_minor
        acc.balance_minor += acc.sign * e.amount_minor
    for pk, was in before.items():
        acc = locked[pk]
        if acc.balance_minor < 0 and not acc.allow_negative:
            raise InsufficientFunds(acc, was, was - acc.balance_minor)
    items = []
    running = dict(before_total)
    for (customer_id, cur, op), delta in item_deltas.items():
        if delta == 0:
            continue
        running[(customer_id, cur)] += delta
        items.append(
            HistoryItem(
                customer_id=customer_id,
                transaction=tx,
                currency=cur,
                operation_type=operation_type(op),
                operation_detailed_type=op,
                amount_minor=delta,
                balance_after_minor=running[(customer_id, cur)],
                created_at=tx.created_at,
            )
        )
    return items


def _customer_total(locked: dict[int, Account], customer_id: int, cur: str) -> int:
    return sum(
        a.balance_minor
        for a in locked.values()
        if a.customer_id == customer_id and a.currency == cur and a.kind in _HISTORY_KINDS
    )


def assert_transactions_balance(tx_ids: Sequence) -> None:
    """The database-side check: legs of these transactions sum to zero per currency."""
    for start in range(0, len(tx_ids), 500):
        chunk = list(tx_ids[start : start + 500])
        bad = (
            Leg.objects.filter(transaction_id__in=chunk)
            .values("transaction_id", "currency")
            .annotate(total=Sum("amount_minor"))
            .exclude(total=0)
            .order_by()[:1]
        )
        for row in bad:
            raise Unbalanced(f"transaction {row['transaction_id']} does not balance: {row}")
