"""LOCK-1: the additional agreement "Akceptacja Kursu Przed Wpłatą" (``003`` pkt 4-8).

* Concluded by the customer accepting the terms, only while bound by the
  basic agreement (an active or verified account) and after giving a phone
  number (pkt 4-5).
* Ended by the customer alone, leaving the basic agreement (pkt 7); ended with
  the basic agreement (pkt 6: TERMINATED status).
* Ended by the operator (staff, with a reason, audited), e.g. for a locked
  order not paid in time; after an end for a reason on the customer's side a
  new agreement is refused until staff allow it (pkt 8).

Ending the agreement stops new locked orders; orders already placed stay
binding (LOCK-4) unless a consumer withdraws from them (LOCK-15), which
cancels them with the damages of LOCK-11.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from kantor.core import audit
from kantor.customers.models import Customer

from ..errors import AgreementError, ExchangeError
from ..models import AgreementStatus, RateLockAgreement
from ..queries import active_agreement, open_lock_orders
from ._common import now_or, require_can_trade

__all__ = [
    "allow_new_agreement",
    "conclude_agreement",
    "end_agreement_by_customer",
    "end_agreement_by_operator",
    "end_with_basic_agreement",
    "require_agreement",
]


def _reason(reason: str | None) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ExchangeError("give the reason for this decision", code="REASON_REQUIRED")
    return text[:500]


def require_agreement(customer: Customer) -> RateLockAgreement:
    """LOCK-2: a locked order needs the additional agreement in force."""
    agreement = active_agreement(customer)
    if agreement is None:
        raise AgreementError(
            "conclude the rate-lock agreement before placing a rate-locked order",
            code="NO_RATE_LOCK_AGREEMENT",
        )
    return agreement


@transaction.atomic
def conclude_agreement(customer: Customer, *, now: datetime | None = None) -> RateLockAgreement:
    """LOCK-1: the customer accepts the additional terms (``003`` pkt 4-5)."""
    now = now_or(now)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    require_can_trade(customer)
    if not (customer.phone or "").strip():
        raise AgreementError(
            "give a phone number before concluding the rate-lock agreement",
            code="PHONE_REQUIRED",
        )
    if active_agreement(customer) is not None:
        raise AgreementError("the rate-lock agreement is already in force", code="ALREADY_ACTIVE")
    if RateLockAgreement.objects.filter(customer=customer, refuse_new=True).exists():
        raise AgreementError(
            "the operator ended your previous rate-lock agreement; contact support",
            code="AGREEMENT_REFUSED",
        )
    return RateLockAgreement.objects.create(customer=customer, concluded_at=now)


def _end(agreement: RateLockAgreement, status: str, reason: str, now: datetime) -> None:
    agreement.status = status
    agreement.ended_at = now
    agreement.end_reason = reason
    agreement.save(update_fields=["status", "ended_at", "end_reason", "refuse_new"])


@transaction.atomic
def end_agreement_by_customer(
    customer: Customer, *, withdraw_open_orders: bool = False, now: datetime | None = None
) -> RateLockAgreement:
    """LOCK-1 (pkt 7): the customer ends the additional agreement.

    Placed orders are irrevocable (LOCK-4): with open orders the customer must
    say ``withdraw_open_orders`` — a consumer's withdrawal (LOCK-15), which
    cancels them now with the damages of LOCK-11 — or wait until they end.
    """
    from .expiry import withdraw_order  # the expiry module books the damages

    now = now_or(now)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    agreement = require_agreement(customer)
    orders = list(open_lock_orders(customer).select_for_update().order_by("pk"))
    if orders and not withdraw_open_orders:
        raise AgreementError(
            f"{len(orders)} rate-locked order(s) are still open; they are irrevocable "
            "unless you withdraw from them and pay the damages (LOCK-15)",
            code="OPEN_LOCKED_ORDERS",
            api_key="INVALID_ARGUMENTS",
            error_data={"openOrders": len(orders)},
        )
    for order in orders:
        withdraw_order(order, now=now)
    _end(agreement, AgreementStatus.ENDED_BY_CUSTOMER, "customer's statement", now)
    return agreement


@transaction.atomic
def end_agreement_by_operator(
    customer: Customer,
    *,
    reason: str,
    refuse_new: bool = True,
    acting_user,
    now: datetime | None = None,
) -> RateLockAgreement:
    """LOCK-1 (pkt 8): staff end the agreement, e.g. for an order not paid in time."""
    now = now_or(now)
    reason = _reason(reason)
    agreement = require_agreement(Customer.objects.select_for_update().get(pk=customer.pk))
    agreement.refuse_new = refuse_new
    _end(agreement, AgreementStatus.ENDED_BY_OPERATOR, reason, now)
    audit.record(
        "rate_lock.agreement_ended",
        acting_user=acting_user,
        obj=agreement,
        details={"customer_id": customer.pk, "reason": reason, "refuse_new": refuse_new},
    )
    return agreement


@transaction.atomic
def allow_new_agreement(customer: Customer, *, reason: str, acting_user) -> int:
    """LOCK-1 (pkt 8): staff lift the refusal of a new agreement; audited."""
    reason = _reason(reason)
    lifted = RateLockAgreement.objects.filter(customer=customer, refuse_new=True).update(
        refuse_new=False
    )
    audit.record(
        "rate_lock.refusal_lifted",
        acting_user=acting_user,
        obj=customer,
        details={"customer_id": customer.pk, "reason": reason, "agreements": lifted},
    )
    return lifted


@transaction.atomic
def end_with_basic_agreement(customer: Customer, *, now: datetime | None = None) -> bool:
    """LOCK-1 (pkt 6): the additional agreement ends with the basic one."""
    agreement = active_agreement(customer)
    if agreement is None:
        return False
    _end(agreement, AgreementStatus.ENDED_WITH_BASIC, "basic agreement ended", now_or(now))
    return True
