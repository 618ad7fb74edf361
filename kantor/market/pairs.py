"""A pair as the market trades it: its scale, its minimums, its sequence row.

``MarketPair`` joins the operator's pair configuration (MON-3, the rates
app) with what the market fixes for itself: the rate decimals its book
counts ticks in (``MarketSequence.rate_decimals``, fixed when the pair's
market opens) and the MKT-8 minimums (``kantor.market.conf``). The pure
engine answers the arithmetic questions (MKT-2 reservation, MKT-8 minimum)
through an empty ``OrderBook`` that is never fed an order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from kantor.core.ttlcache import TtlCache
from kantor.domain.money import CurrencyPair, Money, MoneyError
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import Side
from kantor.domain.orderbook_scale import BookScale
from kantor.rates.errors import PairNotOffered
from kantor.rates.models import OfferedPair
from kantor.rates.queries import pair_config

from . import conf
from .models import MarketSequence

__all__ = ["MarketCache", "MarketPair", "market_pair", "open_market", "order_markets"]


@dataclass(frozen=True)
class MarketPair:
    pair: CurrencyPair
    min_base: Money
    min_quote: Money

    @property
    def code(self) -> str:
        return self.pair.code

    @property
    def scale(self) -> BookScale:
        return BookScale(self.pair)

    def new_book(self) -> OrderBook:
        """An empty book with this pair's scale and MKT-8 minimums."""
        return self.scale.new_book(min_base=self.min_base, min_quote=self.min_quote)

    @property
    def rules(self) -> OrderBook:
        """An empty book used only for its pure arithmetic (never fed orders)."""
        return _rules(self.code, self.pair.rate_decimals, self.min_base.minor, self.min_quote.minor)

    @property
    def divisor(self) -> int:
        """D: ``q`` base minor units at ``p`` ticks are worth ``q * p / D`` quote minor units."""
        return self.rules.divisor

    def reservation(self, side: Side, ticks: int, volume_minor: int, in_quote: bool) -> int:
        """MKT-2: minor units of the sold currency that cover the whole order."""
        return self.rules.reservation(side, ticks, volume_minor, in_quote)

    def below_minimum(self, ticks: int, volume_minor: int, in_quote: bool) -> bool:
        """MKT-8: is the order worth less than the minimum in either currency?"""
        return self.rules.below_minimum(ticks, volume_minor, in_quote)


#: pair → the rate decimals its market opened with (they never change afterwards)
_opened: dict[str, int] = {}


@lru_cache(maxsize=256)
def _rules(code: str, rate_decimals: int, min_base: int, min_quote: int) -> OrderBook:
    pair = CurrencyPair.parse(code, rate_decimals)
    return OrderBook(
        pair.base.minor_units,
        pair.quote.minor_units,
        rate_decimals,
        min_base=min_base,
        min_quote=min_quote,
    )


def open_market(config: OfferedPair) -> int:
    """The pair's sequence row (created on first use); its fixed rate decimals."""
    sequence, _ = MarketSequence.objects.get_or_create(
        pair=config.code, defaults={"rate_decimals": config.rate_decimals}
    )
    _opened[config.code] = sequence.rate_decimals
    return sequence.rate_decimals


def market_pair(pair: str | CurrencyPair, *, offered_only: bool = True) -> MarketPair:
    """The pair's market; opens it (its sequence row) on first use.

    ``offered_only``: accepting orders needs a pair the operator offers now
    (else ``PairNotOffered``, CURRENCY_NOT_SUPPORTED); a matcher still runs
    a pair that was withdrawn, so that its resting orders can be cancelled.
    """
    config = pair_config(pair, offered_only=offered_only)
    decimals = _opened.get(config.code)
    if decimals is None:
        decimals = open_market(config)
    cp = CurrencyPair.parse(config.code, decimals)
    return MarketPair(cp, conf.min_trade(cp.base.code), conf.min_trade(cp.quote.code))


class MarketCache(TtlCache[str, MarketPair]):
    """Markets found lately, for the order gateway's hot path (PostgreSQL
    only; elsewhere every lookup reads the row).

    Every order starts by reading its pair's configuration (MON-3: is the pair
    offered?). Read per request, that was an eighth of a web worker's CPU
    (docs/PERFORMANCE.md, fifth session). Whatever a market caches is fixed
    once its market opened (the rate decimals) or comes from settings (the
    MKT-8 minimums), except whether the operator still offers the pair: the
    gateway checks that inside the transaction that writes a group's
    orders (``kantor.api.gateway``), so a pair withdrawn meanwhile takes no
    order. Entries live ``ttl`` seconds.
    """

    def __init__(self, *, ttl: float = 30.0, size: int = 256):
        super().__init__(ttl=ttl, size=size)

    def find(self, pair: str) -> MarketPair:
        """``market_pair(pair)``, from the cache when it is fresh. Entries go
        by the pair's code, never by the client's spelling of it."""
        if connection.vendor != "postgresql":
            return market_pair(pair)
        try:
            code = CurrencyPair.parse(pair).code
        except MoneyError:
            raise PairNotOffered(f"{pair!r} is not a currency pair") from None
        market = self.get(code)
        if market is None:
            market = market_pair(code)  # PairNotOffered is not remembered
            self.put(code, market)
        return market

    def forget(self, code: str) -> None:
        """Drop the pair ``code`` (it is no longer offered)."""
        self.pop(code)


#: The cache the order gateway validates with (``kantor.api.gateway``).
order_markets = MarketCache()
