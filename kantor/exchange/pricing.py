"""What an exchange with the operator moves, before anything is booked (FX-1, FX-2, LOCK-9).

Pure values, no database. The amounts follow the rate-lock rules in
``kantor.domain.ratelock`` so that every exchange with the operator rounds
the same way (MON-2):

* K, the amount in the base currency, from ``volume`` in either currency
  (``base_amount``: a quote-currency volume is "pay at most" for a BUY and
  "receive at least" for a SELL);
* what the customer pays — K × ask rounded **up** for a BUY, K for a SELL;
* what the customer receives — K for a BUY, K × bid rounded **down** for a SELL;
* the FEE-1 commission, when the operator charges one, on what the customer
  receives, rounded up and taken from it;
* the operator's margin, booked as ``fx_income`` so it can be reported: the
  difference between what moved at the customer's rate and K × mid, the
  latter rounded half-up (a valuation, not a payment). With bid ≤ mid ≤ ask
  the margin is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kantor.domain.fees import trade_commission
from kantor.domain.money import CurrencyPair, Money, round_half_up
from kantor.domain.ratelock import Side, amount_due, base_amount, proceeds

from .errors import InvalidExchange

__all__ = ["ExchangePlan", "plan_exchange", "plan_locked"]


@dataclass(frozen=True, slots=True)
class ExchangePlan:
    """One exchange, fully computed. ``sold``/``bought`` are the customer's view."""

    pair: CurrencyPair
    side: Side
    amount: Money  # K, base currency
    rate: Decimal
    mid: Decimal
    sold: Money
    gross_bought: Money
    commission: Money  # in the bought currency
    mid_value: Money  # K × mid, quote currency, half-up
    rate_ts: datetime | None = None

    @property
    def bought(self) -> Money:
        """What reaches the customer's balance (net of the commission)."""
        return self.gross_bought - self.commission

    @property
    def margin(self) -> Money:
        """The operator's exchange margin in the quote currency (``fx_income``)."""
        if self.side is Side.BUY:
            return self.sold - self.mid_value
        return self.mid_value - self.gross_bought

    @property
    def direction(self) -> str:
        return self.side.name


def _too_small(volume: Money, pair: CurrencyPair) -> InvalidExchange:
    return InvalidExchange(
        f"{volume} is too small for an exchange on {pair}",
        code="AMOUNT_TOO_SMALL",
        api_key="AMOUNT_TOO_SMALL",
        error_data={"volume": str(volume)},
    )


def plan_locked(
    pair: CurrencyPair,
    side: Side,
    k: Money,
    rate: Decimal,
    mid: Decimal,
    *,
    commission_rate: Decimal = Decimal(0),
    discount: Decimal = Decimal(0),
    rate_ts: datetime | None = None,
) -> ExchangePlan:
    """The exchange of K base at ``rate`` (the amounts LOCK-5 fixes for a locked order)."""
    sold = amount_due(pair, side, k, rate)
    gross = proceeds(pair, side, k, rate)
    if not gross.is_positive or not sold.is_positive:
        raise _too_small(k, pair)
    commission = (
        trade_commission(gross, commission_rate, discount)
        if commission_rate
        else Money.zero(gross.currency)
    )
    if not (gross - commission).is_positive:
        raise _too_small(k, pair)
    mid_value = Money(round_half_up(pair.quote_amount(k.amount, mid), pair.quote), pair.quote)
    return ExchangePlan(
        pair=pair,
        side=side,
        amount=k,
        rate=rate,
        mid=mid,
        sold=sold,
        gross_bought=gross,
        commission=commission,
        mid_value=mid_value,
        rate_ts=rate_ts,
    )


def plan_exchange(
    pair: CurrencyPair,
    side: Side,
    volume: Money,
    *,
    bid: Decimal,
    ask: Decimal,
    mid: Decimal,
    commission_rate: Decimal = Decimal(0),
    discount: Decimal = Decimal(0),
    rate_ts: datetime | None = None,
) -> ExchangePlan:
    """FX-1/FX-2: exchange ``volume`` (either currency of the pair) at ask (BUY) or bid (SELL)."""
    if volume.currency not in (pair.base, pair.quote):
        raise InvalidExchange(
            f"{volume.currency} is not a currency of {pair}",
            code="VOLUME_CURRENCY_NOT_IN_PAIR",
            error_data={"volumeCurrency": volume.currency.code},
        )
    if not volume.is_positive:
        raise InvalidExchange(
            "the volume must be positive",
            code="INVALID_VOLUME",
            error_data={"volume": str(volume.amount)},
        )
    rate = ask if side is Side.BUY else bid
    k_raw = pair.base_amount(volume.amount, rate) if volume.currency == pair.quote else None
    if k_raw is not None and k_raw < pair.base.quantum and side is Side.BUY:
        raise _too_small(volume, pair)
    k = base_amount(pair, side, rate, volume)
    return plan_locked(
        pair,
        side,
        k,
        rate,
        mid,
        commission_rate=commission_rate,
        discount=discount,
        rate_ts=rate_ts,
    )
