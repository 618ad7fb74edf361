"""LOCK-3..6, LOCK-12, LOCK-13: the quote, the amounts, the deadline, placing (``003``)."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.domain.calendar import WARSAW, NaiveDatetime, ServiceHours
from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import (
    IncomingPayment,
    InvalidLockOrder,
    LockedOrder,
    LockLimitExceeded,
    LockQuote,
    QuoteExpired,
    ServiceClosed,
    Side,
    base_amount,
    exposure_pln,
    place_locked_order,
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


def test_every_rate_lock_name_is_importable_from_ratelock():
    """The rules live in three modules; ``kantor.domain.ratelock`` re-exports them all."""
    import kantor.domain.ratelock as core
    from kantor.domain import ratelock_outcomes, ratelock_payments

    assert core.match_payment is ratelock_payments.match_payment
    assert core.lock_damages is ratelock_outcomes.lock_damages
    assert all(getattr(core, name) is not None for name in core.__all__)
    with pytest.raises(AttributeError):
        core.no_such_rule  # noqa: B018
