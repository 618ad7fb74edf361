"""Operator rates from market mids (RATE-1), pure and exhaustively testable.

Three ideas live here, none of them touching a database:

* **bid/ask from mid and margin.** Margins are *fractions of the mid*
  (``Decimal("0.0025")`` = 0.25 %), one for each side, so that one number
  means the same on EUR/PLN (≈ 4.3) and on EUR/USD (≈ 1.1). The operator's buy
  rate is ``bid = mid × (1 − bid_margin)`` rounded DOWN to the pair's
  decimals, the sell rate ``ask = mid × (1 + ask_margin)`` rounded UP (MON-3):
  rounding never quotes the customer a better rate than the margin says, so
  ``bid ≤ mid ≤ ask`` always, and ``bid < mid < ask`` when both margins are
  positive.
* **cross rates from PLN mids.** NBP table A lists every currency against
  PLN; EUR/USD is EURPLN ÷ USDPLN. A mid is a reference, not a price anyone
  pays, so it is rounded HALF-UP to the pair's decimals (``round_mid``).
* **the demo ticker**: deterministic rates for offline demos, moving from the
  last real mid in small seeded steps. Time is cut into steps of
  ``step_seconds`` since the Unix epoch; the shock of currency *c* at step *k*
  is a hash of ``(seed, c, k)``, so the same seed, anchor and time always give
  the same rate — with no state to keep, whenever and however often the
  worker ticks. Shocks move *currencies* against PLN, and a pair moves by
  base ÷ quote, so EUR/USD stays consistent with EUR/PLN ÷ USD/PLN.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from kantor.domain.money import MONEY_CONTEXT, CurrencyPair, InvalidAmount, MoneyError

__all__ = [
    "MAX_MARGIN",
    "BidAsk",
    "DemoWalk",
    "MissingMid",
    "bid_ask",
    "cross_mid",
    "round_mid",
]

#: A margin is a fraction of the mid in [0, MAX_MARGIN]: 10 % is far beyond
#: any kantor's margin, so a larger number is a typo (0.5 meant as 0.5 %).
MAX_MARGIN = Decimal("0.1")


class MissingMid(MoneyError):
    """A cross rate needs a PLN mid that the table does not list."""

    code = "NO_RATE_FOR_PAIR"


@dataclass(frozen=True, slots=True)
class BidAsk:
    """The operator's two rates for one mid (RATE-1)."""

    mid: Decimal
    bid: Decimal
    ask: Decimal


def round_mid(pair: CurrencyPair, value: Decimal) -> Decimal:
    """A mid at the pair's decimals, half-up: nobody pays the mid (MON-3)."""
    return value.quantize(pair.rate_quantum, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)


def _check_margin(margin: Decimal, side: str) -> Decimal:
    if not isinstance(margin, Decimal) or not margin.is_finite():
        raise InvalidAmount(f"{side} margin {margin!r} is not a decimal")
    if not Decimal(0) <= margin <= MAX_MARGIN:
        raise InvalidAmount(f"{side} margin {margin} is outside [0, {MAX_MARGIN}]")
    return margin


def bid_ask(pair: CurrencyPair, mid: Decimal, bid_margin: Decimal, ask_margin: Decimal) -> BidAsk:
    """RATE-1: bid = mid − margin rounded down, ask = mid + margin rounded up.

    ``mid`` is first brought to the pair's decimals (``round_mid``) so that the
    published mid, bid and ask share one precision.
    """
    if not isinstance(mid, Decimal) or not mid.is_finite() or mid <= 0:
        raise InvalidAmount(f"mid {mid!r} must be a positive decimal")
    _check_margin(bid_margin, "bid")
    _check_margin(ask_margin, "ask")
    m = round_mid(pair, mid)
    if m <= 0:
        raise InvalidAmount(f"mid {mid} is zero at {pair.rate_decimals} decimals")
    bid = pair.round_rate_down(MONEY_CONTEXT.multiply(m, 1 - bid_margin))
    ask = pair.round_rate_up(MONEY_CONTEXT.multiply(m, 1 + ask_margin))
    if bid <= 0:
        raise InvalidAmount(f"bid for {pair} rounds to zero at {pair.rate_decimals} decimals")
    return BidAsk(mid=m, bid=bid, ask=ask)


