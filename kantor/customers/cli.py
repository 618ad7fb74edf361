"""Shared plumbing of the ``customer`` and ``apikey`` management commands.

Commands stay thin: they parse options, call an action or a query inside
``run_action`` and print. Every refusal becomes a ``CommandError`` whose
message names the command-line option (``--pesel: ...``), so the operator
sees what to fix, never a traceback; actions are atomic, so nothing is left
half-written.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from kantor.core.audit import audit_context

from .errors import CustomerError, InvalidData

T = TypeVar("T")

#: Command-line option (dest) → data key, where they differ.
OPTION_FIELDS = {
    "id_type": "id_document_type",
    "id_number": "id_document_number",
    "id_issued": "id_document_issued",
    "id_expires": "id_document_expires",
    "representative": "representative_name",
    "holder": "holder_name",
    "public_key": "public_key_pem",
}
FIELD_OPTIONS = {field: option for option, field in OPTION_FIELDS.items()}


def option_for(field: str | None) -> str:
    if not field:
        return ""
    return "--" + FIELD_OPTIONS.get(field, field).replace("_", "-")


def format_error(error: CustomerError) -> str:
    if isinstance(error, InvalidData):
        lines = [f"{option_for(e.field)}: {e.message}" if e.field else str(e) for e in error.errors]
        return "\n".join(lines)
    if error.field and error.field not in {"customer", "key", "status", "reason"}:
        return f"{option_for(error.field)}: {error.message}"
    return str(error.message)


def add_acting_user_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--staff",
        metavar="USERNAME",
        help="the staff member on whose behalf this runs (recorded in the audit log)",
    )


def acting_user(username: str | None):
    """SEC-9: attribute a CLI change to a staff account, or to the system."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_staff:
        raise CommandError(f"--staff: no active staff user {username!r}")
    return user


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


@contextmanager
def cli_audit() -> Iterator[None]:
    with audit_context(via="cli", os_user=_os_user()):
        yield


def run(call: Callable[[], T]) -> T:
    """Call an action or query; a refusal becomes a ``CommandError``."""
    try:
        with cli_audit():
            return call()
    except CustomerError as error:
        raise CommandError(format_error(error)) from None


def dump_json(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def read_text_file(path: str, option: str) -> str:
    import sys

    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as error:
        raise CommandError(f"{option}: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{option}: {path} is not a text (PEM) file") from None
