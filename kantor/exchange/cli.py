"""Shared plumbing of the ``kantor exchange``, ``kantor ratelock`` and ``kantor
treasury`` commands: thin — parse, call an action or query, print.

Every refusal with a stable ``code`` (the exchange's, the rate-lock rules',
the ledger's, the rates', the customers') becomes a ``CommandError`` showing
the message and the code, never a traceback; actions are atomic, so nothing
is left half-written. Staff decisions name ``--staff`` for the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from kantor.customers.cli import acting_user, add_acting_user_option, cli_audit
from kantor.customers.errors import CustomerError
from kantor.customers.queries import get_customer

T = TypeVar("T")

__all__ = ["acting_user", "add_acting_user_option", "customer", "dump", "parse_moment", "run"]


def run(call: Callable[[], T]) -> T:
    try:
        with cli_audit():
            return call()
    except CustomerError as error:
        raise CommandError(f"{error.message} [{error.code}]") from None
    except Exception as error:
        code = getattr(error, "code", None)
        if not isinstance(code, str):
            raise
        raise CommandError(f"{error} [{code}]") from None


def customer(ref: str):
    """The customer named by e-mail, id or deposit title."""
    return run(lambda: get_customer(ref))


def parse_moment(text: str, option: str) -> datetime:
    from kantor.api.formats import parse_ts

    try:
        return parse_ts(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not an ISO 8601 date-time") from None


def dump(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
