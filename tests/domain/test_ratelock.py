from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kantor.domain.calendar import WARSAW, NaiveDatetime, ServiceHours
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import (
    CancelReason,
    IncomingPayment,
    InvalidLockOrder,
    LockAction,
    LockedOrder,
    LockLimitExceeded,
    LockNotExpired,
    LockQuote,
    PaymentReason,
    QuoteExpired,
    ServiceClosed,
    Side,
    base_amount,
    cancel_at_deadline,
    damages,
    exposure_pln,
    is_expired,
    lock_damages,
    match_payment,
    normalize_title,
    paid_order_action,
    place_locked_order,
    settle_payments,
)

EURPLN = CurrencyPair.parse("EURPLN")
EURUSD = CurrencyPair.parse("EURUSD")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=WARSAW)  # Monday; deadline Mon 9 March 18:00
DEADLINE = datetime(2026, 3, 9, 18, 0, tzinfo=WARSAW)
SECOND = timedelta(seconds=1)


def quote(at=T0, mid="4.3000", bid="4.2800", ask="4.3200", pair=EURPLN) -> LockQuote:
    return LockQuote(pair, Decimal(mid), Decimal(bid), Decimal(ask), at)


def order(title="AK-0001", amount="1000.00", side=Side.BUY, at=T0, **kwargs) -> LockedOrder:
    q = quote(at, **{k: kwargs.pop(k) for k in ("mid", "bid", "ask", "pair") if k in kwargs})
    return place_locked_order(q, side, Money(amount, q.pair.base), title, at, **kwargs)


def pay(amount: str, cur: str, title: str, at: datetime = T0 + timedelta(days=1)):
    return IncomingPayment(Money(amount, cur), title, at)


# -- LOCK-3 quote validity -----------------------------------------------------


def test_placing_within_the_quote_window_uses_the_quoted_rate_LOCK_3():
    q = quote(ask="4.3200")
    placed = place_locked_order(q, Side.BUY, Money("100.00", "EUR"), "AK-1", T0 + 119 * SECOND)
    assert placed.rate == Decimal("4.3200")
    assert placed.amount_due == Money("432.00", "PLN")


def test_placing_at_the_last_instant_of_the_quote_is_accepted_LOCK_3():
    place_locked_order(quote(), Side.BUY, Money("1.00", "EUR"), "AK-1", T0 + timedelta(minutes=2))


def test_placing_after_the_quote_expired_is_refused_LOCK_3():
    late = T0 + timedelta(minutes=2, microseconds=1)
    with pytest.raises(QuoteExpired) as err:
        place_locked_order(quote(), Side.BUY, Money("1.00", "EUR"), "AK-1", late)
    assert err.value.code == "QUOTE_EXPIRED"


def test_quote_needs_ordered_rates_and_an_aware_time_LOCK_3():
    with pytest.raises(InvalidLockOrder):
        quote(bid="4.3300")
    with pytest.raises(NaiveDatetime):
        quote(at=datetime(2026, 3, 2, 10, 0))


# -- LOCK-5 amounts ------------------------------------------------------------


def test_buying_base_owes_k_times_ask_rounded_up_LOCK_5():
    placed = order(amount="1234.56", ask="4.3217")  # 1234.56 × 4.3217 = 5335.3979…
    assert placed.amount_due == Money("5335.40", "PLN")
    assert placed.proceeds == Money("1234.56", "EUR")
    assert placed.rate == Decimal("4.3217")


def test_selling_base_owes_exactly_k_and_receives_k_times_bid_rounded_down_LOCK_5():
    placed = order(amount="1234.56", side=Side.SELL, bid="4.2817")  # = 5286.0155…
    assert placed.amount_due == Money("1234.56", "EUR")
    assert placed.proceeds == Money("5286.01", "PLN")
    assert placed.rate == Decimal("4.2817")


def test_order_stated_as_an_amount_to_pay_never_owes_more_LOCK_5():
    q = quote(ask="4.3217")
    placed = place_locked_order(q, Side.BUY, Money("1000.00", "PLN"), "AK-1", T0)
    assert placed.amount == Money("231.39", "EUR")
    assert placed.amount_due <= Money("1000.00", "PLN")


def test_order_stated_as_an_amount_to_receive_never_yields_less_LOCK_5():
    q = quote(bid="4.2817")
    placed = place_locked_order(q, Side.SELL, Money("1000.00", "PLN"), "AK-1", T0)
    assert placed.amount == Money("233.56", "EUR")
    assert placed.proceeds >= Money("1000.00", "PLN")


