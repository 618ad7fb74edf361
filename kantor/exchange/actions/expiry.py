"""Cancelling rate-locked orders and their damages (LOCK-9..11, LOCK-15; ``003`` pkt 20-22).

* ``expire_order`` — the scheduled job's work (LOCK-10): an order not paid by
  its deadline is cancelled *at* the deadline, whenever the job runs; what
  did arrive was credited when it arrived and stays on the balance.
* ``process_waiting`` — a paid order waiting for the service's conditions
  (LOCK-9) executes once they are met, or is cancelled at the deadline and
  its reserved payment released.
* Damages S = (Mk + Ms + Z) × K (LOCK-11) are booked as a receivable against
  the customer and collected from the available balance in the quote
  currency as far as it goes; the rest is shown as owed and collected later
  (``collect_damages``), and blocks new locked orders meanwhile (FEE-2).
* ``waive_damages`` — staff waive them with a reason (audited): what is owed
  is written off, what was collected is given back.

Every function locks the order row and re-checks its state, so running a job
twice, or late, changes nothing more (idempotent).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kantor.core import audit
from kantor.domain.money import Money
from kantor.domain.ratelock import LockAction, cancel_at_deadline, lock_damages, paid_order_action
from kantor.ledger import accounts
from kantor.ledger.posting import InsufficientFunds
from kantor.rates.errors import NoRateForPair
from kantor.rates.queries import mid_at

from ..booking import book_damages, collect_damages_posting, move_reserved, reverse_damages
from ..errors import ExchangeError, OrderStateError
from ..models import OPEN_LOCK_STATUSES, LockCancelReason, LockStatus, RateLockOrder

__all__ = [
    "cancel_order",
    "collect_damages",
    "expire_order",
    "process_waiting",
    "reinstate_order",
    "waive_damages",
    "withdraw_order",
]


def _locked(order: RateLockOrder) -> RateLockOrder:
    return RateLockOrder.objects.select_for_update().select_related("customer").get(pk=order.pk)


def _mid(order: RateLockOrder, at: datetime):
    """LOCK-11 Z: the market mid in force when the order became cancelled.

    Decision: with no mid stored for the pair at that moment (a gap in the
    rate history), Z is taken as zero rather than guessing.
    """
    try:
        return mid_at(order.pair, at)
    except NoRateForPair:
        return order.mid


def cancel_order(
    order: RateLockOrder,
    reason: str,
    *,
    now: datetime,
    reserved: bool,
    effective_at: datetime | None = None,
) -> RateLockOrder:
    """LOCK-10/11: cancel, release what was reserved for it, book and collect the damages.

    ``effective_at`` is when the order became cancelled (its deadline for
    LOCK-10, now for a LOCK-15 withdrawal); Z uses the mid at that moment.
    """
    at = effective_at or order.deadline
    mid = _mid(order, at)
    if at == order.deadline and now > order.deadline:
        damages = cancel_at_deadline(order.as_domain(), now, mid_at_deadline=mid).damages
    else:
        damages = lock_damages(order.as_domain(), mid)
    if reserved:
        move_reserved(
            order.customer,
            order.amount_due,
            key=f"ratelock:{order.pk}:release",
            reserve=False,
            now=now,
        )
    order.status = LockStatus.CANCELLED
    order.cancelled_at = at
    order.cancel_reason = reason
    order.mid_at_cancellation = mid
    order.damages_minor = damages.minor
    order.save()
    if damages:
        book_damages(
            order.customer, damages, key=f"ratelock:{order.pk}:damages", title=order.title, now=now
        )
        _collect(order, now)
    return order


def _collect(order: RateLockOrder, now: datetime) -> Money:
    """Take what is owed from the available balance in the quote currency, as far as it goes."""
    owed = order.damages_owed
    if not owed:
        return owed
    account = accounts.available(order.customer, owed.currency.code)
    take = Money.from_minor(min(account.balance_minor, owed.minor), owed.currency)
    if not take:
        return take
    key = f"ratelock:{order.pk}:collect:{order.damages_collected_minor}"
    try:
        with transaction.atomic():
            collect_damages_posting(order.customer, take, key=key, title=order.title, now=now)
    except InsufficientFunds:  # spent meanwhile: the next run tries again
        return Money.zero(owed.currency)
    order.damages_collected_minor += take.minor
    order.save(update_fields=["damages_collected_minor"])
    return take


@transaction.atomic
def expire_order(order: RateLockOrder, *, now: datetime | None = None) -> bool:
    """LOCK-10: cancel an order still unpaid after its deadline; False if not due."""
    now = now or timezone.now()
    order = _locked(order)
    if order.status != LockStatus.AWAITING_PAYMENT or now <= order.deadline:
        return False
    cancel_order(order, LockCancelReason.NOT_PAID_IN_TIME, now=now, reserved=False)
    return True


@transaction.atomic
def process_waiting(order: RateLockOrder, *, now: datetime | None = None) -> str:
    """LOCK-9: execute a paid, waiting order once the conditions are met; cancel
    it at the deadline if they were not. Returns what happened."""
    from .payment import execute_locked_order

    now = now or timezone.now()
    order = _locked(order)
    if order.status != LockStatus.PAID_WAITING:
        return "nothing"
    sender = order.payment_sender_account
    action = paid_order_action(
        order.as_domain(),
        now,
        customer_verified_at=order.customer.verified_at,
        sender_account_verified_at=sender.verified_at if sender else None,
    )
    if action is LockAction.EXECUTE:
        execute_locked_order(order, now=now)
        return "executed"
    if action is LockAction.CANCEL:
        cancel_order(order, LockCancelReason.CONDITIONS_NOT_MET, now=now, reserved=True)
        return "cancelled"
    return "waiting"


@transaction.atomic
def collect_damages(order: RateLockOrder, *, now: datetime | None = None) -> Money:
    """LOCK-11: collect owed damages from the balance (the job retries until paid)."""
    return _collect(_locked(order), now or timezone.now())


@transaction.atomic
def waive_damages(order: RateLockOrder, *, reason: str, acting_user) -> RateLockOrder:
    """LOCK-11: staff waive the damages of a cancelled order, with a reason (audited)."""
    text = " ".join(str(reason or "").split())
    if not text:
        raise ExchangeError("give the reason for the waiver", code="REASON_REQUIRED")
    order = _locked(order)
    owed = order.damages_owed
    collected = Money.from_minor(order.damages_collected_minor, owed.currency)
    if not owed and not collected:
        raise OrderStateError("there are no damages to waive", code="NOTHING_TO_WAIVE")
    _reverse(order, owed, collected, acting_user=acting_user, reason=text[:500], key="waive")
    audit.record(
        "rate_lock.damages_waived",
        acting_user=acting_user,
        obj=order,
        details={
            "customer_id": order.customer_id,
            "written_off": str(owed),
            "refunded": str(collected),
            "reason": text[:500],
        },
    )
    return order


def _reverse(order, owed: Money, collected: Money, *, acting_user, reason: str, key: str) -> None:
    now = timezone.now()
    reverse_damages(
        order.customer,
        owed=owed,
        collected=collected,
        key=f"ratelock:{order.pk}:{key}:{order.damages_waived_minor}",
        title=order.title,
        now=now,
        created_by_id=getattr(acting_user, "pk", None),
    )
    order.damages_waived_minor += owed.minor + collected.minor
    order.damages_collected_minor = 0
    order.waived_at = now
    order.waived_by = acting_user if getattr(acting_user, "pk", None) else None
    order.waive_reason = reason
    order.save()


def reinstate_order(order: RateLockOrder, *, booked_at: datetime, now: datetime) -> None:
    """LOCK-6: a payment the bank booked in time reached Kantor after the job
    cancelled the order; the cancellation is undone so the order can execute."""
    if order.status != LockStatus.CANCELLED:
        raise OrderStateError("only a cancelled order can be reinstated")
    owed = order.damages_owed
    collected = Money.from_minor(order.damages_collected_minor, owed.currency)
    if owed or collected:
        reason = f"paid in time (booked {booked_at.isoformat()}), processed after the deadline"
        _reverse(order, owed, collected, acting_user=None, reason=reason, key="reinstate")
    audit.record(
        "rate_lock.reinstated",
        acting_user=None,
        obj=order,
        details={"customer_id": order.customer_id, "booked_at": booked_at.isoformat()},
    )
    order.status = LockStatus.AWAITING_PAYMENT
    order.cancelled_at = None
    order.cancel_reason = ""
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])


def withdraw_order(order: RateLockOrder, *, now: datetime) -> RateLockOrder:
    """LOCK-15: a consumer withdraws before the service is performed; the order
    is cancelled now and the damages of LOCK-11 are due (``003`` pkt 12b)."""
    order = _locked(order)
    if order.status not in OPEN_LOCK_STATUSES:
        raise OrderStateError(f"order {order.title} is {order.status}", code="ORDER_CLOSED")
    return cancel_order(
        order,
        LockCancelReason.CUSTOMER_WITHDREW,
        now=now,
        reserved=order.status == LockStatus.PAID_WAITING,
        effective_at=now,
    )
