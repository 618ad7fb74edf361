"""Where producers of messages keep their progress (``Cursor``, ``Watch``).

A producer turns durable business records (trades, closed orders…) into
outbox messages in a scheduler job. It reads from its cursor, enqueues, and
moves the cursor in the same transaction, so a crash repeats at most the
work of the run that did not commit — and the messages' keys make even that
harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from .models import Cursor, Watch

__all__ = ["advance", "lock_cursor", "unwatch", "watch", "watched"]


def lock_cursor(name: str) -> Cursor:
    """The cursor row, locked until the caller's transaction ends (created at 0)."""
    if not Cursor.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Cursor.objects.create(name=name)
        except IntegrityError:  # created by a concurrent producer
            pass
    return Cursor.objects.select_for_update().get(name=name)


def advance(cursor: Cursor, position: int, now: datetime) -> None:
    cursor.position = position
    cursor.updated_at = now
    cursor.save(update_fields=["position", "updated_at"])


def watched(topic: str) -> QuerySet:
    """The refs watched under ``topic``, as a subquery (``pk__in=watched(topic)``)."""
    return Watch.objects.filter(topic=topic).values("ref")


def watch(topic: str, refs: Iterable[int]) -> None:
    Watch.objects.bulk_create([Watch(topic=topic, ref=ref) for ref in refs], ignore_conflicts=True)


def unwatch(topic: str, refs: Iterable[int]) -> None:
    refs = list(refs)
    for start in range(0, len(refs), 500):
        Watch.objects.filter(topic=topic, ref__in=refs[start : start + 500]).delete()