@settings(max_examples=100, deadline=None)
@given(
    minor=st.integers(min_value=100, max_value=10**9),
    rate=st.decimals(min_value=Decimal("0.5000"), max_value=Decimal("9.9999"), places=4),
)
def test_amounts_in_the_quote_currency_convert_to_the_best_k_LOCK_5(minor, rate):
    x = Money.from_minor(minor, "PLN")
    cent = Decimal("0.01")
    k_buy = base_amount(EURPLN, Side.BUY, rate, x)
    assert k_buy.amount * rate <= x.amount < (k_buy.amount + cent) * rate
    k_sell = base_amount(EURPLN, Side.SELL, rate, x)
    assert (k_sell.amount - cent) * rate < x.amount <= k_sell.amount * rate


def test_amounts_that_cannot_be_ordered_are_refused_LOCK_5():
    with pytest.raises(InvalidLockOrder):
        place_locked_order(quote(), Side.BUY, Money("0.01", "PLN"), "AK-1", T0)
    with pytest.raises(InvalidLockOrder):
        place_locked_order(quote(), Side.BUY, Money("10.00", "USD"), "AK-1", T0)
    with pytest.raises(InvalidLockOrder):
        place_locked_order(quote(), Side.BUY, Money("10.00", "EUR"), " \n", T0)


# -- LOCK-6 deadline -----------------------------------------------------------


def test_deadline_is_d_plus_7_at_18_00_warsaw_LOCK_6():
    assert order().deadline == DEADLINE


def test_deadline_crossing_spring_dst_is_18_00_cest_LOCK_6():
    placed = order(at=datetime(2026, 3, 25, 9, 0, tzinfo=UTC))
    assert placed.deadline.astimezone(UTC) == datetime(2026, 4, 1, 16, 0, tzinfo=UTC)


def test_deadline_on_a_holiday_stays_there_LOCK_6():
    placed = order(at=datetime(2026, 12, 18, 12, 0, tzinfo=WARSAW))
    assert placed.deadline == datetime(2026, 12, 25, 18, 0, tzinfo=WARSAW)  # Christmas Day


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


# -- LOCK-9 execution ----------------------------------------------------------


def test_verified_customer_and_account_execute_at_once_LOCK_9():
    action = paid_order_action(
        order(), T0 + timedelta(days=1), customer_verified_at=T0, sender_account_verified_at=T0
    )
    assert action is LockAction.EXECUTE


def test_unverified_paid_order_waits_until_the_deadline_then_cancels_LOCK_9():
    placed = order()
    kwargs = {"customer_verified_at": T0, "sender_account_verified_at": None}
    assert paid_order_action(placed, DEADLINE, **kwargs) is LockAction.WAIT
    assert paid_order_action(placed, DEADLINE + SECOND, **kwargs) is LockAction.CANCEL


def test_conditions_met_by_the_deadline_execute_even_when_processed_later_LOCK_9():
    placed = order()
    late_run = DEADLINE + timedelta(hours=3)
    assert (
        paid_order_action(
            placed, late_run, customer_verified_at=T0, sender_account_verified_at=DEADLINE
        )
        is LockAction.EXECUTE
    )
    assert (
        paid_order_action(
            placed, late_run, customer_verified_at=T0, sender_account_verified_at=DEADLINE + SECOND
        )
        is LockAction.CANCEL
    )


# -- LOCK-10 expiry ------------------------------------------------------------


def test_order_cannot_be_cancelled_before_its_deadline_LOCK_4():
    placed = order()
    assert not is_expired(placed, DEADLINE)
    with pytest.raises(LockNotExpired) as err:
        cancel_at_deadline(placed, DEADLINE, mid_at_deadline=Decimal("4.3000"))
    assert err.value.code == "LOCK_NOT_EXPIRED"


def test_unpaid_order_is_cancelled_at_the_deadline_with_damages_LOCK_10():
    placed = order()
    result = cancel_at_deadline(
        placed, DEADLINE + timedelta(days=2), mid_at_deadline=Decimal("4.2900")
    )
    assert result.reason is CancelReason.NOT_PAID_IN_TIME
    assert result.cancelled_at == DEADLINE
    assert result.damages == Money("50.00", "PLN")  # (0.02 + 0.02 + 0.01) × 1000
    assert result.released_to_balance == Money("0.00", "PLN")


def test_paid_order_cancelled_for_unmet_conditions_releases_the_payment_LOCK_10():
    result = cancel_at_deadline(
        order(), DEADLINE + SECOND, mid_at_deadline=Decimal("4.3000"), paid=True
    )
    assert result.reason is CancelReason.CONDITIONS_NOT_MET
    assert result.released_to_balance == Money("4320.00", "PLN")


# -- LOCK-11 damages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "mid_later", "expected"),
    [
        (Side.BUY, "4.2500", "90.00"),  # mid fell on a buy: Z = +0.05
        (Side.BUY, "4.3200", "20.00"),  # mid rose on a buy: Z = −0.02
        (Side.SELL, "4.3500", "90.00"),  # mid rose on a sell: Z = +0.05
        (Side.SELL, "4.2800", "20.00"),  # mid fell on a sell: Z = −0.02
        (Side.SELL, "4.3000", "40.00"),  # unchanged: the two margins only
    ],
)
def test_damages_follow_the_direction_of_the_mid_LOCK_11(side, mid_later, expected):
    placed = order(side=side)  # mid 4.30, bid 4.28, ask 4.32, K = 1000 EUR
    assert placed.buy_margin == placed.sell_margin == Decimal("0.0200")
    assert lock_damages(placed, Decimal(mid_later)) == Money(expected, "PLN")


