"""LOCK-7/8/10 over random payment sequences, through banking's hook and the ledger.

Random open orders (sides, amounts, placing times) and random transfers
(amounts around the amount due, right/mangled/harmless/foreign titles,
booking times before, inside and after the deadline) are booked one by one
as banking would, then the deadline job runs. Properties:

* each payment pays at most one order and each order is paid at most once;
* the orders paid are exactly those the pure rules (``settle_payments``,
  itself checked against an independent reading of ``003`` pkt 16-17 in
  tests/domain) pick, and they are executed; every other order is
  cancelled at its deadline (LOCK-10);
* money is conserved: each currency of the customer ends at what arrived,
  minus what executed orders consumed, plus their proceeds, minus the damages
  collected — and the ledger balances (MON-4).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from kantor.domain.money import Money
from kantor.domain.ratelock import IncomingPayment, settle_payments
from kantor.domain.titles import find_titles
from kantor.exchange import jobs
from kantor.exchange.models import LockStatus, RateLockOrder, RateLockPayment
from kantor.ledger.invariants import check_ledger
from kantor.ledger.queries import customer_balance
from tests.exchange.conftest import T0, lock_ready, place, transfer
from tests.factories import make_customer

FACTORS = ["1", "1", "1", "1.05", "1.1", "1.1001", "0.99", "2"]


@st.composite
def scenario(draw):
    orders = [
        (
            draw(st.sampled_from(["BUY", "SELL"])),
            draw(st.sampled_from(["100.00", "250.00", "400.00"])),
            draw(st.integers(0, 72)),  # hours after T0
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    payments = [
        (
            draw(st.integers(0, len(orders) - 1)),  # the order it is meant for
            draw(st.sampled_from(FACTORS)),
            draw(st.sampled_from(["title", "spaced", "harmless", "other", "deposit"])),
            draw(st.integers(-60, 8 * 24 * 60)),  # minutes after that order's placing
        )
        for _ in range(draw(st.integers(1, 5)))
    ]
    return orders, payments


def _description(kind: str, order: RateLockOrder, others: list[RateLockOrder], customer) -> str:
    if kind == "title":
        return order.title
    if kind == "spaced":
        t = order.title.lower()
        return f"zapłata {t[:4]} {t[4:8]} {t[8:]}"
    if kind == "other" and others:
        return f"wymiana {others[0].title}"
    if kind == "deposit":
        return f"wpłata {customer.deposit_title}"
    return "wymiana walut"


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_each_payment_pays_at_most_one_order_and_money_is_conserved_LOCK_7_LOCK_8_LOCK_10(db, case):
    orders_spec, payments_spec = case
    customer = lock_ready(make_customer())
    orders = [
        place(customer, side, volume, "EUR", when=T0 + timedelta(hours=h, minutes=i))
        for i, (side, volume, h) in enumerate(orders_spec)
    ]
    payments = []
    for target, factor, kind, minutes in payments_spec:
        order = orders[target]
        due = order.amount_due
        amount = Money((due.amount * Decimal(factor)).quantize(Decimal("0.01")), due.currency)
        others = [o for o in orders if o is not order]
        description = _description(kind, order, others, customer)
        payments.append((amount, description, order.placed_at + timedelta(minutes=minutes)))
    payments.sort(key=lambda p: p[2])

    arrived: dict[str, Decimal] = {}
    for amount, description, booked in payments:
        transfer(customer, str(amount.amount), amount.currency.code, description, booked)
        arrived[amount.currency.code] = arrived.get(amount.currency.code, 0) + amount.amount
    jobs.deadlines(max(o.deadline for o in orders) + timedelta(seconds=1))

    # each payment pays at most one order; each order is paid at most once
    rows = list(RateLockPayment.objects.filter(customer=customer))
    for r in rows:
        event(r.reason)
    paid_ids = [r.order_id for r in rows if r.order_id is not None]
    assert len(paid_ids) == len(set(paid_ids))
    assert all(r.accepted == (r.order_id is not None) for r in rows)

    # the outcome is the pure rules' (settle_payments) on the same inputs
    by_title = {o.title: o for o in orders}

    def title_of(description: str) -> str:
        named = [t.title for t in find_titles(description) if t.title in by_title]
        return named[0] if named else description

    decisions = settle_payments(
        [o.as_domain() for o in orders],
        [IncomingPayment(a, title_of(d), b) for a, d, b in payments],
        other_purposes=lambda t: bool(find_titles(t)),
    )
    expected_paid = {d.paid_order.title for d in decisions if d.paid_order is not None}
    for order in orders:
        order.refresh_from_db()
        if order.title in expected_paid:
            assert order.status == LockStatus.EXECUTED, order
        else:
            assert order.status == LockStatus.CANCELLED, order
            assert order.cancelled_at == order.deadline

    # money is conserved, per currency
    for cur in ("PLN", "EUR"):
        expected = Decimal(arrived.get(cur, 0))
        for order in orders:
            if order.status == LockStatus.EXECUTED:
                if order.due_currency == cur:
                    expected -= order.amount_due.amount
                if order.proceeds_currency == cur:
                    expected += order.proceeds.amount
            if order.currency_pair.quote.code == cur:
                expected -= Money.from_minor(order.damages_collected_minor, cur).amount
        total = customer_balance(customer, cur)
        assert (total.available + total.reserved).amount == expected, cur
    assert check_ledger().ok
