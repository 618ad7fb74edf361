"""Writing audit rows (SEC-9, AML-4).

Actions call ``record`` inside their transaction. Callers that know *how*
an action was reached (the CLI, an admin page) add that with
``audit_context(via="cli", ...)``: the keys are merged into the details of
every row recorded inside the block, without threading them through each
action's signature.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

from .models import AuditLog

__all__ = ["SYSTEM", "audit_context", "record"]

#: ``actor_label`` of rows written without a user (jobs, the operator's CLI).
SYSTEM = "system"

_context: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "kantor_audit_context", default=None
)


@contextmanager
def audit_context(**details: Any) -> Iterator[None]:
    """Add ``details`` to every audit row recorded inside the block."""
    token = _context.set({**(_context.get() or {}), **details})
    try:
        yield
    finally:
        _context.reset(token)


def _actor(acting_user) -> tuple[Any, str]:
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return None, SYSTEM
    return acting_user, acting_user.get_username()


def record(
    action: str,
    *,
    acting_user,
    obj: models.Model | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row. Must run inside the action's transaction, so that
    the row commits (or rolls back) together with the change it describes."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"audit row {action!r} written outside a transaction (SEC-9)")
    actor, label = _actor(acting_user)
    row = AuditLog(
        actor=actor,
        actor_label=label,
        action=action,
        details={**(_context.get() or {}), **(details or {})},
    )
    if obj is not None:
        row.object_type = obj._meta.label_lower
        row.object_id = str(obj.pk)
        row.object_repr = str(obj)[:200]
    row.save()
    return row
