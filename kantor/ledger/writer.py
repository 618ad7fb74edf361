"""The ledger's rows, written as plain tuples (the posting code's storage half).

``kantor.ledger.posting`` decides what to book; this module only moves rows
in and out of the database, without Django model instances: building and
saving a model instance per leg cost more than everything else in a trade
(docs/PERFORMANCE.md). On PostgreSQL rows go in with ``COPY`` — one
statement per table, so the ledger's statement trigger checks a whole batch
at once; elsewhere (SQLite) with ``executemany``. Values are adapted the way
Django would store them (``UUIDField`` as hex on SQLite, datetimes through
the backend's adapter, ``JSONField`` as JSON text), so the ORM reads back
exactly what it would have written.

SQL is composed from constant table and column names and ``%s`` markers
only (hence the ``noqa: S608``); every value travels as a parameter.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from django.db import connection

from kantor.core.bulk import copy_rows, execute_together, insert_sql, is_postgres, marks

__all__ = [
    "TOGETHER",
    "existing_keys",
    "insert_and_lock",
    "insert_history",
    "insert_legs",
    "insert_transactions",
    "lock_accounts",
    "unbalanced",
    "update_balances",
]

#: Up to this many legs, PostgreSQL gets a batch's statements together
#: (``insert_and_lock``, ``update_balances``): one round trip instead of one
#: per statement; a bigger batch (the matcher's) goes by ``COPY``.
TOGETHER = 64

_TX_COLUMNS = (
    "id, idempotency_key, kind, description, created_at, submit_id, ordered_by, details, "
    "created_by_id"
)
_LEG_COLUMNS = "transaction_id, account_id, currency, amount_minor, operation"
_ITEM_COLUMNS = (
    "customer_id, transaction_id, currency, operation_type, operation_detailed_type, "
    "amount_minor, balance_after_minor, created_at"
)
_HISTORY_KINDS = ("customer_available", "customer_reserved")


def existing_keys(keys: Sequence[str]) -> list[str]:
    """Which of these idempotency keys were booked before (at most one is named)."""
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            where = f"idempotency_key IN ({marks(len(chunk))})"
            sql = f"SELECT idempotency_key FROM ledger_ledgertransaction WHERE {where} LIMIT 1"  # noqa: S608
            cursor.execute(sql, chunk)
            row = cursor.fetchone()
            if row is not None:
                return [row[0]]
    return []


def lock_accounts(ids: set[int], customers: set[int], currencies: set[str]) -> dict[int, list]:
    """``SELECT … FOR UPDATE`` in primary-key order: the accounts ``ids`` and the
    customers' available and reserved accounts in ``currencies``.

    Each as ``[kind, customer_id, currency, sign, allow_negative, balance_minor]``
    (a list: the posting code applies the batch to the balance in place).
    """
    with connection.cursor() as cursor:
        cursor.execute(*_lock_sql(ids, customers, currencies))
        return _locked(cursor.fetchall())


def insert_and_lock(
    tx_rows: list[tuple], leg_rows: list[tuple], touched: tuple[set[int], set[int], set[str]]
) -> dict[int, list]:
    """``insert_transactions``, ``insert_legs``, then ``lock_accounts(*touched)``;
    on PostgreSQL with at most ``TOGETHER`` legs in one round trip."""
    if not is_postgres() or len(leg_rows) > TOGETHER:
        insert_transactions(tx_rows)
        insert_legs(leg_rows)
        return lock_accounts(*touched)
    rows = execute_together(
        [
            insert_sql("ledger_ledgertransaction", _TX_COLUMNS, _pg_transactions(tx_rows)),
            insert_sql("ledger_leg", _LEG_COLUMNS, leg_rows),
            _lock_sql(*touched),
        ]
    )
    return _locked(rows)


def _lock_sql(ids: set[int], customers: set[int], currencies: set[str]) -> tuple[str, list]:
    params: list = sorted(ids)
    where = f"id IN ({marks(len(ids))})"
    if customers:
        where += (
            f" OR (customer_id IN ({marks(len(customers))}) "
            f"AND currency IN ({marks(len(currencies))}) AND kind IN (%s, %s))"
        )
        params += [*sorted(customers), *sorted(currencies), *_HISTORY_KINDS]
    columns = "id, kind, customer_id, currency, sign, allow_negative, balance_minor"
    sql = f"SELECT {columns} FROM ledger_account WHERE {where} ORDER BY id"  # noqa: S608
    if connection.features.has_select_for_update:
        # NO KEY UPDATE: only balance_minor changes; the foreign-key checks
        # of other transactions' legs (KEY SHARE) need not wait for it
        sql += " FOR NO KEY UPDATE" if is_postgres() else " FOR UPDATE"
    return sql, params


def _locked(rows: list[tuple]) -> dict[int, list]:
    return {row[0]: [*row[1:5], bool(row[5]), row[6]] for row in rows}


def _pg_transactions(rows: list[tuple]) -> list[tuple]:
    return [(*r[:7], json.dumps(r[7]), r[8]) for r in rows]


def insert_transactions(rows: list[tuple]) -> None:
    """Rows of (id, key, kind, description, created_at, submit_id, ordered_by,
    details dict, created_by_id)."""
    if is_postgres():
        copy_rows("ledger_ledgertransaction", _TX_COLUMNS, _pg_transactions(rows))
        return
    adapt = connection.ops.adapt_datetimefield_value
    _insert(
        "ledger_ledgertransaction",
        _TX_COLUMNS,
        9,
        [(r[0].hex, *r[1:4], adapt(r[4]), r[5], r[6], json.dumps(r[7]), r[8]) for r in rows],
    )


def insert_legs(rows: list[tuple]) -> None:
    """Rows of (transaction id, account id, currency, amount_minor, operation)."""
    if is_postgres():
        copy_rows("ledger_leg", _LEG_COLUMNS, rows, plain=True)
    else:
        _insert("ledger_leg", _LEG_COLUMNS, 5, [(r[0].hex, *r[1:]) for r in rows])


def insert_history(rows: list[tuple]) -> None:
    """Rows of (customer id, transaction id, currency, type, detailed type,
    amount_minor, balance_after_minor, created_at)."""
    if not rows:
        return
    if is_postgres():
        copy_rows("ledger_historyitem", _ITEM_COLUMNS, rows, plain=True)
        return
    adapt = connection.ops.adapt_datetimefield_value
    _insert(
        "ledger_historyitem",
        _ITEM_COLUMNS,
        8,
        [(r[0], r[1].hex, *r[2:7], adapt(r[7])) for r in rows],
    )


def update_balances(rows: list[tuple[int, int]], history: list[tuple] = ()) -> None:
    """Rows of (account id, new balance_minor); one statement on PostgreSQL,
    sent with the ``history`` rows (``insert_history``) when they are few."""
    if is_postgres() and history and len(history) <= TOGETHER:
        execute_together(
            [insert_sql("ledger_historyitem", _ITEM_COLUMNS, list(history)), _balances_sql(rows)]
        )
        return
    insert_history(list(history))
    if not rows:
        return
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(*_balances_sql(rows))
        else:
            cursor.executemany(
                "UPDATE ledger_account SET balance_minor = %s WHERE id = %s",
                [(balance, pk) for pk, balance in rows],
            )


def _balances_sql(rows: list[tuple[int, int]]) -> tuple[str, list]:
    return (
        "UPDATE ledger_account AS a SET balance_minor = v.balance "
        "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS balance) v "
        "WHERE a.id = v.id",
        [[r[0] for r in rows], [r[1] for r in rows]],
    )


def unbalanced(tx_ids: Sequence[uuid.UUID]) -> tuple | None:
    """The first (transaction, currency, total) among these whose legs do not sum to zero."""
    ids = [i if is_postgres() else i.hex for i in tx_ids]
    with connection.cursor() as cursor:
        where = f"transaction_id IN ({marks(len(ids))})"
        sql = f"SELECT transaction_id, currency, SUM(amount_minor) FROM ledger_leg WHERE {where} "  # noqa: S608
        cursor.execute(
            sql + "GROUP BY transaction_id, currency HAVING SUM(amount_minor) <> 0 LIMIT 1", ids
        )
        return cursor.fetchone()


def _insert(table: str, columns: str, width: int, rows: list[tuple]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks(width)})",  # noqa: S608
                rows,
            )
