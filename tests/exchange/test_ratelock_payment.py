"""Paying a rate-locked order through banking's deposit hook (LOCK-6..10, ``003`` pkt 16-21).

Every payment goes through ``kantor.banking.hooks.deposit_booked`` exactly as
banking offers an identified transfer (already on the available balance).
Times are frozen at the edges: 17:59:59 and 18:00:00 Warsaw on D+7, across
the DST changes, over a holiday.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from kantor.domain.calendar import WARSAW
from kantor.domain.money import Money
from kantor.domain.titles import TitlePurpose, generate_title
from kantor.exchange import jobs
from kantor.exchange.models import Exchange, LockStatus, RateLockPayment
from kantor.ledger.invariants import check_ledger
from kantor.ledger.queries import customer_balance
from tests.exchange.conftest import (
    DEADLINE,
    T0,
    at,
    bank_account,
    lock_ready,
    place,
    publish,
    transfer,
)

SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def balance(customer, cur: str) -> Money:
    b = customer_balance(customer, cur)
    return b.available


@pytest.fixture
def ready(customer):
    return lock_ready(customer)


def refreshed(order):
    order.refresh_from_db()
    return order


# -- LOCK-6 the deadline at its edges ------------------------------------------


@pytest.mark.parametrize(
    ("booked", "paid"),
    [
        (DEADLINE - SECOND, True),  # 17:59:59
        (DEADLINE, True),  # 18:00:00 — the deadline instant is still in time
        (DEADLINE + timedelta(microseconds=1), False),
        (DEADLINE + SECOND, False),  # 18:00:01
    ],
)
def test_payment_booked_by_18_00_on_d_plus_7_pays_LOCK_6(ready, booked, paid):
    order = place(ready)  # BUY 1000 EUR at 4.35: 4350.00 PLN due
    claimed = transfer(ready, "4350.00", "PLN", order.title, booked)
    assert (claimed == "exchange") is paid
    order = refreshed(order)
    if paid:
        assert order.status == LockStatus.EXECUTED
        assert balance(ready, "EUR") == Money("1000.00", "EUR")
        assert balance(ready, "PLN") == Money("0.00", "PLN")
    else:
        assert order.status == LockStatus.AWAITING_PAYMENT
        assert RateLockPayment.objects.get().reason == "LATE"
        assert balance(ready, "PLN") == Money("4350.00", "PLN")  # LOCK-10: stays credited
    assert check_ledger().ok


def test_the_deadline_across_the_spring_dst_change_is_18_00_cest_LOCK_6(ready):
    placed = datetime(2026, 3, 23, 9, 0, tzinfo=WARSAW)  # DST starts Sunday 29 March
    order = place(ready, when=placed)
    assert order.deadline == datetime(2026, 3, 30, 18, 0, tzinfo=WARSAW)
    assert order.deadline.utcoffset() is None or order.deadline.astimezone(WARSAW).hour == 18
    in_time = datetime(2026, 3, 30, 17, 59, 59, tzinfo=WARSAW)  # 15:59:59 UTC
    assert transfer(ready, "4350.00", "PLN", order.title, in_time) == "exchange"


def test_the_job_cancels_at_18_00_cest_not_cet_after_the_spring_change_LOCK_6_LOCK_10(ready):
    order = place(ready, when=datetime(2026, 3, 23, 9, 0, tzinfo=WARSAW))
    deadline = datetime(2026, 3, 30, 18, 0, tzinfo=WARSAW)
    jobs.deadlines(deadline)  # 16:00 UTC: still in time
    assert refreshed(order).status == LockStatus.AWAITING_PAYMENT
    jobs.deadlines(deadline + SECOND)
    assert refreshed(order).status == LockStatus.CANCELLED
    assert refreshed(order).cancelled_at == deadline


def test_the_deadline_across_the_autumn_dst_change_LOCK_6(ready):
    order = place(ready, when=datetime(2026, 10, 20, 12, 0, tzinfo=WARSAW))  # CEST
    assert order.deadline == datetime(2026, 10, 27, 18, 0, tzinfo=WARSAW)  # CET, 17:00 UTC
    late = datetime(2026, 10, 27, 18, 0, 1, tzinfo=WARSAW)
    assert transfer(ready, "4350.00", "PLN", order.title, late) is None
    assert transfer(ready, "4350.00", "PLN", order.title, late - 2 * SECOND) == "exchange"


def test_a_holiday_does_not_move_the_deadline_LOCK_6(ready):
    """Calendar days: placed Sunday 26 April 2026 ⇒ due Sunday 3 May (Constitution Day)."""
    order = place(ready, when=datetime(2026, 4, 26, 11, 0, tzinfo=WARSAW))
    holiday_deadline = datetime(2026, 5, 3, 18, 0, tzinfo=WARSAW)
    assert order.deadline == holiday_deadline
    jobs.deadlines(holiday_deadline - SECOND)
    assert refreshed(order).status == LockStatus.AWAITING_PAYMENT
    jobs.deadlines(holiday_deadline + SECOND)  # not postponed to the next business day
    assert refreshed(order).status == LockStatus.CANCELLED


# -- LOCK-7 overpayment, underpayment --------------------------------------------


def test_up_to_110_percent_with_the_right_title_pays_and_credits_the_surplus_LOCK_7(ready):
    order = place(ready)
    assert transfer(ready, "4785.00", "PLN", f"Przelew {order.title}", T0 + DAY) == "exchange"
    assert refreshed(order).status == LockStatus.EXECUTED
    assert balance(ready, "PLN") == Money("435.00", "PLN")  # the 10 % surplus stays available
    assert balance(ready, "EUR") == Money("1000.00", "EUR")
    assert RateLockPayment.objects.get().reason == "OVERPAYMENT_ACCEPTED"
    assert check_ledger().ok


@pytest.mark.parametrize(
    ("amount", "reason"), [("4785.01", "OVERPAYMENT_OVER_LIMIT"), ("4349.99", "UNDERPAYMENT")]
)
def test_more_than_110_percent_or_less_than_due_does_not_pay_LOCK_7_LOCK_10(ready, amount, reason):
    order = place(ready)
    assert transfer(ready, amount, "PLN", order.title, T0 + DAY) is None
    assert refreshed(order).status == LockStatus.AWAITING_PAYMENT
    assert RateLockPayment.objects.get().reason == reason
    assert balance(ready, "PLN") == Money(amount, "PLN")
    assert check_ledger().ok


def test_the_right_title_in_another_currency_does_not_pay_LOCK_10(ready):
    order = place(ready)
    assert transfer(ready, "4350.00", "EUR", order.title, T0 + DAY) is None
    assert RateLockPayment.objects.get().reason == "WRONG_CURRENCY"


# -- LOCK-8 the exact amount under another title ---------------------------------


def test_the_exact_amount_under_a_harmless_title_pays_the_only_order_LOCK_8(ready):
    order = place(ready)
    assert transfer(ready, "4350.00", "PLN", "wymiana walut", T0 + DAY) == "exchange"
    assert refreshed(order).status == LockStatus.EXECUTED
    assert RateLockPayment.objects.get().reason == "OTHER_TITLE_ACCEPTED"


def test_two_open_orders_that_could_claim_it_make_it_ambiguous_LOCK_8(ready):
    first = place(ready)
    second = place(ready, when=T0 + timedelta(minutes=5))
    assert transfer(ready, "4350.00", "PLN", "wymiana", T0 + DAY) is None
    assert RateLockPayment.objects.get().reason == "AMBIGUOUS"
    assert {refreshed(first).status, refreshed(second).status} == {LockStatus.AWAITING_PAYMENT}


def test_a_title_pointing_to_another_purpose_does_not_pay_LOCK_8(ready):
    """pkt 16b.2: e.g. the customer's wallet-deposit reference names another service."""
    order = place(ready)
    deposit_reference = generate_title(TitlePurpose.DEPOSIT, random.Random(5))
    assert transfer(ready, "4350.00", "PLN", f"doładowanie {deposit_reference}", T0 + DAY) is None
    assert RateLockPayment.objects.get().reason == "TITLE_POINTS_ELSEWHERE"
    assert refreshed(order).status == LockStatus.AWAITING_PAYMENT


