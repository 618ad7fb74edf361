"""DOC-3: sending due outbox messages, with retries and a give-up state.

One run (the ``notifications.dispatch`` job, or ``kantor outbox send``):

1. **claim** up to ``KANTOR_OUTBOX_BATCH`` due messages in a short
   transaction: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``, so two
   dispatchers never claim the same message; each claimed message counts an
   attempt, turns ``SENDING`` and is due again only after the lease (a
   dispatcher that dies mid-send leaves it to be sent again, never lost);
2. **send** each through Django's e-mail backend (one connection for the
   batch), outside that transaction;
3. **record** the outcome: ``SENT``, or back to ``PENDING`` after a wait that
   doubles with each attempt (``retry_delay``), or ``FAILED`` after
   ``KANTOR_OUTBOX_MAX_ATTEMPTS`` — listed in the back office, where staff
   retry it.

Delivery is at least once: a message whose outcome could not be recorded
(the process died between sending and recording) is sent again.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from . import conf
from .models import MessageStatus, OutboxMessage

log = logging.getLogger("kantor.notifications")

__all__ = ["DispatchReport", "claim", "dispatch_due", "retry_delay"]

_SMTP = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    given_up: int = 0


def retry_delay(attempts: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2·base, 4·base, … ≤ cap."""
    if attempts < 1:
        return timedelta(0)
    return min(base * 2 ** min(attempts - 1, 32), cap)


def claim(now: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due messages (oldest due first); their ids."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            status__in=(MessageStatus.PENDING, MessageStatus.SENDING), next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=MessageStatus.SENDING,
                attempts=F("attempts") + 1,
                next_attempt_at=now + conf.lease(),
            )
    return ids


def dispatch_due(now: datetime | None = None, *, limit: int | None = None) -> DispatchReport:
    """Send what is due at ``now``; a failing provider leaves every message to retry."""
    now = now or timezone.now()
    ids = claim(now, limit or conf.batch_size())
    if not ids:
        return DispatchReport()
    messages = list(
        OutboxMessage.objects.filter(pk__in=ids).prefetch_related("attachments").order_by("id")
    )
    outcomes: list[str] = []
    try:
        mail = _mail_connection()
        mail.open()
    except Exception as exc:  # the provider is unreachable: every message waits to retry
        return _report([_failed(m, exc, now) for m in messages])
    try:
        for message in messages:
            try:
                if _email(message, mail).send() != 1:
                    raise RuntimeError("the e-mail backend accepted no message")
            except Exception as exc:  # any provider error: the message is kept and retried
                outcomes.append(_failed(message, exc, now))
            else:
                outcomes.append(_sent(message))
    finally:
        with suppress(Exception):  # closing a broken connection must not hide the outcomes
            mail.close()
    return _report(outcomes)


def _mail_connection():
    kwargs = {}
    if settings.EMAIL_BACKEND == _SMTP:
        kwargs["timeout"] = conf.send_timeout()
    return get_connection(fail_silently=False, **kwargs)


def _email(message: OutboxMessage, mail) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        connection=mail,
        headers={"X-Kantor-Message": message.key},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return email


def _sent(message: OutboxMessage) -> str:
    OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _failed(message: OutboxMessage, exc: Exception, now: datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= conf.max_attempts():
        log.error("giving up %s after %d attempts: %s", message.key, message.attempts, error)
        status, due, outcome = MessageStatus.FAILED, now, "given_up"
    else:
        wait = retry_delay(message.attempts, base=conf.retry_base(), cap=conf.retry_max())
        log.warning("sending %s failed (attempt %d): %s", message.key, message.attempts, error)
        status, due, outcome = MessageStatus.PENDING, now + wait, "retried"
    OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, next_attempt_at=due, last_error=error
    )
    return outcome


def _report(outcomes: list[str]) -> DispatchReport:
    return DispatchReport(
        sent=outcomes.count("sent"),
        retried=outcomes.count("retried"),
        given_up=outcomes.count("given_up"),
    )
