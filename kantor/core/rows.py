"""Model instances from plain cursor rows, for lookups on every API request.

``Model.objects.raw`` and the ORM's compiler cost more than the query they
run when the query is a primary-key or unique lookup done thousands of times
a second (the API key, the pair's configuration, the accounts an order
reserves on). ``RowLoader`` keeps what they compute per call — the column
list, each column's converters (SQLite's decimals, UUIDs and JSON need
them; PostgreSQL's mostly do not) — and builds instances with
``Model.from_db``, so the instances are exactly the ORM's (saved later,
they update, not insert).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

__all__ = ["RowLoader"]


class RowLoader:
    """Select and load every concrete field of ``model``, or the ``fields`` named
    (attnames, or ``pk``) — then only as values (``convert``), not instances."""

    def __init__(self, model: type[Model], fields: Sequence[str] | None = None):
        self.model = model
        if fields is None:
            self._fields = list(model._meta.concrete_fields)
        else:
            by_name = {f.attname: f for f in model._meta.concrete_fields}
            by_name["pk"] = model._meta.pk
            self._fields = [by_name[name] for name in fields]
        self.attnames = [f.attname for f in self._fields]
        self.width = len(self._fields)
        self._converters: dict[str, list[tuple[int, list, Any]]] = {}
        self._columns: dict[str, str] = {}

    def columns(self, alias: str) -> str:
        """The select list, ``alias."column", …`` in ``attnames`` order (made once
        per alias: hot paths build their SQL per call)."""
        found = self._columns.get(alias)
        if found is None:
            found = self._columns[alias] = ", ".join(f'{alias}."{f.column}"' for f in self._fields)
        return found

    def convert(self, values: Sequence[Any]) -> list[Any]:
        """``values`` in ``columns`` order as the ORM reads them (extra values ignored)."""
        row = list(values[: self.width])
        for index, converters, col in self._converters_for_vendor():
            value = row[index]
            for convert in converters:
                value = convert(value, col, connection)
            row[index] = value
        return row

    def load(self, values: Sequence[Any]) -> Any:
        """An instance from ``values`` in ``columns`` order (extra values ignored)."""
        return self.model.from_db(connection.alias, self.attnames, self.convert(values))

    def _converters_for_vendor(self) -> list[tuple[int, list, Any]]:
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for index, field in enumerate(self._fields):
                col = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(
                    connection
                )
                if converters:
                    found.append((index, converters, col))
            self._converters[connection.vendor] = found
        return found
