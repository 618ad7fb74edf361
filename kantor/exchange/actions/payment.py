"""Paying a rate-locked order and executing it (LOCK-6..9; ``003`` pkt 14-19, 21).

Banking books an identified deposit to the customer's *available* balance and
offers it to ``handle_rate_lock_deposit`` (``kantor.banking.hooks``), inside
its transaction. The pure rules decide which open order, if any, the payment
pays (``match_payment``: LOCK-7 up to 110% with the right title, LOCK-8 the
exact amount under a harmless title, booked by the deadline, LOCK-6) and what
happens to a paid order (``paid_order_action``, LOCK-9):

* EXECUTE — the exchange runs at once at the locked rate from the money just
  credited, the surplus of a LOCK-7 overpayment stays on the balance, and the
  proceeds are paid out per the customer's instruction (``payouts.pay_out``);
* WAIT — paid in time but the service's conditions are not met yet: the
  amount due is reserved for the order until they are, or until the deadline
  (then LOCK-10 cancels it and releases the money, ``expiry``);
* CANCEL — the conditions were met only after the deadline.

A refused payment simply stays on the balance (LOCK-10); the decision is
recorded (``RateLockPayment``) so the customer and support can see why.

Decision — a payment booked by the bank in time but reaching Kantor after the
expiry job cancelled the order (a statement imported late) still pays it: the
cancellation and its damages are reversed and the order executes (LOCK-6
counts the bank's booking time, not Kantor's processing time).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kantor.customers.models import BankAccount, Customer
from kantor.domain.ratelock import (
    IncomingPayment,
    LockAction,
    match_payment,
    paid_order_action,
)
from kantor.domain.titles import TitlePurpose, find_titles

from ..booking import book_exchange, move_reserved
from ..models import (
    ExchangeSource,
    LockCancelReason,
    LockStatus,
    RateLockOrder,
    RateLockPayment,
)
from ..payouts import pay_out
from ..pricing import plan_locked
from ._common import commission_terms

__all__ = ["execute_locked_order", "handle_rate_lock_deposit", "settle_paid_order"]


def _points_elsewhere(title: str) -> bool:
    """LOCK-8 (pkt 16b.2): a title carrying any other Kantor title (a deposit
    reference, an order placed by transfer, another locked order) names
    another purpose."""
    return bool(find_titles(title))


def _candidates(customer: Customer, booked_at: datetime) -> list[RateLockOrder]:
    """Orders the payment may pay: the open ones, and those cancelled for
    non-payment only after it was booked (see the module's decision)."""
    late = Q(
        status=LockStatus.CANCELLED,
        cancel_reason=LockCancelReason.NOT_PAID_IN_TIME,
        deadline__gte=booked_at,
    )
    return list(
        RateLockOrder.objects.select_for_update()
        .filter(Q(customer=customer) & (Q(status=LockStatus.AWAITING_PAYMENT) | late))
        .order_by("pk")
    )


@transaction.atomic
def handle_rate_lock_deposit(deposit) -> bool:
    """The banking deposit handler for rate locks (``BookedDeposit``); idempotent
    per ``deposit_id``. True when the deposit paid a locked order."""
    seen = RateLockPayment.objects.filter(deposit_id=deposit.deposit_id).first()
    if seen is not None:
        return seen.accepted
    lock_titles = [t for t in deposit.titles if t.startswith(TitlePurpose.RATE_LOCK.prefix)]
    customer = Customer.objects.get(pk=deposit.customer_id)
    candidates = _candidates(customer, deposit.booked_at)
    if not candidates and not lock_titles:
        return False  # nothing to do with the rate lock: an ordinary deposit
    named = RateLockOrder.objects.filter(customer=customer, title__in=lock_titles).first()
    title = named.title if named is not None else deposit.description
    by_title = {o.title: o for o in candidates}
    decision = match_payment(
        [o.as_domain() for o in candidates],
        IncomingPayment(deposit.money, title, deposit.booked_at),
        other_purposes=_points_elsewhere,
    )
    paid = by_title[decision.paid_order.title] if decision.paid_order is not None else None
    payment = RateLockPayment.objects.create(
        deposit_id=deposit.deposit_id,
        customer=customer,
        order=paid,
        named_order=named,
        currency=deposit.money.currency.code,
        amount_minor=deposit.money.minor,
        description=deposit.description[:300],
        booked_at=deposit.booked_at,
        reason=decision.reason.value,
        accepted=decision.accepted,
    )
    if paid is None:
        return False
    sender = BankAccount.objects.filter(pk=deposit.sender_account_id).first()
    note = settle_paid_order(paid, booked_at=deposit.booked_at, sender=sender, payment=payment)
    if note:
        payment.note = note[:300]
        payment.save(update_fields=["note"])
    return True


def settle_paid_order(
    order: RateLockOrder,
    *,
    booked_at: datetime,
    sender: BankAccount | None,
    payment: RateLockPayment | None = None,
    now: datetime | None = None,
) -> str:
    """LOCK-9 for an order whose payment was just accepted; returns a note."""
    from .expiry import cancel_order, reinstate_order

    now = now or timezone.now()
    customer = order.customer
    action = paid_order_action(
        order.as_domain(),
        now,
        customer_verified_at=customer.verified_at,
        sender_account_verified_at=sender.verified_at if sender else None,
    )
    if order.status == LockStatus.CANCELLED:
        if action is not LockAction.EXECUTE:
            return "paid in time but processed after the deadline with the conditions unmet"
        reinstate_order(order, booked_at=booked_at, now=now)
    order.paid_at = booked_at
    order.payment_deposit_id = payment.deposit_id if payment else None
    order.payment_sender_account = sender
    order.save(update_fields=["paid_at", "payment_deposit_id", "payment_sender_account"])
    if action is LockAction.EXECUTE:
        execute_locked_order(order, now=now)
        return ""
    if action is LockAction.WAIT:
        move_reserved(
            customer, order.amount_due, key=f"ratelock:{order.pk}:reserve", reserve=True, now=now
        )
        order.status = LockStatus.PAID_WAITING
        order.save(update_fields=["status"])
        return "paid in time; waiting for the service's conditions (LOCK-9)"
    cancel_order(order, LockCancelReason.CONDITIONS_NOT_MET, now=now, reserved=False)
    return "paid in time; the service's conditions were not met by the deadline"


@transaction.atomic
def execute_locked_order(order: RateLockOrder, *, now: datetime | None = None) -> RateLockOrder:
    """LOCK-9 (pkt 18-19): exchange at the locked rate at once, then pay out.

    A waiting order (PAID_WAITING) is paid from the funds reserved for it;
    otherwise from the payment just credited to the available balance.
    """
    now = now or timezone.now()
    from_reserved = order.status == LockStatus.PAID_WAITING
    commission_rate, discount = commission_terms(order.customer)
    plan = plan_locked(
        order.currency_pair,
        order.direction.side,
        order.amount,
        order.rate,
        order.mid,
        commission_rate=commission_rate,
        discount=discount,
        rate_ts=order.rate_ts,
    )
    exchange = book_exchange(
        order.customer,
        plan,
        source=ExchangeSource.RATE_LOCK,
        key=f"ratelock:{order.pk}:exchange",
        now=now,
        submit_id=order.submit_id,
        ordered_by=order.ordered_by,
        from_reserved=from_reserved,
        description=f"rate-locked order {order.title}",
    )
    order.status = LockStatus.EXECUTED
    order.executed_at = now
    order.exchange = exchange
    if order.payout_account is not None:
        outcome = pay_out(
            order.customer,
            order.payout_account,
            plan.bought,
            idempotency_key=f"ratelock:{order.pk}:payout",
            ordered_by=order.ordered_by,
        )
        order.payout_reference, order.payout_error = outcome.reference, outcome.error
    order.save()
    return order
