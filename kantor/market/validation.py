"""Checking an order before it is accepted (MKT-1, MKT-2, MKT-3, MKT-8, FEE-2, REG-12).

Everything here reads, nothing writes: ``validate_order`` turns the API's or
the panel's strings into an ``OrderRequest`` (the pair as the market trades
it, the limit in ticks, the MKT-2 cover), or refuses with a stable code.
``kantor.market.actions`` accepts what passes, under the ledger's locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kantor.customers.models import Customer
from kantor.domain.money import (
    CurrencyPair,
    InvalidAmount,
    Money,
    UnknownCurrency,
    currency,
    parse_amount,
)
from kantor.domain.orderbook_events import Side
from kantor.ledger.models import Account, AccountKind

from .errors import AmountTooSmall, FeesInArrears, InvalidOrder, NotAllowed, UnsupportedCurrency
from .models import BuySell
from .pairs import MarketPair, market_pair

__all__ = ["OrderRequest", "require_can_trade", "require_no_arrears", "validate_order"]


@dataclass(frozen=True)
class OrderRequest:
    """A validated order, ready to accept: who, what it trades, what it reserves."""

    customer: Customer
    market: MarketPair
    side: BuySell
    volume: Money
    limit_price: Decimal
    ticks: int
    #: MKT-2: the full cover, in the currency the order sells.
    reservation: Money

    @property
    def pair(self) -> CurrencyPair:
        return self.market.pair

    @property
    def in_quote(self) -> bool:
        return self.volume.currency == self.pair.quote

    @property
    def bought_currency(self) -> str:
        return self.pair.base.code if self.side == BuySell.BUY else self.pair.quote.code


def _pair_code(pair: str | CurrencyPair) -> str:
    return pair.code if isinstance(pair, CurrencyPair) else str(pair).strip().upper()


def _side(value: BuySell | Side | str) -> BuySell:
    if isinstance(value, Side):
        return BuySell.BUY if value is Side.BUY else BuySell.SELL
    text = str(value).strip().upper()
    if text not in BuySell.values:
        raise InvalidOrder(
            f"{value!r} is neither BUY nor SELL", code="INVALID_SIDE", error_data={"buySell": value}
        )
    return BuySell(text)


def require_can_trade(customer: Customer) -> None:
    """REG-12, TERM-2: a suspended or terminated account places no orders."""
    if not customer.can_trade:
        raise NotAllowed(
            f"the account is {customer.status}: the market is not available",
            error_data={"status": customer.status},
        )


def require_no_arrears(customer: Customer, owed: list[Account] | None = None) -> None:
    """FEE-2: a customer owing fees or damages places no new orders until paid.

    ``owed``: the customer's receivable accounts with a balance, when the
    caller already read them (``_accept`` does, in its accounts query).
    """
    if owed is None:
        owed = list(
            Account.objects.filter(
                customer=customer, kind=AccountKind.CUSTOMER_RECEIVABLE, balance_minor__gt=0
            )
        )
    debts = [str(a.balance) for a in sorted(owed, key=lambda a: a.currency) if a.balance_minor > 0]
    if debts:
        refusal = FeesInArrears(
            f"fees are in arrears ({', '.join(debts)}): pay them before placing new orders",
            error_data={"amountDue": ", ".join(debts)},
        )
        refusal.customer_id = customer.pk
        raise refusal


def validate_order(
    customer: Customer,
    pair: str | CurrencyPair,
    side: BuySell | Side | str,
    volume: Decimal | str | Money,
    volume_currency: str | None,
    limit_price: Decimal | str,
    *,
    check_arrears: bool = True,
    market: MarketPair | None = None,
) -> OrderRequest:
    """MKT-1, MKT-2, MKT-3, MKT-8, FEE-2: every check that needs no lock.

    ``check_arrears=False`` leaves FEE-2 to the accepting transaction, which
    reads the receivables with the accounts it needs anyway. ``market``: the
    pair's market as ``market_pair`` just returned it, for a gateway that
    validates a group of orders of one pair (one lookup, not one per order).
    """
    require_can_trade(customer)
    if check_arrears:
        require_no_arrears(customer)
    if market is None or market.code != _pair_code(pair):
        market = market_pair(pair)  # PairNotOffered: CURRENCY_NOT_SUPPORTED
    cp = market.pair
    chosen = _side(side)
    if isinstance(volume, Money):
        amount = volume
    else:
        try:
            cur = currency(volume_currency or "")
        except UnknownCurrency:
            raise UnsupportedCurrency(
                f"currency {volume_currency!r} is not supported",
                error_data={"volumeCurrency": volume_currency},
            ) from None
        amount = Money(parse_amount(volume), cur)  # InvalidAmount: too many decimals
    if amount.currency not in (cp.base, cp.quote):
        raise InvalidOrder(
            f"the volume currency {amount.currency} is not in {cp}",
            code="VOLUME_CURRENCY_NOT_IN_PAIR",
            error_data={"volumeCurrency": amount.currency.code, "currencyPair": cp.code},
        )
    if not amount.is_positive:
        raise InvalidOrder("the volume must be positive", error_data={"volume": str(amount)})
    try:
        rate = cp.check_rate(parse_amount(limit_price))  # MON-3: the pair's decimals
    except InvalidAmount as exc:
        raise InvalidOrder(
            str(exc), code="INVALID_LIMIT_PRICE", error_data={"limitPrice": limit_price}
        ) from None
    ticks = market.scale.ticks(rate)
    in_quote = amount.currency == cp.quote
    engine_side = Side.BUY if chosen == BuySell.BUY else Side.SELL
    minimum = {"minimum": f"{market.min_base} / {market.min_quote}"}
    if market.below_minimum(ticks, amount.minor, in_quote):
        raise AmountTooSmall(
            f"the order is worth less than the minimum trade value "
            f"({market.min_base} or {market.min_quote})",
            error_data=minimum,
        )
    cover = market.reservation(engine_side, ticks, amount.minor, in_quote)
    sold = cp.quote if chosen == BuySell.BUY else cp.base
    # a buy for a quote budget too small for one base minor unit at its limit
    buys_nothing = in_quote and chosen == BuySell.BUY and amount.minor * market.divisor < ticks
    if cover <= 0 or buys_nothing:
        raise AmountTooSmall("the volume buys or sells nothing at this limit", error_data=minimum)
    return OrderRequest(
        customer, market, chosen, amount, rate, ticks, Money.from_minor(cover, sold)
    )
