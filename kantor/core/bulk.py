"""Many rows in one statement, for the hot paths (the ledger, the market).

Django's ``bulk_create`` builds a model instance and compiles a parameter per
field for every row; at thousands of rows a second that costs more than the
database's own work (docs/PERFORMANCE.md). On PostgreSQL these helpers send
plain tuples with ``COPY``, one statement per table (so statement triggers
see a batch whole), and take primary keys from the table's sequence first so
callers know them without ``RETURNING``. Table and column names are the
callers' constants; every value travels as data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection

__all__ = [
    "FEW",
    "Rendered",
    "copy_rows",
    "execute_together",
    "insert_returning_ids",
    "insert_sql",
    "is_postgres",
    "marks",
    "next_ids",
]


def marks(n: int) -> str:
    """``n`` parameter markers, ``%s, %s, …`` (an ``IN (…)`` list, a row)."""
    return ", ".join(["%s"] * n)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def copy_rows(table: str, columns: str, rows: Iterable[tuple], *, plain: bool = False) -> None:
    """``COPY table (columns) FROM STDIN`` (PostgreSQL only).

    Rows are formatted here, in COPY's text format, and sent as one block:
    psycopg's ``write_row`` costs about 6 µs a row in Python, more than the
    database spends storing it. Through the raw psycopg cursor (Django's
    wrapper has no ``copy``); errors still surface as Django's
    (``IntegrityError``...), as from any other statement.

    ``plain=True`` is the caller's promise that every value is an int, a
    UUID, a Decimal, a datetime or a string of the code's own identifiers
    (currency codes, operation types: no tab, newline or backslash), never
    None: such rows need no escaping and are joined as they are.

    A few rows (a single order's acceptance) go as one multi-row ``INSERT``
    instead: ``COPY`` costs two round trips to the server, an ``INSERT`` one.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    if len(rows) <= FEW:
        _insert(table, columns, rows)
        return
    if plain:
        text = "".join(["\t".join(map(str, row)) + "\n" for row in rows])
    else:
        text = "".join(["\t".join([_text(v) for v in row]) + "\n" for row in rows])
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write(text)


#: Up to this many rows, one ``INSERT … VALUES`` (one round trip) beats ``COPY``.
FEW = 16


class Rendered(str):
    """SQL with its values already quoted by psycopg (``insert_sql`` on
    PostgreSQL): it runs without parameters."""


def insert_sql(
    table: str, columns: str, rows: list[tuple], returning: str = ""
) -> tuple[str, list | None]:
    """One multi-row ``INSERT … VALUES``: its SQL and parameters.

    Where Django binds parameters on the client (PostgreSQL's default) the
    values are quoted here, by psycopg's own ``as_literal``, and the SQL comes
    back ``Rendered`` with no parameters: psycopg re-parses a statement of
    more than 50 parameters for its markers on every execution (its query
    cache stops there), which cost four times the quoting (~2 µs a value).
    Elsewhere ``%s`` markers and the parameters.
    """
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 (constant names)
    if _client_binding():
        return Rendered(head + _literal_rows(rows) + returning), None
    row = f"({marks(len(rows[0]))})"
    values = ", ".join([row] * len(rows))
    return head + values + returning, [value for row in rows for value in row]


def _literal_rows(rows: list[tuple]) -> str:
    from psycopg.adapt import Transformer

    # the connection's adapters are Django's (it registers them there)
    raw = connection.connection
    quote, encoding = Transformer(raw).as_literal, raw.info.encoding
    with connection.wrap_database_errors:  # a NUL in a string: django.db.DataError
        return ", ".join(
            "(" + ", ".join("NULL" if v is None else quote(v).decode(encoding) for v in row) + ")"
            for row in rows
        )


def _client_binding() -> bool:
    """Whether this connection's cursors bind parameters on the client
    (Django's default on PostgreSQL, unless ``OPTIONS`` say otherwise)."""
    if not is_postgres():
        return False
    import psycopg

    connection.ensure_connection()
    return issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)


def _insert(table: str, columns: str, rows: list[tuple], returning: str = "") -> list[tuple]:
    with connection.cursor() as cursor:
        _execute(cursor, *insert_sql(table, columns, rows, returning))
        return cursor.fetchall() if returning else []


def _execute(cursor, sql: str, params: list | None) -> None:
    if params is None:
        cursor.execute(sql)  # rendered: no markers to look for
    else:
        cursor.execute(sql, params)


def execute_together(statements: list[tuple[str, list | None]]) -> list[tuple]:
    """Statements whose results nobody reads, in one round trip where the
    cursor binds parameters on the client (Django's default on PostgreSQL:
    the statements travel as one simple-protocol query, run in order, and
    the first error stops the rest); elsewhere one by one. A round trip
    costs the database a wake-up and the client its driver's machinery per
    statement — most of a small statement's price (docs/PERFORMANCE.md).
    Statements are ``(sql, params)``; ``insert_sql``'s ``Rendered`` ones
    carry no parameters.

    Returns the rows of the last statement (a ``SELECT`` or ``RETURNING``),
    or ``[]`` when it returns none.
    """
    if not statements:
        return []
    with connection.cursor() as cursor:
        if len(statements) > 1 and _client_binding():
            # each statement quoted on its own (a small one from psycopg's
            # cache), then all of them as one query without parameters
            texts = [
                sql if params is None else cursor.mogrify(sql, params) for sql, params in statements
            ]
            cursor.execute(";\n".join(texts))
            for _ in statements[1:]:
                cursor.nextset()
        else:
            for sql, params in statements:
                _execute(cursor, sql, params)
        return cursor.fetchall() if cursor.description else []


def insert_returning_ids(table: str, columns: str, rows: list[tuple]) -> list[int]:
    """A few rows in one ``INSERT … RETURNING id`` (one round trip, where
    ``next_ids`` and ``copy_rows`` take three): their new primary keys, in
    the rows' order (PostgreSQL returns a ``VALUES`` list's rows in order, as
    Django's ``bulk_create`` relies on too)."""
    return [row[0] for row in _insert(table, columns, rows, " RETURNING id")]


#: COPY text format: backslash, tab, newline and carriage return are escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: object) -> str:
    """One value in COPY's text format (``\\N`` is NULL)."""
    kind = type(value)
    if kind is int or kind is UUID or kind is Decimal:
        return str(value)
    if kind is str:
        return value.translate(_ESCAPES)  # type: ignore[union-attr]
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()  # type: ignore[union-attr]
    return str(value).translate(_ESCAPES)


def next_ids(table: str, count: int) -> list[int]:
    """``count`` new primary keys from ``table``'s id sequence (PostgreSQL only)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]
