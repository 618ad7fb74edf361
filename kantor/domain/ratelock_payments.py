"""Which locked order a payment pays (LOCK-7, LOCK-8, LOCK-10; ``003`` pkt 16-17, 20).

A title equal to an order's title decides alone (LOCK-5, LOCK-7); otherwise
a payment of exactly the amount due may pay the one order that could claim
it (LOCK-8). Everything not accepted goes to the customer's balance
(LOCK-10). Pure functions of values; see ``kantor.domain.ratelock``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from kantor.domain.money import Money
from kantor.domain.ratelock import InvalidLockOrder, LockedOrder, _aware, normalize_title

__all__ = [
    "OVERPAYMENT_TOLERANCE",
    "IncomingPayment",
    "PaymentDecision",
    "PaymentReason",
    "TitleFilter",
    "match_payment",
    "normalize_title",
    "settle_payments",
]

#: LOCK-7: a right-title payment of up to 110% of the amount due is accepted.
OVERPAYMENT_TOLERANCE = Decimal("0.10")

TitleFilter = Iterable[str] | Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class IncomingPayment:
    """A transfer booked on the operator's account (LOCK-6 counts ``booked_at``)."""

    amount: Money
    title: str
    booked_at: datetime

    def __post_init__(self) -> None:
        _aware(self.booked_at)
        if not self.amount.is_positive:
            raise InvalidLockOrder(f"a payment must be positive, got {self.amount}")


class PaymentReason(StrEnum):
    EXACT = "EXACT"  # LOCK-5: right title, amount due
    OVERPAYMENT_ACCEPTED = "OVERPAYMENT_ACCEPTED"  # LOCK-7
    OTHER_TITLE_ACCEPTED = "OTHER_TITLE_ACCEPTED"  # LOCK-8
    LATE = "LATE"
    UNDERPAYMENT = "UNDERPAYMENT"
    OVERPAYMENT_OVER_LIMIT = "OVERPAYMENT_OVER_LIMIT"
    WRONG_CURRENCY = "WRONG_CURRENCY"
    OVERPAYMENT_OTHER_TITLE = "OVERPAYMENT_OTHER_TITLE"  # LOCK-7 does not combine with LOCK-8
    TITLE_POINTS_ELSEWHERE = "TITLE_POINTS_ELSEWHERE"
    AMBIGUOUS = "AMBIGUOUS"
    NO_MATCHING_ORDER = "NO_MATCHING_ORDER"


@dataclass(frozen=True, slots=True)
class PaymentDecision:
    """What one payment does: pays ``paid_order`` or nothing (LOCK-7, 8, 10).

    ``applied`` is exchanged under the order (its amount due) and
    ``to_balance`` is credited to the customer's balance (a LOCK-7 surplus, or
    the whole payment when not accepted, LOCK-10); together they are the
    payment. ``named_order`` is the order whose title the payment carried,
    accepted or not, so the customer can be told why.
    """

    payment: IncomingPayment
    reason: PaymentReason
    paid_order: LockedOrder | None
    named_order: LockedOrder | None
    applied: Money
    to_balance: Money

    @property
    def accepted(self) -> bool:
        return self.paid_order is not None


def _pays(
    payment: IncomingPayment, order: LockedOrder, reason: PaymentReason, named: bool
) -> PaymentDecision:
    due = order.amount_due
    return PaymentDecision(
        payment, reason, order, order if named else None, due, payment.amount - due
    )


def _refuses(
    payment: IncomingPayment, reason: PaymentReason, named: LockedOrder | None = None
) -> PaymentDecision:
    zero = Money.zero(payment.amount.currency)
    return PaymentDecision(payment, reason, None, named, zero, payment.amount)


def _within_tolerance(paid: Money, due: Money) -> bool:
    """due < paid ≤ 110% of due, compared exactly (no rounding)."""
    return due < paid and paid.amount <= due.amount * (1 + OVERPAYMENT_TOLERANCE)


def _decide_named(order: LockedOrder, payment: IncomingPayment) -> PaymentDecision:
    """The payment carries this order's title (LOCK-5, LOCK-7)."""
    due, paid = order.amount_due, payment.amount
    if paid.currency != due.currency:
        return _refuses(payment, PaymentReason.WRONG_CURRENCY, order)
    if payment.booked_at > order.deadline:
        return _refuses(payment, PaymentReason.LATE, order)
    if paid == due:
        return _pays(payment, order, PaymentReason.EXACT, named=True)
    if paid < due:
        return _refuses(payment, PaymentReason.UNDERPAYMENT, order)
    if _within_tolerance(paid, due):
        return _pays(payment, order, PaymentReason.OVERPAYMENT_ACCEPTED, named=True)
    return _refuses(payment, PaymentReason.OVERPAYMENT_OVER_LIMIT, order)


