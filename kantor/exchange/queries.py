"""Reads of the exchange app: exchanges, locked orders, reservations (no writes)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping

from kantor.domain.money import Money
from kantor.domain.ratelock import Side
from kantor.rates.queries import pair_config

from .models import (
    OPEN_LOCK_STATUSES,
    DepositOrder,
    Direction,
    Exchange,
    LockStatus,
    RateLockAgreement,
    RateLockOrder,
)
from .pricing import ExchangePlan

__all__ = [
    "active_agreement",
    "customer_deposit_order",
    "customer_deposit_orders",
    "customer_lock_order",
    "customer_lock_orders",
    "open_lock_orders",
    "owed_damages",
    "plan_of",
    "reserved_for_rate_locks",
]


def plan_of(exchange: Exchange) -> ExchangePlan:
    """The plan an exchange was booked from, rebuilt from what the row keeps."""
    pair = pair_config(exchange.pair, offered_only=False).pair
    side = Direction(exchange.side).side
    sold, bought = exchange.sold, exchange.bought
    commission = Money.from_minor(exchange.commission_minor, bought.currency)
    gross = bought + commission
    margin = Money.from_minor(exchange.margin_minor, pair.quote)
    if side is Side.BUY:
        amount, mid_value = gross, sold - margin
    else:
        amount, mid_value = sold, gross + margin
    return ExchangePlan(
        pair=pair,
        side=side,
        amount=amount,
        rate=exchange.rate,
        mid=exchange.mid,
        sold=sold,
        gross_bought=gross,
        commission=commission,
        mid_value=mid_value,
        rate_ts=exchange.rate_ts,
    )


def reserved_for_rate_locks() -> Mapping[tuple[int, str], int]:
    """MON-5 reconciliation: a paid locked order waiting for the service's
    conditions (LOCK-9) holds its amount due in the customer's reserved funds."""
    held: dict[tuple[int, str], int] = defaultdict(int)
    rows = RateLockOrder.objects.filter(status=LockStatus.PAID_WAITING).values_list(
        "customer_id", "due_currency", "due_minor"
    )
    for customer_id, cur, minor in rows:
        held[(customer_id, cur)] += minor
    return dict(held)


def active_agreement(customer) -> RateLockAgreement | None:
    """LOCK-1: the customer's agreement in force, if any."""
    return RateLockAgreement.objects.filter(customer=customer, status="active").first()


def open_lock_orders(customer):
    return RateLockOrder.objects.filter(customer=customer, status__in=OPEN_LOCK_STATUSES)


def customer_lock_orders(customer, *, status: str | None = None, limit: int = 100):
    rows = RateLockOrder.objects.filter(customer=customer)
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-placed_at")[:limit])


def _uuid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def customer_lock_order(customer, order_id) -> RateLockOrder | None:
    key = _uuid(order_id)
    return RateLockOrder.objects.filter(customer=customer, pk=key).first() if key else None


def customer_deposit_order(customer, order_id) -> DepositOrder | None:
    key = _uuid(order_id)
    return DepositOrder.objects.filter(customer=customer, pk=key).first() if key else None


def customer_deposit_orders(customer, *, status: str | None = None, limit: int = 100):
    rows = DepositOrder.objects.filter(customer=customer)
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-created_at")[:limit])


def owed_damages(customer) -> list[Money]:
    """LOCK-11 damages the customer still owes, per currency (shown as owed)."""
    owed: dict[str, Money] = {}
    for order in RateLockOrder.objects.filter(customer=customer, damages_minor__gt=0):
        debt = order.damages_owed
        if debt:
            cur = debt.currency.code
            owed[cur] = owed.get(cur, Money.zero(cur)) + debt
    return [owed[c] for c in sorted(owed)]
