"""LOCK-4, LOCK-9..11: execute, wait or cancel, and the damages (``003`` pkt 18-22)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.domain.money import Money
from kantor.domain.ratelock import (
    CancelReason,
    LockAction,
    LockNotExpired,
    Side,
    cancel_at_deadline,
    damages,
    is_expired,
    lock_damages,
    paid_order_action,
)
from tests.domain.test_ratelock import DEADLINE, EURPLN, EURUSD, SECOND, T0, order

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
