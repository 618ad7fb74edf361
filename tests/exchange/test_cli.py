"""``kantor exchange``, ``kantor ratelock``, ``kantor treasury``: thin, JSON, never a traceback."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from kantor.core.models import AuditLog
from kantor.exchange.models import LockStatus, RateLockOrder
from kantor.ledger.invariants import check_ledger
from tests.exchange.conftest import DEADLINE, NOW, T0, lock_ready, place, publish
from tests.factories import fund


def cli(*args) -> object:
    out = StringIO()
    call_command(*args, stdout=out)
    text = out.getvalue()
    try:
        return json.loads(text)
    except ValueError:
        return text


@pytest.fixture
def frozen():
    with time_machine.travel(NOW + timedelta(seconds=10)):
        yield


def test_instant_exchange_at_the_current_rate_FX_1(customer, eurpln, frozen):
    fund(customer, "1000.00", "PLN")
    preview = cli(
        "exchange", "instant", customer.email, "EURPLN", "buy", "100.00", "EUR", "--dry-run"
    )
    assert preview == {
        "dry_run": True,
        "rate": "4.3500",
        "sold": "435.00 PLN",
        "bought": "100.00 EUR",
    }
    done = cli("exchange", "instant", customer.email, "EURPLN", "BUY", "100.00", "EUR")
    assert done["sold"] == "435.00 PLN" and done["rate_ts"] == "2026-03-02T09:00:00.000Z"
    assert [e["exchange_id"] for e in cli("exchange", "list", customer.email)] == [
        done["exchange_id"]
    ]
    assert check_ledger().ok


def test_refusals_exit_with_the_code_FX_1(customer, eurpln, frozen):
    with pytest.raises(CommandError, match=r"\[INSUFFICIENT_FUNDS\]"):
        cli("exchange", "instant", customer.email, "EURPLN", "BUY", "100.00", "EUR")
    with pytest.raises(CommandError, match=r"\[CURRENCY_NOT_SUPPORTED\]"):
        cli("exchange", "instant", customer.email, "CZKPLN", "BUY", "1.00", "CZK")
    with pytest.raises(CommandError, match="--ts"):
        cli("exchange", "instant", customer.email, "EURPLN", "BUY", "1.00", "EUR", "--ts", "x")


def test_rate_lock_from_quote_to_waiver_LOCK_3_LOCK_11(customer, django_user_model):
    django_user_model.objects.create_user("ops", is_staff=True)
    lock_ready(customer)
    publish(ts=T0.astimezone(UTC))
    with time_machine.travel(T0):
        q = cli("ratelock", "quote", customer.email, "EURPLN")
        order = cli("ratelock", "place", customer.email, q["quote_id"], "BUY", "100.00", "EUR")
    assert order["amountDue"] == "435.00" and order["status"] == "awaiting_payment"
    assert cli("ratelock", "show", order["transferTitle"])["orderId"] == order["orderId"]
    with time_machine.travel(DEADLINE + timedelta(seconds=1)):
        cli("ratelock", "run-deadlines")
    shown = cli("ratelock", "list", customer.email, "--status", "cancelled")[0]
    assert (shown["damagesAmount"], shown["damagesOwed"]) == ("10.00", "10.00")
    cli("ratelock", "waive", order["orderId"], "--reason", "goodwill", "--staff", "ops")
    assert RateLockOrder.objects.get().damages_owed.amount == 0
    assert AuditLog.objects.filter(action="rate_lock.damages_waived", details__via="cli").exists()
    assert check_ledger().ok


def test_agreement_from_the_command_line_LOCK_1(customer, django_user_model):
    django_user_model.objects.create_user("ops", is_staff=True)
    assert cli("ratelock", "agreement", customer.email, "--conclude")["status"] == "active"
    ended = cli("ratelock", "end-agreement", customer.email, "--reason", "unpaid", "--staff", "ops")
    assert ended == {"status": "ended_by_operator", "refuse_new": True, "reason": "unpaid"}
    with pytest.raises(CommandError, match=r"\[AGREEMENT_REFUSED\]"):
        cli("ratelock", "agreement", customer.email, "--conclude")
    assert cli("ratelock", "allow-new", customer.email, "--reason", "ok", "--staff", "ops")


def test_treasury_shows_booked_and_committed_positions(customer, eurpln, frozen):
    fund(customer, "1000.00", "PLN")
    cli("exchange", "instant", customer.email, "EURPLN", "BUY", "100.00", "EUR")
    lock_ready(customer)
    with time_machine.travel(T0):
        place(customer, "SELL", "50.00", "EUR")
    data = cli("treasury", "--json")
    by_cur = {p["currency"]: p for p in data["positions"]}
    assert by_cur["EUR"] == {
        "currency": "EUR",
        "booked": "-100.00",  # sold to the customer
        "committed": "50.00",  # to be bought under the locked order
        "total": "-50.00",
        "total_pln": by_cur["EUR"]["total_pln"],
    }
    assert (by_cur["PLN"]["booked"], by_cur["PLN"]["committed"]) == ("430.00", "-215.00")
    assert data["open_locked_orders"] == 1
    assert data["income"]["fx_income"] == ["5.00 PLN"]
    text = cli("treasury")
    assert "EUR" in text and "open rate-locked orders: 1" in text
    assert RateLockOrder.objects.get().status == LockStatus.AWAITING_PAYMENT