def _elsewhere_test(other_purposes: TitleFilter) -> Callable[[str], bool]:
    if callable(other_purposes):
        return other_purposes
    known = [t for t in map(normalize_title, other_purposes) if t]
    return lambda title: any(k in normalize_title(title) for k in known)


def _decide_other_title(
    orders: Sequence[LockedOrder], payment: IncomingPayment, elsewhere: Callable[[str], bool]
) -> PaymentDecision:
    """LOCK-8, ``003`` pkt 16b: exact amount, harmless title, in time, one claimant."""
    paid, booked = payment.amount, payment.booked_at
    placed = [o for o in orders if o.placed_at <= booked]
    same_amount = [o for o in placed if o.amount_due == paid]
    if not same_amount:
        if any(
            o.amount_due.currency == paid.currency and _within_tolerance(paid, o.amount_due)
            for o in placed
        ):
            return _refuses(payment, PaymentReason.OVERPAYMENT_OTHER_TITLE)
        return _refuses(payment, PaymentReason.NO_MATCHING_ORDER)
    in_time = [o for o in same_amount if booked <= o.deadline]
    if not in_time:
        return _refuses(payment, PaymentReason.LATE)
    if elsewhere(payment.title):
        return _refuses(payment, PaymentReason.TITLE_POINTS_ELSEWHERE)
    title = normalize_title(payment.title)

    def names_another_order(candidate: LockedOrder) -> bool:
        others = (normalize_title(o.title) for o in orders if o is not candidate)
        return any(t and t in title for t in others)

    claimants = [o for o in in_time if not names_another_order(o)]
    if not claimants:
        return _refuses(payment, PaymentReason.TITLE_POINTS_ELSEWHERE)
    if len(claimants) > 1:
        return _refuses(payment, PaymentReason.AMBIGUOUS)
    return _pays(payment, claimants[0], PaymentReason.OTHER_TITLE_ACCEPTED, named=False)


def match_payment(
    open_orders: Iterable[LockedOrder],
    payment: IncomingPayment,
    *,
    other_purposes: TitleFilter = (),
) -> PaymentDecision:
    """LOCK-7/8/10: which of the customer's open locked orders (at most one) a payment pays.

    ``open_orders`` are the customer's placed, unpaid and not cancelled
    locked orders. A title equal to an order's title (after
    ``normalize_title``) decides alone: exact amount pays; more, up to 110%,
    pays with the surplus to the balance; anything else, or after the
    deadline, is refused. A payment under any other title pays only when it is
    exactly one order's amount due, booked between that order's placing and
    its deadline, its title names no other open order nor anything in
    ``other_purposes`` (titles of other services, closed orders, the
    customer's deposit reference — matched as substrings — or a predicate on
    the raw title), and no other open order could claim it on the same terms.
    """
    orders = list(open_orders)
    key = normalize_title(payment.title)
    named = [o for o in orders if normalize_title(o.title) == key]
    if len(named) > 1:
        raise InvalidLockOrder(f"{len(named)} open orders share the title {payment.title!r}")
    if named:
        return _decide_named(named[0], payment)
    return _decide_other_title(orders, payment, _elsewhere_test(other_purposes))


def settle_payments(
    open_orders: Iterable[LockedOrder],
    payments: Iterable[IncomingPayment],
    *,
    other_purposes: TitleFilter = (),
) -> list[PaymentDecision]:
    """Apply payments in booking order; a paid order stops being open (LOCK-7/8).

    Each payment pays at most one order and each order is paid at most once;
    everything not accepted goes to the balance (LOCK-10). An order paid
    earlier in the run joins ``other_purposes``: a second transfer under its
    title cannot slip onto another order through LOCK-8. Ties in
    ``booked_at`` keep the statement order.
    """
    remaining = list(open_orders)
    known = _elsewhere_test(other_purposes)
    paid_titles: list[str] = []

    def elsewhere(title: str) -> bool:
        key = normalize_title(title)
        return known(title) or any(t in key for t in paid_titles)

    decisions = []
    for payment in sorted(payments, key=lambda p: p.booked_at.astimezone(UTC)):
        decision = match_payment(remaining, payment, other_purposes=elsewhere)
        if decision.paid_order is not None:
            remaining = [o for o in remaining if o is not decision.paid_order]
            paid_titles.append(normalize_title(decision.paid_order.title))
        decisions.append(decision)
    return decisions