def test_an_overpayment_under_another_title_does_not_pay_LOCK_7_LOCK_8(ready):
    place(ready)
    assert transfer(ready, "4400.00", "PLN", "wymiana", T0 + DAY) is None
    assert RateLockPayment.objects.get().reason == "OVERPAYMENT_OTHER_TITLE"


def test_a_second_transfer_for_a_paid_order_stays_on_the_balance_LOCK_8(ready):
    first = place(ready)
    twin = place(ready, when=T0 + timedelta(minutes=5))
    assert transfer(ready, "4350.00", "PLN", first.title, T0 + DAY) == "exchange"
    assert transfer(ready, "4350.00", "PLN", first.title, T0 + 2 * DAY) is None
    assert refreshed(twin).status == LockStatus.AWAITING_PAYMENT
    assert balance(ready, "PLN") == Money("4350.00", "PLN")


def test_a_deposit_unrelated_to_any_order_is_left_alone_LOCK_10(ready):
    assert transfer(ready, "100.00", "PLN", "wpłata", T0) is None
    assert RateLockPayment.objects.count() == 0


def test_the_same_deposit_offered_twice_is_handled_once_LOCK_7(ready):
    from kantor.exchange.actions import handle_rate_lock_deposit

    order = place(ready)
    transfer(ready, "4350.00", "PLN", order.title, T0 + DAY)
    deposit_id = RateLockPayment.objects.get().deposit_id

    assert handle_rate_lock_deposit(SimpleNamespace(deposit_id=deposit_id)) is True  # a retry
    assert Exchange.objects.count() == 1


# -- LOCK-9 execution at once, or waiting for the conditions ---------------------


