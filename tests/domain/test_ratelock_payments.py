"""LOCK-6..8, LOCK-10: which locked order a payment pays (``003`` pkt 16-17, 20)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kantor.domain.calendar import NaiveDatetime
from kantor.domain.money import Money
from kantor.domain.ratelock import (
    IncomingPayment,
    InvalidLockOrder,
    PaymentReason,
    Side,
    match_payment,
    normalize_title,
    place_locked_order,
    settle_payments,
)
from tests.domain.test_ratelock import DEADLINE, SECOND, T0, order, pay, quote


@pytest.mark.parametrize(
    ("booked", "accepted"),
    [
        (DEADLINE - SECOND, True),  # 17:59:59
        (DEADLINE, True),  # 18:00:00 is still "by 18:00"
        (DEADLINE + SECOND, False),  # 18:00:01
    ],
)
def test_payment_at_the_deadline_edges_LOCK_6(booked, accepted):
    placed = order()
    exact = match_payment([placed], pay("4320.00", "PLN", "AK-0001", booked))
    assert exact.accepted is accepted
    other = match_payment([placed], pay("4320.00", "PLN", "wymiana", booked))
    assert other.accepted is accepted
    if not accepted:
        assert exact.reason is other.reason is PaymentReason.LATE


def test_utc_booking_times_are_judged_on_the_warsaw_clock_across_dst_LOCK_6():
    placed = order(at=datetime(2026, 3, 25, 9, 0, tzinfo=UTC))  # due 1 April 18:00 CEST

    def paid_at(hour: int, minute: int, second: int):
        booked = datetime(2026, 4, 1, hour, minute, second, tzinfo=UTC)
        return match_payment([placed], pay("4320.00", "PLN", placed.title, booked))

    assert paid_at(16, 0, 0).accepted
    assert paid_at(16, 0, 1).reason is PaymentReason.LATE
    # 17:00 UTC would be 18:00 in winter time: already late after the change.
    assert paid_at(17, 0, 0).reason is PaymentReason.LATE


# -- LOCK-7 right title, amount and overpayment --------------------------------


def test_exact_amount_with_the_right_title_pays_the_order_LOCK_7():
    placed = order()
    decision = match_payment([placed], pay("4320.00", "PLN", "AK-0001"))
    assert decision.reason is PaymentReason.EXACT
    assert decision.paid_order is placed
    assert decision.applied == Money("4320.00", "PLN")
    assert decision.to_balance == Money("0.00", "PLN")


def test_overpayment_up_to_ten_percent_is_accepted_LOCK_7():
    decision = match_payment([order()], pay("4752.00", "PLN", "AK-0001"))  # exactly 110%
    assert decision.reason is PaymentReason.OVERPAYMENT_ACCEPTED
    assert decision.applied == Money("4320.00", "PLN")
    assert decision.to_balance == Money("432.00", "PLN")


def test_overpayment_above_ten_percent_is_refused_and_credited_LOCK_7():
    decision = match_payment([order()], pay("4752.01", "PLN", "AK-0001"))
    assert decision.reason is PaymentReason.OVERPAYMENT_OVER_LIMIT
    assert not decision.accepted
    assert decision.to_balance == Money("4752.01", "PLN")
    assert decision.named_order is not None and decision.named_order.title == "AK-0001"


def test_underpayment_is_refused_and_credited_LOCK_10():
    decision = match_payment([order()], pay("4319.99", "PLN", "AK-0001"))
    assert decision.reason is PaymentReason.UNDERPAYMENT
    assert decision.applied == Money("0.00", "PLN")
    assert decision.to_balance == Money("4319.99", "PLN")


def test_right_title_in_the_wrong_currency_is_refused_LOCK_10():
    decision = match_payment([order()], pay("4320.00", "EUR", "AK-0001"))
    assert decision.reason is PaymentReason.WRONG_CURRENCY


def test_titles_compare_ignoring_case_and_whitespace_LOCK_7():
    assert normalize_title(" ak-\n00 01\t") == normalize_title("AK-0001")
    assert normalize_title("AK 0001") != normalize_title("AK-0001")
    decision = match_payment([order()], pay("4500.00", "PLN", "ak-00\n01 "))
    assert decision.reason is PaymentReason.OVERPAYMENT_ACCEPTED


def test_overpayment_under_another_title_is_not_accepted_LOCK_7():
    """``003`` pkt 16a: the tolerance does not combine with 16b."""
    decision = match_payment([order()], pay("4400.00", "PLN", "AK-0001 wymiana EUR"))
    assert decision.reason is PaymentReason.OVERPAYMENT_OTHER_TITLE
    assert decision.to_balance == Money("4400.00", "PLN")


# -- LOCK-8 exact amount under another title ----------------------------------


def test_exact_amount_under_a_harmless_title_pays_the_order_LOCK_8():
    placed = order()
    decision = match_payment([placed], pay("4320.00", "PLN", "wymiana walut"))
    assert decision.reason is PaymentReason.OTHER_TITLE_ACCEPTED
    assert decision.paid_order is placed and decision.named_order is None


def test_own_title_with_extra_words_is_another_title_that_still_pays_LOCK_8():
    decision = match_payment([order()], pay("4320.00", "PLN", "Przelew AK-0001 euro"))
    assert decision.reason is PaymentReason.OTHER_TITLE_ACCEPTED


def test_a_title_naming_another_open_order_points_elsewhere_LOCK_8():
    a, b = order("AK-0001"), order("AK-0002", amount="200.00")
    decision = match_payment([a, b], pay("4320.00", "PLN", "dopłata do AK-0002"))
    assert decision.reason is PaymentReason.TITLE_POINTS_ELSEWHERE
    assert decision.to_balance == Money("4320.00", "PLN")


def test_a_title_naming_another_service_points_elsewhere_LOCK_8():
    orders = [order()]
    payment = pay("4320.00", "PLN", "KNT-778812 zasilenie")
    assert not match_payment(orders, payment, other_purposes=["knt-778812"]).accepted
    by_rule = match_payment(orders, payment, other_purposes=lambda t: "KNT-" in t.upper())
    assert by_rule.reason is PaymentReason.TITLE_POINTS_ELSEWHERE
    assert match_payment(orders, payment).accepted


def test_a_title_of_an_already_paid_order_points_elsewhere_LOCK_8():
    still_open = order("AK-0002")
    payment = pay("4320.00", "PLN", "AK-0001")
    decision = match_payment([still_open], payment, other_purposes=["AK-0001"])
    assert decision.reason is PaymentReason.TITLE_POINTS_ELSEWHERE


def test_two_open_orders_that_could_claim_the_payment_make_it_ambiguous_LOCK_8():
    a, b = order("AK-0001"), order("AK-0002", at=T0 + timedelta(hours=1))
    decision = match_payment([a, b], pay("4320.00", "PLN", "wymiana"))
    assert decision.reason is PaymentReason.AMBIGUOUS
    assert decision.to_balance == Money("4320.00", "PLN")


def test_an_order_placed_after_the_payment_cannot_claim_it_LOCK_8():
    a = order("AK-0001")
    b = order("AK-0002", at=T0 + timedelta(days=2))
    decision = match_payment([a, b], pay("4320.00", "PLN", "wymiana", T0 + timedelta(days=1)))
    assert decision.paid_order is a


def test_an_expired_order_cannot_claim_the_payment_LOCK_8():
    old = order("AK-0001")  # deadline 9 March
    new = order("AK-0002", at=T0 + timedelta(days=5))
    booked = DEADLINE + timedelta(hours=1)
    assert match_payment([old, new], pay("4320.00", "PLN", "wymiana", booked)).paid_order is new


def test_same_amount_in_another_currency_does_not_compete_LOCK_8():
    buy = order("AK-0001")  # due 4320.00 PLN
    sell = order(
        "AK-0002", amount="4320.00", side=Side.SELL, conditions_met=True
    )  # due 4320.00 EUR
    assert match_payment([buy, sell], pay("4320.00", "PLN", "x")).paid_order is buy
    assert match_payment([buy, sell], pay("4320.00", "EUR", "x")).paid_order is sell


def test_unrelated_amount_matches_nothing_LOCK_10():
    decision = match_payment([order()], pay("100.00", "PLN", "wymiana"))
    assert decision.reason is PaymentReason.NO_MATCHING_ORDER


def test_duplicate_open_titles_and_bad_payments_are_refused_LOCK_5():
    with pytest.raises(InvalidLockOrder):
        match_payment([order(), order()], pay("4320.00", "PLN", "AK-0001"))
    with pytest.raises(InvalidLockOrder):
        pay("0.00", "PLN", "AK-0001")
    with pytest.raises(NaiveDatetime):
        pay("1.00", "PLN", "AK-0001", datetime(2026, 3, 3, 12, 0))


def test_settling_pays_each_order_once_and_credits_the_rest_LOCK_7():
    a, b = order("AK-0001"), order("AK-0002", amount="100.00")
    decisions = settle_payments(
        [a, b],
        [
            pay("432.00", "PLN", "AK-0002", T0 + timedelta(days=2)),
            pay("4320.00", "PLN", "AK-0001", T0 + timedelta(days=1)),
            pay("4320.00", "PLN", "AK-0001", T0 + timedelta(days=3)),
        ],
    )
    assert [d.paid_order for d in decisions] == [a, b, None]
    assert decisions[2].to_balance == Money("4320.00", "PLN")


def test_a_repeated_transfer_for_a_paid_order_does_not_pay_a_twin_order_LOCK_8():
    a, b = order("AK-0001"), order("AK-0002")  # both due 4320.00 PLN
    first, again = (pay("4320.00", "PLN", "AK-0001", T0 + timedelta(days=d)) for d in (1, 2))
    decisions = settle_payments([a, b], [first, again])
    assert decisions[0].paid_order is a
    assert decisions[1].reason is PaymentReason.TITLE_POINTS_ELSEWHERE
    assert decisions[1].to_balance == Money("4320.00", "PLN")


# -- properties over payment sequences (LOCK-7/8/10) ---------------------------

TITLES = ["AK-0001", "AK-0002", "AK-0003", "AK-0004"]


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=1, max_value=4))
    orders = []
    for i in range(n):
        side = draw(st.sampled_from(list(Side)))
        k = draw(st.sampled_from(["100.00", "250.00", "400.00"]))
        placed_at = T0 + timedelta(hours=draw(st.integers(0, 72)))
        q = quote(placed_at, mid="4.0000", bid="4.0000", ask="4.0000")
        orders.append(place_locked_order(q, side, Money(k, "EUR"), TITLES[i], placed_at))
    payments = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        target = draw(st.sampled_from(orders))
        factor = draw(st.sampled_from(["1", "1", "1.05", "1.1", "1.1001", "0.99", "2"]))
        amount = (target.amount_due.amount * Decimal(factor)).quantize(Decimal("0.01"))
        title = draw(st.sampled_from([target.title, target.title.lower(), "wymiana", "x AK-0002"]))
        booked = target.placed_at + timedelta(minutes=draw(st.integers(-60, 8 * 24 * 60)))
        payments.append(IncomingPayment(Money(amount, target.amount_due.currency), title, booked))
    return orders, payments


def expected_payee(open_orders, closed_titles, p):
    """An independent reading of ``003`` pkt 16a/16b: the order a payment must pay."""
    key = normalize_title(p.title)
    for o in open_orders:
        if normalize_title(o.title) == key:
            due = o.amount_due
            in_time = p.booked_at <= o.deadline and p.amount.currency == due.currency
            ok = in_time and due.amount <= p.amount.amount <= due.amount * Decimal("1.1")
            return o if ok else None
    claimants = [
        o
        for o in open_orders
        if o.amount_due == p.amount
        and o.placed_at <= p.booked_at <= o.deadline
        and not any(normalize_title(x.title) in key for x in open_orders if x is not o)
        and not any(normalize_title(t) in key for t in closed_titles)
    ]
    return claimants[0] if len(claimants) == 1 else None


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_each_payment_pays_at_most_one_order_by_the_rules_LOCK_7_LOCK_8_LOCK_10(scenario):
    orders, payments = scenario
    decisions = settle_payments(orders, payments)
    assert [d.payment for d in decisions] == sorted(payments, key=lambda p: p.booked_at)
    still_open, closed = list(orders), []
    for d in decisions:
        p = d.payment
        event(d.reason.value)
        assert d.applied + d.to_balance == p.amount  # nothing lost, nothing made up
        assert d.paid_order is expected_payee(still_open, closed, p)
        if d.paid_order is None:
            assert d.applied == Money.zero(p.amount.currency)  # all of it to the balance
        else:
            assert d.applied == d.paid_order.amount_due
            still_open.remove(d.paid_order)  # paid at most once
            closed.append(d.paid_order.title)
