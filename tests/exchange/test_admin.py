"""The back office for exchanges: pages load, the treasury page, the audited waiver (LOCK-11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kantor.core.models import AuditLog
from kantor.exchange import jobs
from kantor.exchange.models import RateLockOrder
from kantor.ledger.invariants import check_ledger
from tests.exchange.conftest import DEADLINE, NOW, lock_ready, place
from tests.factories import fund

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

PAGES = ["exchange", "ratelockorder", "ratelockagreement", "depositorder", "treasuryposition"]


@pytest.fixture
def cancelled(customer):
    lock_ready(customer)
    order = place(customer)
    fund(customer, "40.00", "PLN")
    jobs.deadlines(DEADLINE + timedelta(seconds=1))  # S = 100.00 PLN: 40 collected, 60 owed
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("model", PAGES)
def test_every_page_loads_for_a_superuser(admin_client, cancelled, model):
    page = admin_client.get(reverse(f"admin:exchange_{model}_changelist"), secure=True)
    assert page.status_code == 200


def test_the_order_page_is_view_only(admin_client, cancelled):
    page = admin_client.get(
        reverse("admin:exchange_ratelockorder_change", args=[cancelled.pk]), secure=True
    )
    assert page.status_code == 200 and b"deadline" in page.content.lower()


def test_the_treasury_page_shows_the_position(admin_client, customer, eurpln):
    from kantor.exchange.actions import exchange_instant

    fund(customer, "1000.00", "PLN")
    exchange_instant(customer, "EURPLN", "BUY", "100.00", "EUR", NOW, now=NOW)
    page = admin_client.get(reverse("admin:exchange_treasuryposition_changelist"), secure=True)
    text = page.content.decode()
    assert "-100.00 EUR" in text and "430.00 PLN" in text and "5.00 PLN" in text


def test_staff_waive_damages_with_a_reason_LOCK_11(admin_client, cancelled):
    changelist = reverse("admin:exchange_ratelockorder_changelist")
    form = {"action": "waive", "_selected_action": [str(cancelled.pk)]}
    asked = admin_client.post(changelist, form, secure=True)
    assert asked.status_code == 200 and b'name="reason"' in asked.content
    admin_client.post(changelist, {**form, "apply": "1", "reason": "complaint upheld"}, secure=True)
    order = RateLockOrder.objects.get()
    assert order.damages_owed.amount == 0 and order.waive_reason == "complaint upheld"
    row = AuditLog.objects.get(action="rate_lock.damages_waived")
    assert row.details["via"] == "admin" and row.details["refunded"] == "40.00 PLN"
    assert check_ledger().ok
