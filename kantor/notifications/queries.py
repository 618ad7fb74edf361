"""Reads of the outbox for operators (``kantor outbox status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from .models import MessageStatus, OutboxMessage

__all__ = ["OutboxStatus", "outbox_status"]


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    #: The oldest message not sent yet (pending or being sent), if any.
    oldest_unsent_at: datetime | None

    @property
    def failed(self) -> int:
        return self.counts.get(MessageStatus.FAILED, 0)


def outbox_status() -> OutboxStatus:
    counts = {status: 0 for status in MessageStatus.values}
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    oldest = OutboxMessage.objects.filter(
        status__in=(MessageStatus.PENDING, MessageStatus.SENDING)
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return OutboxStatus(counts, oldest)
