"""LOCK-10/11: cancellation at the deadline and the damages S = (Mk + Ms + Z) × K.

Worked examples for both directions and both signs of Z; the receivable is
collected from the balance when the money is there and shown as owed
otherwise; staff can waive it with a reason. Every test ends with the ledger
checked (MON-4).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kantor.core.models import AuditLog
from kantor.domain.money import Money
from kantor.exchange import jobs
from kantor.exchange.actions import waive_damages
from kantor.exchange.errors import ExchangeError, OrderStateError
from kantor.exchange.models import LockStatus
from kantor.exchange.queries import owed_damages
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, HistoryItem
from kantor.ledger.queries import customer_balance
from tests.exchange.conftest import DEADLINE, T0, lock_ready, mid, place
from tests.factories import fund

AFTER = DEADLINE + timedelta(seconds=1)


@pytest.fixture
def ready(customer):
    return lock_ready(customer)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", is_staff=True)


def cancel_with_mid(order, mid_at_deadline: str):
    mid("EURPLN", mid_at_deadline, DEADLINE - timedelta(minutes=1))
    jobs.deadlines(AFTER)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize(
    ("side", "mid_later", "expected"),
    [
        # order buying EUR (Mk = Ms = 0.05): the mid fell ⇒ Z > 0, rose ⇒ Z < 0
        ("BUY", "4.2000", "200.00"),  # (0.05 + 0.05 + 0.10) × 1000
        ("BUY", "4.3500", "50.00"),  # (0.05 + 0.05 − 0.05) × 1000
        # order selling EUR: the mid rose ⇒ Z > 0, fell ⇒ Z < 0
        ("SELL", "4.4000", "200.00"),
        ("SELL", "4.2500", "50.00"),
        # no change: the two margins only
        ("BUY", "4.3000", "100.00"),
        ("SELL", "4.3000", "100.00"),
        # Z larger than the margins: never below zero
        ("BUY", "4.5000", "0.00"),
        ("SELL", "4.1000", "0.00"),
    ],
)
def test_damages_for_both_directions_and_both_signs_of_z_LOCK_11(ready, side, mid_later, expected):
    order = cancel_with_mid(place(ready, side, "1000.00", "EUR"), mid_later)
    assert (order.status, order.cancel_reason) == (LockStatus.CANCELLED, "NOT_PAID_IN_TIME")
    assert order.damages == Money(expected, "PLN")
    assert str(order.mid_at_cancellation.normalize()) == str(mid_later.rstrip("0").rstrip("."))
    receivable = accounts.receivable(ready, "PLN").balance
    assert receivable == Money(expected, "PLN")  # nothing on the balance to collect from
    assert owed_damages(ready) == ([Money(expected, "PLN")] if expected != "0.00" else [])
    assert check_ledger().ok


def test_z_uses_the_mid_at_the_deadline_even_when_the_job_runs_late_LOCK_11(ready):
    order = place(ready, "BUY", "1000.00", "EUR")
    mid("EURPLN", "4.2000", DEADLINE - timedelta(minutes=1))
    mid("EURPLN", "4.6000", DEADLINE + timedelta(hours=1))  # the market after the deadline
    jobs.deadlines(DEADLINE + timedelta(hours=3))
    order.refresh_from_db()
    assert order.damages == Money("200.00", "PLN")


def test_damages_are_collected_from_the_balance_as_far_as_it_goes_LOCK_11(ready):
    fund(ready, "150.00", "PLN")
    order = cancel_with_mid(place(ready), "4.2000")  # S = 200.00 PLN
    assert customer_balance(ready, "PLN").available == Money("0.00", "PLN")
    assert order.damages_owed == Money("50.00", "PLN")
    item = HistoryItem.objects.filter(customer=ready, operation_detailed_type="CHARGE_COMPENSATION")
    assert [i.amount for i in item] == [Money("-150.00", "PLN")]

    fund(ready, "80.00", "PLN")
    jobs.collect_damages(AFTER + timedelta(days=1))
    jobs.collect_damages(AFTER + timedelta(days=1))  # idempotent
    order.refresh_from_db()
    assert order.damages_owed == Money("0.00", "PLN")
    assert customer_balance(ready, "PLN").available == Money("30.00", "PLN")
    assert accounts.receivable(ready, "PLN").balance == Money("0.00", "PLN")
    assert accounts.operator_account(AccountKind.DAMAGES_INCOME, "PLN").balance == Money(
        "200.00", "PLN"
    )
    assert check_ledger().ok


def test_damages_in_the_quote_currency_are_not_taken_from_another_currency_LOCK_11(ready):
    fund(ready, "500.00", "EUR")
    order = cancel_with_mid(place(ready, "SELL", "1000.00", "EUR"), "4.3000")
    assert order.damages_owed == Money("100.00", "PLN")
    assert customer_balance(ready, "EUR").available == Money("500.00", "EUR")
    assert check_ledger().ok


def test_staff_waive_the_damages_with_a_reason_LOCK_11(ready, staff):
    fund(ready, "150.00", "PLN")
    order = cancel_with_mid(place(ready), "4.2000")  # 150 collected, 50 owed
    with pytest.raises(ExchangeError) as err:
        waive_damages(order, reason=" ", acting_user=staff)
    assert err.value.code == "REASON_REQUIRED"
    waive_damages(order, reason="bank outage on the deadline day", acting_user=staff)
    order.refresh_from_db()
    assert order.damages_owed == Money("0.00", "PLN")
    assert (order.waived_by, order.waive_reason) == (staff, "bank outage on the deadline day")
    assert customer_balance(ready, "PLN").available == Money("150.00", "PLN")  # refunded
    assert accounts.receivable(ready, "PLN").balance == Money("0.00", "PLN")
    assert accounts.operator_account(AccountKind.DAMAGES_INCOME, "PLN").balance.amount == 0
    row = AuditLog.objects.get(action="rate_lock.damages_waived")
    assert row.details["reason"] == "bank outage on the deadline day"
    assert (row.details["written_off"], row.details["refunded"]) == ("50.00 PLN", "150.00 PLN")
    with pytest.raises(OrderStateError):
        waive_damages(order, reason="again", acting_user=staff)
    jobs.collect_damages(AFTER + timedelta(days=2))  # nothing is collected after a waiver
    assert customer_balance(ready, "PLN").available == Money("150.00", "PLN")
    assert check_ledger().ok


def test_an_order_before_its_deadline_is_not_cancelled_LOCK_4(ready):
    order = place(ready)
    jobs.deadlines(DEADLINE)
    order.refresh_from_db()
    assert order.status == LockStatus.AWAITING_PAYMENT
    assert order.damages_minor == 0


def test_a_missing_mid_takes_z_as_zero_LOCK_11(ready):
    from kantor.rates.models import MidRate

    order = place(ready)
    MidRate.objects.all().delete()
    jobs.deadlines(AFTER)
    order.refresh_from_db()
    assert order.damages == Money("100.00", "PLN")
    assert check_ledger().ok


def test_quotes_are_cleaned_up_a_day_after_they_expired_LOCK_3(ready):
    from kantor.exchange.models import RateLockQuote

    place(ready)
    assert jobs.purge_quotes(T0 + timedelta(hours=1)) == 0
    assert jobs.purge_quotes(T0 + timedelta(days=2)) == 1
    assert RateLockQuote.objects.count() == 0
