"""What becomes of a locked order: execute, wait or cancel, and the damages
(LOCK-9, LOCK-10, LOCK-11, LOCK-15; ``003`` pkt 18-22).

Pure functions of values; see ``kantor.domain.ratelock``. Damages are rounded
half-up (the seed names no rounding; S is neither paid nor received in the
MON-2 sense) and never negative (SPEC decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from kantor.domain.money import MONEY_CONTEXT, CurrencyPair, Money, round_half_up
from kantor.domain.ratelock import LockedOrder, LockNotExpired, Side, _aware

__all__ = [
    "CancelReason",
    "LockAction",
    "LockCancellation",
    "cancel_at_deadline",
    "damages",
    "is_expired",
    "lock_damages",
    "paid_order_action",
]


class LockAction(StrEnum):
    EXECUTE = "EXECUTE"  # exchange now at the locked rate and pay out (pkt 18-19)
    WAIT = "WAIT"  # paid in time, conditions not yet met (pkt 21)
    CANCEL = "CANCEL"  # conditions not met by the deadline (pkt 21 → LOCK-10)


def paid_order_action(
    order: LockedOrder,
    now: datetime,
    *,
    customer_verified_at: datetime | None,
    sender_account_verified_at: datetime | None,
) -> LockAction:
    """LOCK-9 for an order whose payment was accepted (in time, by LOCK-7/8).

    The conditions are met when both the customer and the sender account are
    verified; taking the instants (not booleans) makes the answer independent
    of when the job runs: conditions met by the deadline ⇒ execute, even if
    this runs later; not met and the deadline passed ⇒ cancel; else wait.
    """
    _aware(now)
    stamps = (customer_verified_at, sender_account_verified_at)
    if all(s is not None for s in stamps):
        met_at = max(s for s in stamps if s is not None)
        if met_at <= order.deadline:
            return LockAction.EXECUTE
    return LockAction.WAIT if now <= order.deadline else LockAction.CANCEL


def is_expired(order: LockedOrder, now: datetime) -> bool:
    """LOCK-6: past the deadline (the deadline instant itself is still in time)."""
    return _aware(now) > order.deadline


def damages(
    pair: CurrencyPair,
    side: Side,
    k: Money,
    *,
    mid: Decimal,
    bid: Decimal,
    ask: Decimal,
    mid_at_cancellation: Decimal,
) -> Money:
    """LOCK-11, ``003`` pkt 22: S = (Mk + Ms + Z) × K, in the quote currency.

    Mk = mid − bid, Ms = ask − mid at acceptance; Z is the change of the mid
    from acceptance to cancellation, positive when it rose for an order
    selling base or fell for one buying base. Decisions: rounded half-up to the
    quote currency's minor unit (the seed names no rounding and S is neither
    paid nor received in the MON-2 sense), and never below zero (SPEC).
    """
    change = mid_at_cancellation - mid
    z = change if side is Side.SELL else -change
    raw = MONEY_CONTEXT.multiply((mid - bid) + (ask - mid) + z, k.amount)
    return Money(max(round_half_up(raw, pair.quote), Decimal(0)), pair.quote)


def lock_damages(order: LockedOrder, mid_at_cancellation: Decimal) -> Money:
    """LOCK-11 for a cancelled order (also LOCK-15: a consumer's withdrawal)."""
    return damages(
        order.pair,
        order.side,
        order.amount,
        mid=order.mid,
        bid=order.bid,
        ask=order.ask,
        mid_at_cancellation=mid_at_cancellation,
    )


class CancelReason(StrEnum):
    NOT_PAID_IN_TIME = "NOT_PAID_IN_TIME"  # pkt 20
    CONDITIONS_NOT_MET = "CONDITIONS_NOT_MET"  # pkt 21


@dataclass(frozen=True, slots=True)
class LockCancellation:
    """LOCK-10: the order is cancelled at its deadline; the operator owes no exchange.

    ``released_to_balance`` is the accepted payment of an order cancelled for
    unmet conditions (pkt 21), now free on the balance; payments that never
    paid the order were credited when they arrived. ``damages`` may be claimed.
    """

    order: LockedOrder
    reason: CancelReason
    cancelled_at: datetime
    damages: Money
    released_to_balance: Money


def cancel_at_deadline(
    order: LockedOrder, now: datetime, *, mid_at_deadline: Decimal, paid: bool = False
) -> LockCancellation:
    """LOCK-10: cancel an order that was not paid, or not executable, by its deadline.

    Refused before the deadline (LOCK-4: the customer cannot cancel). The
    order became cancelled *at* the deadline, whenever this runs, so Z in the
    damages uses the mid at the deadline (``003`` pkt 22).
    """
    if not is_expired(order, now):
        raise LockNotExpired(f"order {order.title} runs until {order.deadline.isoformat()}")
    due = order.amount_due
    return LockCancellation(
        order=order,
        reason=CancelReason.CONDITIONS_NOT_MET if paid else CancelReason.NOT_PAID_IN_TIME,
        cancelled_at=order.deadline,
        damages=lock_damages(order, mid_at_deadline),
        released_to_balance=due if paid else Money.zero(due.currency),
    )
