"""Staff decisions on the outbox (DOC-3), audited (SEC-9)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kantor.core.audit import record

from .models import MessageStatus, OutboxMessage

__all__ = ["RETRYABLE", "retry_now"]

#: Messages staff may send again now: not sent yet, and not claimed by a dispatcher.
RETRYABLE = (MessageStatus.PENDING, MessageStatus.FAILED)


@transaction.atomic
def retry_now(
    message_ids: Iterable[int], *, acting_user, now: datetime | None = None
) -> list[OutboxMessage]:
    """Make these messages due now with a fresh retry schedule; the next
    dispatcher run (seconds later) sends them. Sent or claimed ones are left alone."""
    now = now or timezone.now()
    messages = list(
        OutboxMessage.objects.select_for_update()
        .filter(pk__in=list(message_ids), status__in=RETRYABLE)
        .order_by("pk")
    )
    for message in messages:
        record(
            "notifications.retry_now",
            acting_user=acting_user,
            obj=message,
            details={
                "key": message.key,
                "status": message.status,
                "attempts": message.attempts,
                "last_error": message.last_error[:500],
            },
        )
        message.status = MessageStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = now
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
    return messages
