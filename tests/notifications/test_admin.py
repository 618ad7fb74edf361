"""The outbox in the back office (DOC-3): staff see stuck messages and send them again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from kantor.core.models import AuditLog
from kantor.notifications.dispatch import dispatch_due
from kantor.notifications.models import MessageStatus, OutboxMessage
from kantor.notifications.outbox import Attachment, enqueue

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANGELIST = "admin:notifications_outboxmessage_changelist"


@pytest.fixture
def given_up(settings):
    settings.KANTOR_OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "tests.notifications.backends.DownBackend"
    msg = enqueue(
        key="test:given-up",
        kind="market.trade",
        to="jan@example.com",
        subject="Potwierdzenie transakcji",
        body="…",
        language="pl",
        attachments=[Attachment("proof.pdf", "application/pdf", b"%PDF-1.4 proof")],
        now=NOW,
    )
    dispatch_due(NOW)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return OutboxMessage.objects.get(pk=msg.pk)


@pytest.fixture
def support(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="support.user", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    return client


def test_staff_see_given_up_messages_with_the_error_DOC_3(support, given_up):
    assert given_up.status == MessageStatus.FAILED
    page = support.get(reverse(CHANGELIST) + "?status=failed", secure=True)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Potwierdzenie transakcji" in text and "provider unavailable" in text


def test_the_message_page_links_its_attachment_DOC_3(support, given_up):
    page = support.get(
        reverse("admin:notifications_outboxmessage_change", args=[given_up.pk]), secure=True
    )
    assert page.status_code == 200
    attachment = given_up.attachments.get()
    link = reverse("admin:notifications_outbox_attachment", args=[attachment.pk])
    assert link in page.content.decode()
    download = support.get(link, secure=True)
    assert download.content == b"%PDF-1.4 proof" and download["Content-Type"] == "application/pdf"


def test_support_retries_now_and_the_worker_sends_it_DOC_3(support, given_up, mailoutbox):
    response = support.post(
        reverse(CHANGELIST),
        {"action": "retry_now", "_selected_action": [str(given_up.pk)]},
        secure=True,
    )
    assert response.status_code == 302
    given_up.refresh_from_db()
    assert (given_up.status, given_up.attempts) == (MessageStatus.PENDING, 0)
    assert AuditLog.objects.filter(action="notifications.retry_now").count() == 1
    assert dispatch_due().sent == 1 and len(mailoutbox) == 1


def test_nobody_adds_or_edits_messages_by_hand(admin_client, given_up):
    assert (
        admin_client.get(reverse("admin:notifications_outboxmessage_add"), secure=True).status_code
        == 403
    )
    change = reverse("admin:notifications_outboxmessage_change", args=[given_up.pk])
    admin_client.post(change, {"subject": "edited"}, secure=True)
    given_up.refresh_from_db()
    assert given_up.subject == "Potwierdzenie transakcji"
