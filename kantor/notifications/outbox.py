"""DOC-3: writing a message to the outbox, in the caller's transaction.

``enqueue`` is called inside the transaction of the change the message tells
about (placing a rate lock, a producer moving its cursor over trades): the
message commits with it or not at all, and the dispatcher sends it later.
The ``key`` is the message's identity: enqueueing the same key again returns
the message already written and changes nothing, so a producer that runs
twice sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Channel, OutboxAttachment, OutboxMessage

__all__ = ["Attachment", "enqueue", "existing_keys"]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are already in the outbox (one query; lets a producer
    skip rendering what it already wrote)."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(OutboxMessage.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def enqueue(
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body: str,
    language: str,
    customer=None,
    html: str = "",
    attachments: Sequence[Attachment] = (),
    now: datetime | None = None,
) -> OutboxMessage:
    """Write one e-mail to the outbox (due at once); the existing one if ``key`` is known."""
    if existing := OutboxMessage.objects.filter(key=key).first():
        return existing
    now = now or timezone.now()
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                key=key,
                kind=kind,
                channel=Channel.EMAIL,
                customer=customer,
                recipient=to,
                language=language,
                subject=" ".join(subject.split())[:300],
                body_text=body,
                body_html=html,
                next_attempt_at=now,
                created_at=now,
            )
            OutboxAttachment.objects.bulk_create(
                OutboxAttachment(
                    message=message,
                    filename=a.filename,
                    content_type=a.content_type,
                    content=a.content,
                )
                for a in attachments
            )
    except IntegrityError:
        # Written by a concurrent producer in the meantime (anything else re-raises).
        if existing := OutboxMessage.objects.filter(key=key).first():
            return existing
        raise
    return message
