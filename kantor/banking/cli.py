"""Shared plumbing of the banking management commands (``statement``, ``deposits``,
``withdrawals``, ``payouts``).

Commands stay thin: parse options, call an action or a query inside ``run``,
print. A refusal (``BankingError``, ``CustomerError``) becomes a
``CommandError`` naming its code — never a traceback; actions are atomic, so
nothing is left half-written. Changes are attributed with ``--staff`` and
marked ``via=cli`` in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.management.base import CommandError

from kantor.customers.cli import acting_user, add_acting_user_option, cli_audit, dump_json
from kantor.customers.errors import CustomerError
from kantor.customers.queries import get_customer

from .errors import BankingError

__all__ = [
    "acting_user",
    "add_acting_user_option",
    "cli_audit",
    "dump_json",
    "get_customer",
    "object_or_error",
    "run",
    "table",
]

T = TypeVar("T")


def run(call: Callable[[], T]) -> T:
    try:
        with cli_audit():
            return call()
    except BankingError as error:
        data = "".join(f" {k}={v}" for k, v in error.error_data.items())
        raise CommandError(f"{error.code}: {error.message}{data}") from None
    except CustomerError as error:
        raise CommandError(f"{error.code}: {error.message}") from None


def object_or_error(model, pk: Any, label: str):
    found = model._base_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise CommandError(f"NOT_FOUND: no {label} #{pk}")
    return found


def table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