def cross_mid(pair: CurrencyPair, pln_mids: Mapping[str, Decimal]) -> Decimal:
    """RATE-1: the pair's mid from mids against PLN (NBP table A), half-up.

    ``pln_mids`` maps a currency code to PLN per 1 unit; PLN itself is 1, so
    EUR/PLN is EURPLN ÷ 1 and PLN/EUR is 1 ÷ EURPLN.
    """

    def pln(code: str) -> Decimal:
        if code == "PLN":
            return Decimal(1)
        try:
            value = pln_mids[code]
        except KeyError:
            raise MissingMid(f"no PLN mid for {code} (needed for {pair})") from None
        if value <= 0:
            raise InvalidAmount(f"PLN mid for {code} must be positive, got {value}")
        return value

    return round_mid(pair, MONEY_CONTEXT.divide(pln(pair.base.code), pln(pair.quote.code)))


# --- the demo ticker --------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SHOCK_RESOLUTION = 1_000_000


@dataclass(frozen=True, slots=True)
class DemoWalk:
    """RATE-1: the deterministic demo rate generator (offline, reproducible).

    A currency's level at step *k* is the product of its factors
    ``1 + max_move·u`` (``u ∈ [−1, 1]`` from ``sha256(seed|currency|step)``)
    over the steps since the anchor, at most the last ``window`` of them;
    PLN's level is 1. A pair's mid at step *k* is
    ``anchor × level(base) ÷ level(quote)``, rounded half-up to its decimals.

    Bounds: from one step to the next a currency's level changes by at most
    two factors (one enters the window, one leaves), so a pair moves by at
    most about ``4·max_move`` — 0.05 % with the default — plus the rounding
    to the pair's decimals. Over the window the mids stay close to the last
    real value: the demo never drifts away in a long run.
    """

    seed: str
    step_seconds: int = 10
    window: int = 360
    max_move: Decimal = Decimal("0.000125")

    def __post_init__(self) -> None:
        if self.step_seconds <= 0 or self.window <= 0:
            raise ValueError("step_seconds and window must be positive")
        if not Decimal(0) < self.max_move < Decimal("0.01"):
            raise ValueError("max_move must be in (0, 0.01)")

    def step_index(self, when: datetime) -> int:
        """The step a moment falls in (steps are counted from the Unix epoch)."""
        if when.tzinfo is None:
            raise ValueError("the demo ticker needs an aware datetime")
        elapsed = when - _EPOCH
        return (elapsed.days * 86400 + elapsed.seconds) // self.step_seconds

    def step_time(self, index: int) -> datetime:
        """The moment a step begins, in UTC: the ``ts`` of the mids it makes."""
        return _EPOCH + timedelta(seconds=index * self.step_seconds)

    def shock(self, code: str, index: int) -> Decimal:
        """u in [−1, 1] for a currency at a step, from a hash: no state, no floats."""
        return _shock(self.seed, code, index)

    def level(self, code: str, index: int, anchor_index: int) -> Decimal:
        """The currency's move against PLN at ``index`` since the anchor's step."""
        if code == "PLN":
            return Decimal(1)
        return _level(self, code, index, anchor_index)

    def mid(self, pair: CurrencyPair, anchor: Decimal, anchor_index: int, index: int) -> Decimal:
        """The pair's demo mid at step ``index``, from the real ``anchor`` mid."""
        ctx = MONEY_CONTEXT
        move = ctx.divide(
            self.level(pair.base.code, index, anchor_index),
            self.level(pair.quote.code, index, anchor_index),
        )
        value = round_mid(pair, ctx.multiply(anchor, move))
        return value if value > 0 else round_mid(pair, anchor)

    def mids(
        self, pair: CurrencyPair, anchor: Decimal, anchor_index: int, start: int, end: int
    ) -> Iterator[tuple[int, Decimal]]:
        """Steps ``start + 1 .. end`` of the pair, each as (index, mid)."""
        for index in range(start + 1, end + 1):
            yield index, self.mid(pair, anchor, anchor_index, index)


@lru_cache(maxsize=65536)
def _shock(seed: str, code: str, index: int) -> Decimal:
    digest = hashlib.sha256(f"{seed}|{code}|{index}".encode()).digest()
    n = int.from_bytes(digest[:8], "big") % (2 * _SHOCK_RESOLUTION + 1)
    return Decimal(n - _SHOCK_RESOLUTION) / _SHOCK_RESOLUTION


@lru_cache(maxsize=8192)
def _level(walk: DemoWalk, code: str, index: int, anchor_index: int) -> Decimal:
    """Always the same product in the same order: cached or not, the same digits."""
    ctx = MONEY_CONTEXT
    value = Decimal(1)
    for k in range(max(anchor_index, index - walk.window) + 1, index + 1):
        value = ctx.multiply(value, 1 + ctx.multiply(walk.max_move, _shock(walk.seed, code, k)))
    return value