def test_paid_in_time_executes_at_once_at_the_locked_rate_LOCK_9(ready):
    order = place(ready, "SELL", "1000.00", "EUR")  # receives 4250.00 PLN at the locked bid
    publish(mid="3.9000", bid="3.8500", ask="3.9500", ts=(T0 + DAY).astimezone(WARSAW))
    assert transfer(ready, "1000.00", "EUR", order.title, T0 + 2 * DAY) == "exchange"
    order = refreshed(order)
    assert order.exchange.rate == order.rate
    assert order.executed_at == T0 + 2 * DAY
    assert balance(ready, "PLN") == Money("4250.00", "PLN")
    assert check_ledger().ok


def test_proceeds_are_paid_out_per_the_customers_instruction_LOCK_9(ready):
    order = place(ready, payout=ready.eur_account)
    transfer(ready, "4350.00", "PLN", order.title, T0 + DAY)
    order = refreshed(order)
    assert order.status == LockStatus.EXECUTED
    try:
        from kantor.banking.actions import request_withdrawal  # noqa: F401
    except ImportError:
        pytest.skip("PENDING banking: kantor.banking.actions.request_withdrawal not there yet")
    assert order.payout_reference and not order.payout_error
    assert customer_balance(ready, "EUR").available == Money("0.00", "EUR")
    assert check_ledger().ok


def test_paid_before_the_conditions_waits_then_executes_when_met_LOCK_9(customer):
    ready = lock_ready(customer, verified=False)
    order = place(ready)
    assert transfer(ready, "4350.00", "PLN", order.title, T0 + DAY) == "exchange"
    assert refreshed(order).status == LockStatus.PAID_WAITING
    held = customer_balance(ready, "PLN")
    assert (held.available, held.reserved) == (Money("0.00", "PLN"), Money("4350.00", "PLN"))
    assert check_ledger().ok  # the reservation is registered (MON-5)

    jobs.deadlines(T0 + 2 * DAY)
    assert refreshed(order).status == LockStatus.PAID_WAITING
    ready.verified_at = T0 + 3 * DAY
    ready.save(update_fields=["verified_at"])
    ready.pln_account.verified_at = T0 + 3 * DAY
    ready.pln_account.save(update_fields=["verified_at"])
    with at(T0 + 3 * DAY):
        jobs.deadlines(T0 + 3 * DAY)
    order = refreshed(order)
    assert order.status == LockStatus.EXECUTED
    assert customer_balance(ready, "PLN").reserved == Money("0.00", "PLN")
    assert balance(ready, "EUR") == Money("1000.00", "EUR")
    assert check_ledger().ok


def test_conditions_not_met_by_the_deadline_cancel_and_release_the_payment_LOCK_9(customer):
    ready = lock_ready(customer, verified=False)
    order = place(ready)
    transfer(ready, "4350.00", "PLN", order.title, T0 + DAY)
    jobs.deadlines(DEADLINE + SECOND)
    order = refreshed(order)
    assert (order.status, order.cancel_reason) == (LockStatus.CANCELLED, "CONDITIONS_NOT_MET")
    assert customer_balance(ready, "PLN").reserved == Money("0.00", "PLN")
    # the released payment pays the damages first (mid unchanged: S = 0.10 × 1000)
    assert order.damages == Money("100.00", "PLN")
    assert balance(ready, "PLN") == Money("4250.00", "PLN")
    assert check_ledger().ok


def test_an_unverified_sender_account_keeps_the_order_waiting_LOCK_9(ready):
    stranger = bank_account(ready, "PLN", verified=False)
    order = place(ready)
    transfer(ready, "4350.00", "PLN", order.title, T0 + DAY, sender=stranger)
    assert refreshed(order).status == LockStatus.PAID_WAITING


# -- LOCK-10 at the deadline; a late statement -----------------------------------


def test_unpaid_at_the_deadline_is_cancelled_and_what_arrived_stays_LOCK_10(ready):
    order = place(ready)
    transfer(ready, "1000.00", "PLN", order.title, T0 + DAY)  # too little: to the balance
    jobs.deadlines(DEADLINE + SECOND)
    jobs.deadlines(DEADLINE + 2 * SECOND)  # idempotent: a second run changes nothing
    order = refreshed(order)
    assert (order.status, order.cancel_reason) == (LockStatus.CANCELLED, "NOT_PAID_IN_TIME")
    assert order.cancelled_at == DEADLINE
    assert order.damages == Money("100.00", "PLN")
    assert balance(ready, "PLN") == Money("900.00", "PLN")  # 1000 credited − 100 damages
    assert check_ledger().ok


def test_a_payment_booked_in_time_but_imported_after_the_cancellation_still_pays_LOCK_6(ready):
    order = place(ready)
    jobs.deadlines(DEADLINE + timedelta(minutes=5))
    assert refreshed(order).status == LockStatus.CANCELLED
    claimed = transfer(
        ready, "4350.00", "PLN", order.title, DEADLINE - timedelta(minutes=1),
        processed_at=DEADLINE + timedelta(hours=14),
    )  # fmt: skip
    order = refreshed(order)
    assert claimed == "exchange" and order.status == LockStatus.EXECUTED
    assert order.damages_owed == Money("0.00", "PLN")
    assert balance(ready, "EUR") == Money("1000.00", "EUR")
    assert balance(ready, "PLN") == Money("0.00", "PLN")
    assert check_ledger().ok
