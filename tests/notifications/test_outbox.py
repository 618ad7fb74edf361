"""The durable outbox (DOC-3): written with the change, sent later, retried, never lost."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from kantor.core.models import AuditLog
from kantor.notifications.actions import retry_now
from kantor.notifications.dispatch import claim, dispatch_due, retry_delay
from kantor.notifications.language import customer_language, supported
from kantor.notifications.models import MessageStatus, OutboxMessage
from kantor.notifications.outbox import Attachment, enqueue, existing_keys

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOWN = "tests.notifications.backends.DownBackend"
UNREACHABLE = "tests.notifications.backends.UnreachableBackend"
MINUTE = timedelta(minutes=1)


def message(key: str = "test:1", **fields) -> OutboxMessage:
    defaults = dict(
        kind="test",
        to="jan@example.com",
        subject="Potwierdzenie",
        body="Treść wiadomości: zażółć gęślą jaźń",
        language="pl",
        now=NOW,
    )
    return enqueue(key=key, **{**defaults, **fields})


def reload(msg: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=msg.pk)


def test_a_message_with_a_known_key_is_written_once_DOC_3():
    first = message(attachments=[Attachment("a.pdf", "application/pdf", b"%PDF-1")])
    again = message(subject="something else")
    assert again.pk == first.pk and OutboxMessage.objects.count() == 1
    assert reload(first).subject == "Potwierdzenie"
    assert first.attachments.count() == 1
    assert existing_keys(["test:1", "test:2"]) == {"test:1"}


def test_a_message_exists_only_if_the_callers_transaction_commits_DOC_3():
    with pytest.raises(RuntimeError), transaction.atomic():
        message()
        raise RuntimeError("the business change fails")
    assert not OutboxMessage.objects.exists()


def test_due_messages_are_sent_with_their_attachments_DOC_3(mailoutbox):
    msg = message(attachments=[Attachment("proof.pdf", "application/pdf", b"%PDF-1.4 x")])
    report = dispatch_due(NOW)
    assert report.sent == 1
    [sent] = mailoutbox
    assert sent.to == ["jan@example.com"] and sent.subject == "Potwierdzenie"
    assert "zażółć gęślą jaźń" in sent.body
    assert sent.attachments == [("proof.pdf", b"%PDF-1.4 x", "application/pdf")]
    assert sent.extra_headers["X-Kantor-Message"] == "test:1"
    msg = reload(msg)
    assert (msg.status, msg.attempts, msg.last_error) == (MessageStatus.SENT, 1, "")
    assert msg.sent_at is not None
    assert dispatch_due(NOW + MINUTE).sent == 0  # sent once only
    assert len(mailoutbox) == 1


def test_an_html_body_goes_as_an_alternative_DOC_3(mailoutbox):
    message(html="<p>Treść</p>")
    dispatch_due(NOW)
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_a_message_is_not_sent_before_it_is_due_DOC_3(mailoutbox):
    message(now=NOW)
    assert dispatch_due(NOW - MINUTE).sent == 0
    assert mailoutbox == []


def test_a_provider_outage_loses_no_message_and_backs_off_exponentially_DOC_3(settings, mailoutbox):
    """1, 2, 4 minutes between attempts; once the provider is back, the message goes."""
    msg = message()
    settings.EMAIL_BACKEND = DOWN
    assert dispatch_due(NOW).retried == 1
    msg = reload(msg)
    assert (msg.status, msg.attempts) == (MessageStatus.PENDING, 1)
    assert "provider unavailable" in msg.last_error
    assert msg.next_attempt_at == NOW + MINUTE

    assert dispatch_due(NOW + MINUTE - timedelta(seconds=1)).retried == 0  # not due yet
    dispatch_due(NOW + MINUTE)
    assert reload(msg).next_attempt_at == NOW + 3 * MINUTE  # waited 2 minutes more
    dispatch_due(NOW + 3 * MINUTE)
    assert reload(msg).next_attempt_at == NOW + 7 * MINUTE  # then 4

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert dispatch_due(NOW + 7 * MINUTE).sent == 1
    msg = reload(msg)
    assert (msg.status, msg.attempts) == (MessageStatus.SENT, 4)
    assert len(mailoutbox) == 1


def test_an_unreachable_provider_leaves_every_claimed_message_to_retry_DOC_3(settings):
    for n in range(3):
        message(f"test:{n}")
    settings.EMAIL_BACKEND = UNREACHABLE
    assert dispatch_due(NOW).retried == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}
    assert "connection refused" in OutboxMessage.objects.first().last_error


def test_the_wait_doubles_up_to_the_cap_DOC_3():
    base, cap = timedelta(seconds=60), timedelta(hours=1)
    waits = [retry_delay(n, base=base, cap=cap).total_seconds() for n in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(10_000, base=base, cap=cap) == cap


def test_after_the_last_attempt_the_message_is_given_up_and_staff_retry_it_DOC_3(
    settings, mailoutbox, admin_user
):
    settings.KANTOR_OUTBOX_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = DOWN
    msg = message()
    moment = NOW
    for _ in range(3):
        dispatch_due(moment)
        moment = reload(msg).next_attempt_at
    msg = reload(msg)
    assert (msg.status, msg.attempts) == (MessageStatus.FAILED, 3)
    assert dispatch_due(NOW + timedelta(days=30)).given_up == 0  # no more attempts
    with pytest.raises(CommandError, match="given up"):
        call_command("outbox", "status")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = NOW + timedelta(days=1)
    assert [m.pk for m in retry_now([msg.pk], acting_user=admin_user, now=later)] == [msg.pk]
    msg = reload(msg)
    assert (msg.status, msg.attempts, msg.next_attempt_at) == (MessageStatus.PENDING, 0, later)
    audit = AuditLog.objects.get(action="notifications.retry_now")
    assert audit.actor == admin_user and audit.details["attempts"] == 3
    assert dispatch_due(later).sent == 1 and len(mailoutbox) == 1


def test_a_sent_message_is_not_retried_DOC_3(admin_user):
    msg = message()
    dispatch_due(NOW)
    assert retry_now([msg.pk], acting_user=admin_user) == []
    assert reload(msg).status == MessageStatus.SENT


def test_a_dispatcher_that_died_after_claiming_leaves_the_message_due_after_the_lease_DOC_3(
    settings, mailoutbox
):
    settings.KANTOR_OUTBOX_LEASE_SECONDS = 300
    msg = message()
    assert claim(NOW, 10) == [msg.pk]  # ... and the process dies here
    assert reload(msg).status == MessageStatus.SENDING
    assert dispatch_due(NOW + MINUTE).sent == 0  # still claimed
    assert dispatch_due(NOW + timedelta(seconds=300)).sent == 1
    assert reload(msg).attempts == 2 and len(mailoutbox) == 1


def test_the_status_command_reports_a_backlog_DOC_3(capsys):
    message()
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        call_command("outbox", "status", "--max-age", "60")
        with pytest.raises(CommandError, match="waited"):
            call_command("outbox", "status", "--max-age", "10")
    assert "pending: 1" in capsys.readouterr().out


def test_the_send_command_dispatches_what_is_due(mailoutbox, capsys):
    message()
    call_command("outbox", "send")
    assert "sent 1" in capsys.readouterr().out and len(mailoutbox) == 1


def test_messages_are_in_polish_unless_the_customer_has_another_language_DOC_3(customer):
    assert customer_language(customer) == "pl"
    customer.language = "en"  # the one place that will read the future field
    assert customer_language(customer) == "en"
    assert supported("en-gb") == "en" and supported("de") == "pl"


def test_the_scheduler_runs_the_dispatcher_DOC_3(mailoutbox):
    from kantor.ops import scheduler

    jobs = {job.name: job for job in scheduler.jobs()}
    assert "market.confirmations" in jobs
    message(now=NOW)
    assert scheduler.run_job(jobs["notifications.dispatch"], NOW)
    assert len(mailoutbox) == 1


@pytest.mark.postgres
def test_two_dispatchers_never_claim_the_same_message_DOC_3():
    """SKIP LOCKED: a second dispatcher passes over the rows the first one holds."""
    keys = [message(f"test:{n}").pk for n in range(4)]
    claimed_by_other: list[int] = []

    def other_dispatcher() -> None:
        try:
            claimed_by_other.extend(claim(NOW, 10))
        finally:
            connection.close()

    with transaction.atomic():
        mine = claim(NOW, 2)  # rows locked until this transaction ends
        thread = threading.Thread(target=other_dispatcher)
        thread.start()
        thread.join(timeout=30)
    assert len(mine) == 2 and len(claimed_by_other) == 2
    assert set(mine).isdisjoint(claimed_by_other)
    assert set(mine) | set(claimed_by_other) == set(keys)