def test_damages_are_never_negative_LOCK_11():
    assert lock_damages(order(side=Side.BUY), Decimal("4.4000")) == Money("0.00", "PLN")


def test_damages_round_half_up_in_the_quote_currency_LOCK_11():
    k = Money("1.00", "EUR")
    common = {"mid": Decimal("1.1000"), "mid_at_cancellation": Decimal("1.1000")}
    half = damages(EURUSD, Side.BUY, k, bid=Decimal("1.0975"), ask=Decimal("1.1025"), **common)
    assert half == Money("0.01", "USD")  # 0.0050 → 0.01
    below = damages(EURUSD, Side.BUY, k, bid=Decimal("1.0976"), ask=Decimal("1.1025"), **common)
    assert below == Money("0.00", "USD")  # 0.0049 → 0.00


@settings(max_examples=150, deadline=None)
@given(
    side=st.sampled_from(list(Side)),
    k_minor=st.integers(min_value=1, max_value=10**9),
    mid=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("10"), places=4),
    margins=st.tuples(*[st.decimals(min_value=0, max_value=Decimal("0.2"), places=4)] * 2),
    move=st.decimals(min_value=Decimal("-0.4"), max_value=Decimal("0.4"), places=4),
)
def test_damages_are_never_below_zero_and_match_the_formula_LOCK_11(
    side, k_minor, mid, margins, move
):
    k = Money.from_minor(k_minor, "EUR")
    bid, ask = mid - margins[0], mid + margins[1]
    s = damages(EURPLN, side, k, mid=mid, bid=bid, ask=ask, mid_at_cancellation=mid + move)
    z = move if side is Side.SELL else -move
    exact = (margins[0] + margins[1] + z) * k.amount
    assert s.currency.code == "PLN"
    assert s.amount >= 0
    assert abs(s.amount - max(exact, Decimal(0))) <= Decimal("0.005")


# -- LOCK-12 limits ------------------------------------------------------------


def test_limit_for_a_customer_without_all_conditions_is_10000_pln_LOCK_12():
    order(amount="2314.81", ask="4.3200")  # 9999.98 PLN: fine
    order(amount="2500.00", mid="4.0000", bid="4.0000", ask="4.0000")  # exactly the limit
    with pytest.raises(LockLimitExceeded) as err:
        order(amount="2314.82", ask="4.3200")  # 10000.0224 PLN
    assert err.value.code == "LOCK_LIMIT_EXCEEDED"
    assert err.value.limit == Money("10000.00", "PLN")
    assert err.value.exposure == Money("10000.03", "PLN")  # 10000.0224, rounded up


def test_limit_counts_all_unpaid_orders_including_the_new_one_LOCK_12():
    flat = {"mid": "3.0000", "bid": "3.0000", "ask": "3.0000"}
    first = order(amount="2000.00", **flat)  # 6000 PLN
    order("AK-0002", amount="1333.33", unpaid_orders=[first], **flat)  # 9999.99 in total
    with pytest.raises(LockLimitExceeded):
        order("AK-0002", amount="1333.34", unpaid_orders=[first], **flat)


def test_customer_meeting_all_conditions_has_a_100000_pln_limit_LOCK_12():
    big = order(amount="20000.00", ask="4.9999", conditions_met=True)  # 99 998 PLN
    assert big.exposure_pln == Money("99998.00", "PLN")
    with pytest.raises(LockLimitExceeded):
        order(amount="20000.00", ask="5.0001", conditions_met=True)


def test_sell_orders_count_at_the_locked_bid_LOCK_12():
    assert order(amount="1000.00", side=Side.SELL).exposure_pln == Money("4280.00", "PLN")


def test_cross_pair_needs_the_pln_rate_at_acceptance_LOCK_12():
    k = Money("1000.00", "EUR")
    with pytest.raises(InvalidLockOrder):
        exposure_pln(EURUSD, k, Decimal("1.0800"))
    assert exposure_pln(EURUSD, k, Decimal("1.0800"), Decimal("4.3012")) == Money("4301.20", "PLN")


# -- LOCK-13 service hours -----------------------------------------------------


def test_placing_outside_service_hours_is_refused_LOCK_13():
    hours = ServiceHours.business_days(time(8, 0), time(20, 0))
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=WARSAW)
    with pytest.raises(ServiceClosed) as err:
        order(at=saturday, service_hours=hours)
    assert err.value.code == "SERVICE_CLOSED"
    assert order(at=saturday).placed_at == saturday  # default: around the clock


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
