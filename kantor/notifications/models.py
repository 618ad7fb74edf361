"""DOC-3: the outbox, and where producers of messages keep their progress.

An ``OutboxMessage`` is written in the transaction of the business change it
tells about (``kantor.notifications.outbox.enqueue``), so it exists if and
only if that change committed; its unique ``key`` makes writing it again a
no-op. The dispatcher (``kantor.notifications.dispatch``) sends it later and
retries with a growing wait until ``max_attempts``, after which it stays
``FAILED`` for staff to see and retry: a provider outage loses nothing.

Attachments are kept as the bytes that are sent (a proof of purchase and
sale is a document: what the customer was sent is what is kept, and every
retry sends the same bytes, whatever later happens to templates or
operator data).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("outbox", "e-mail")


class MessageStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("outbox", "waiting to be sent")
    SENDING = "sending", pgettext_lazy("outbox", "claimed by a dispatcher")
    SENT = "sent", pgettext_lazy("outbox", "sent")
    FAILED = "failed", pgettext_lazy("outbox", "given up (retry from the back office)")


class OutboxMessage(models.Model):
    #: Idempotency key: one message per business event and recipient.
    key = models.CharField(max_length=200, unique=True)
    #: What the message is about (``market.trade``, ``exchange.rate_lock``...).
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    #: Attempts made so far (counted when a dispatcher claims the message).
    attempts = models.PositiveIntegerField(default=0)
    #: When the message is due (next retry, or the end of a dispatcher's claim).
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_due",
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status"),
        ]
        permissions = [("retry_message", "Can retry sending outbox messages now (DOC-3)")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"


class OutboxAttachment(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("outbox attachment")

    def __str__(self) -> str:
        return self.filename


class Cursor(models.Model):
    """How far a producer of messages got through its source (e.g. the trades of a pair).

    Moved in the same transaction as the messages it produced, so a producer
    that crashed starts again where its last committed run ended.
    """

    name = models.CharField(max_length=100, primary_key=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class Watch(models.Model):
    """A record a producer must look at again (e.g. a market order not closed yet).

    ``topic`` names the producer's set (``market.open_orders:EURPLN``),
    ``ref`` the record's primary key.
    """

    topic = models.CharField(max_length=100)
    ref = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "ref"], name="watch_unique")]

    def __str__(self) -> str:
        return f"{self.topic}:{self.ref}"
