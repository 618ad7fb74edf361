"""The Decimal boundary of the order book: rates ↔ ticks, money ↔ minor units.

The engine (``kantor.domain.orderbook``) counts in integers only; the market
service speaks ``Decimal`` rates and ``Money``. ``BookScale`` converts between
the two for one ``CurrencyPair``, refusing anything that would need rounding
(MON-1: sub-minor amounts; MON-3: rates with too many decimals), and derives
the MKT-7 price band from a mid rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from kantor.domain.money import MONEY_CONTEXT, CurrencyMismatch, CurrencyPair, Money
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import SelfMatch

__all__ = ["DEFAULT_MAX_DEVIATION", "BookScale"]

#: MKT-7: a trade may differ from the mid rate by at most 2% (configurable)
DEFAULT_MAX_DEVIATION = Decimal("0.02")


@dataclass(frozen=True, slots=True)
class BookScale:
    """How one pair's rates and amounts map onto the engine's integers."""

    pair: CurrencyPair

    def new_book(
        self,
        *,
        min_base: Money | None = None,
        min_quote: Money | None = None,
        self_match: SelfMatch = SelfMatch.CANCEL_RESTING,
    ) -> OrderBook:
        """An empty book for the pair, with MKT-8 minimums given as ``Money``."""
        return OrderBook(
            self.pair.base.minor_units,
            self.pair.quote.minor_units,
            self.pair.rate_decimals,
            min_base=0 if min_base is None else self.base_minor(min_base),
            min_quote=0 if min_quote is None else self.quote_minor(min_quote),
            self_match=self_match,
        )

    # rates -------------------------------------------------------------------
    def ticks(self, rate: Decimal) -> int:
        """MON-3: a limit rate in ticks; refuses rates with too many decimals."""
        return int(self.pair.check_rate(rate).scaleb(self.pair.rate_decimals))

    def rate(self, ticks: int) -> Decimal:
        return Decimal(ticks).scaleb(-self.pair.rate_decimals).quantize(self.pair.rate_quantum)

    def price_band(
        self, mid: Decimal, max_deviation: Decimal = DEFAULT_MAX_DEVIATION
    ) -> tuple[int, int]:
        """MKT-7: ticks (lo, hi) within ``max_deviation`` of ``mid``, both inclusive.

        Rounded inwards, so that no tick in the band is further from the mid
        than allowed, whatever the mid's decimals.
        """
        scale = Decimal(1).scaleb(self.pair.rate_decimals)
        lo = MONEY_CONTEXT.multiply(MONEY_CONTEXT.multiply(mid, 1 - max_deviation), scale)
        hi = MONEY_CONTEXT.multiply(MONEY_CONTEXT.multiply(mid, 1 + max_deviation), scale)
        return (
            int(lo.to_integral_value(rounding=ROUND_CEILING)),
            int(hi.to_integral_value(rounding=ROUND_FLOOR)),
        )

    # amounts -----------------------------------------------------------------
    def base_minor(self, amount: Money) -> int:
        if amount.currency != self.pair.base:
            raise CurrencyMismatch(f"{amount} is not in {self.pair.base}")
        return amount.minor

    def quote_minor(self, amount: Money) -> int:
        if amount.currency != self.pair.quote:
            raise CurrencyMismatch(f"{amount} is not in {self.pair.quote}")
        return amount.minor

    def volume(self, amount: Money) -> tuple[int, bool]:
        """MKT-1: an order volume in either currency → (minor units, in_quote)."""
        if amount.currency == self.pair.base:
            return amount.minor, False
        return self.quote_minor(amount), True

    def base_money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.pair.base)

    def quote_money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.pair.quote)
