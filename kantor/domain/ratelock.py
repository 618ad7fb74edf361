"""Rate lock before payment — "Akceptacja Kursu Przed Wpłatą" (LOCK-3..LOCK-13, seed ``003``).

The customer accepts the operator's current rate *before* sending the money:
placing the order is the acceptance (LOCK-4), the amount due and a unique
transfer title are fixed at once (LOCK-5), and the transfer must be booked by
18:00 Warsaw time on day D+7 (LOCK-6). An incoming transfer pays the order
when it carries the right title and the amount due, or up to 110% of it
(LOCK-7), or exactly the amount due under another title that cannot belong to
anything else (LOCK-8). Otherwise the money goes to the customer's balance and
the order is cancelled at the deadline (LOCK-10) with damages owed (LOCK-11).

Everything here is a pure function of values: the Django app stores orders and
payments, passes them in together with ``now``, and books what comes out.
Amounts the customer pays are rounded up, amounts received down (MON-2);
damages are rounded half-up (LOCK-11, documented decision).

The rules live in three modules, one idea each:

* this one — the quote, the amounts, placing and the limits (LOCK-3..6, 12, 13);
* ``ratelock_payments`` — which order a payment pays (LOCK-7, LOCK-8, LOCK-10);
* ``ratelock_outcomes`` — execute, wait or cancel, and the damages (LOCK-9..11).

Every public name of the other two is importable from here too
(``from kantor.domain.ratelock import match_payment``), loaded on first use so
that the modules can import this one without a cycle.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from kantor.domain.calendar import ServiceHours, calendar_days_deadline, to_warsaw
from kantor.domain.money import (
    MONEY_CONTEXT,
    CurrencyPair,
    Money,
    round_customer_pays,
    round_customer_receives,
)
from kantor.domain.orderbook_events import Side

#: Names defined in the two sibling modules, re-exported lazily (PEP 562).
_REEXPORTS = {
    "kantor.domain.ratelock_payments": (
        "OVERPAYMENT_TOLERANCE",
        "IncomingPayment",
        "PaymentDecision",
        "PaymentReason",
        "TitleFilter",
        "match_payment",
        "settle_payments",
    ),
    "kantor.domain.ratelock_outcomes": (
        "CancelReason",
        "LockAction",
        "LockCancellation",
        "cancel_at_deadline",
        "damages",
        "is_expired",
        "lock_damages",
        "paid_order_action",
    ),
}
_LAZY = {name: module for module, names in _REEXPORTS.items() for name in names}

__all__ = [
    "DEFAULT_LOCK_LIMITS",
    "DEFAULT_SERVICE_HOURS",
    "PAYMENT_CUTOFF",
    "PAYMENT_DAYS",
    "QUOTE_VALIDITY",
    "InvalidLockOrder",
    "LockLimitExceeded",
    "LockLimits",
    "LockNotExpired",
    "LockQuote",
    "LockedOrder",
    "QuoteExpired",
    "RateLockError",
    "ServiceClosed",
    "Side",
    "amount_due",
    "base_amount",
    "check_lock_limit",
    "check_service_open",
    "exposure_pln",
    "normalize_title",
    "place_locked_order",
    "proceeds",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


#: LOCK-3 decision: how long the rate shown at the start of placing is honoured.
QUOTE_VALIDITY = timedelta(minutes=2)
#: LOCK-6: D+7 at 18:00 Warsaw time.
PAYMENT_DAYS = 7
PAYMENT_CUTOFF = time(18, 0)
#: LOCK-13 decision: rate-locked orders follow basic order hours, around the clock by default.
DEFAULT_SERVICE_HOURS = ServiceHours()


class RateLockError(ValueError):
    """Base class for rate-lock errors; ``code`` is a stable machine key."""

    code = "RATE_LOCK_ERROR"


class InvalidLockOrder(RateLockError):
    code = "INVALID_LOCK_ORDER"


class QuoteExpired(RateLockError):
    """LOCK-3: the rate shown at the start is no longer honoured; start again."""

    code = "QUOTE_EXPIRED"


class ServiceClosed(RateLockError):
    """LOCK-13: orders cannot be placed at this hour."""

    code = "SERVICE_CLOSED"


class LockNotExpired(RateLockError):
    """LOCK-4: a locked order cannot be cancelled before its deadline."""

    code = "LOCK_NOT_EXPIRED"


class LockLimitExceeded(RateLockError):
    """LOCK-12: the new order would take unpaid locked orders over the limit."""

    code = "LOCK_LIMIT_EXCEEDED"

    def __init__(self, limit: Money, exposure: Money):
        super().__init__(f"unpaid locked orders would total {exposure}, over the limit {limit}")
        self.limit = limit
        self.exposure = exposure
        self.error_data = {"limit": str(limit), "exposure": str(exposure)}


# Side (BUY/SELL of the base currency, glossary) is shared with the order book:
# BUY pays the quote currency at the operator's ask and receives base; SELL pays
# base and receives the quote currency at the operator's bid.


def _aware(moment: datetime) -> datetime:
    to_warsaw(moment)  # raises NaiveDatetime
    return moment


# -- LOCK-3 the quote ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockQuote:
    """LOCK-3: the operator's rates shown when placing starts, honoured for ``valid_for``.

    ``bid``/``ask`` are the published rates (pair decimals); ``mid`` may be
    finer. They are kept on the order because LOCK-11 and LOCK-14 need them.
    """

    pair: CurrencyPair
    mid: Decimal
    bid: Decimal
    ask: Decimal
    quoted_at: datetime
    valid_for: timedelta = QUOTE_VALIDITY

    def __post_init__(self) -> None:
        _aware(self.quoted_at)
        self.pair.check_rate(self.bid)
        self.pair.check_rate(self.ask)
        if not 0 < self.bid <= self.mid <= self.ask:
            raise InvalidLockOrder(
                f"need 0 < bid <= mid <= ask, got {self.bid}/{self.mid}/{self.ask}"
            )

    @property
    def expires_at(self) -> datetime:
        """Absolute time (UTC arithmetic, so a DST change cannot stretch it)."""
        return self.quoted_at.astimezone(UTC) + self.valid_for

    def check_valid(self, now: datetime) -> None:
        """Valid up to and including ``expires_at``; later placing must start again."""
        if _aware(now) > self.expires_at:
            raise QuoteExpired(f"the rate quoted at {self.quoted_at.isoformat()} has expired")

    def rate_for(self, side: Side) -> Decimal:
        return self.ask if side is Side.BUY else self.bid


# -- LOCK-5 amounts, LOCK-12 exposure ------------------------------------------


def base_amount(pair: CurrencyPair, side: Side, rate: Decimal, amount: Money) -> Money:
    """K, the order amount in base, from how the customer stated it (LOCK-5).

    As on Walutomat (``volume`` + ``volumeCurrency``), the amount may be given
    in either currency of the pair:

    * in base: K itself;
    * in quote for a BUY: "I want to pay at most X" — K = X / ask rounded down
      (K is what the customer receives), so the amount due never exceeds X;
    * in quote for a SELL: "I want to receive at least Y" — K = Y / bid rounded
      up (K is what the customer pays), so the proceeds are never below Y.
    """
    if amount.currency == pair.base:
        k = amount.amount
    elif amount.currency == pair.quote:
        raw = pair.base_amount(amount.amount, rate)
        if side is Side.BUY:
            k = round_customer_receives(raw, pair.base)
        else:
            k = round_customer_pays(raw, pair.base)
    else:
        raise InvalidLockOrder(f"{amount.currency} is not in {pair}")
    if k <= 0:
        raise InvalidLockOrder(f"{amount} is too small for an order on {pair}")
    return Money(k, pair.base)


def amount_due(pair: CurrencyPair, side: Side, k: Money, rate: Decimal) -> Money:
    """LOCK-5: buying base ⇒ K × ask in quote, rounded up; selling ⇒ K base exactly."""
    if side is Side.SELL:
        return k
    return Money(round_customer_pays(pair.quote_amount(k.amount, rate), pair.quote), pair.quote)


def proceeds(pair: CurrencyPair, side: Side, k: Money, rate: Decimal) -> Money:
    """What the exchange yields: K base for a BUY, K × bid rounded down for a SELL."""
    if side is Side.BUY:
        return k
    return Money(round_customer_receives(pair.quote_amount(k.amount, rate), pair.quote), pair.quote)


def exposure_pln(
    pair: CurrencyPair, k: Money, rate: Decimal, pln_per_base: Decimal | None = None
) -> Money:
    """LOCK-12, ``003`` pkt 25: the order's value in PLN at the rate of acceptance.

    For a …/PLN pair that is K × the locked rate; for PLN/… it is K. For a
    cross pair (EUR/USD) the caller passes ``pln_per_base``, the base currency's
    PLN rate at acceptance. Rounded up, so rounding never lets an order slip
    under the limit.
    """
    if pair.quote.code == "PLN":
        value = pair.quote_amount(k.amount, rate)
    elif pair.base.code == "PLN":
        value = k.amount
    elif pln_per_base is None or pln_per_base <= 0:
        raise InvalidLockOrder(f"a PLN rate for {pair.base} is needed to value a {pair} order")
    else:
        value = MONEY_CONTEXT.multiply(k.amount, pln_per_base)
    return Money(round_customer_pays(value, "PLN"), "PLN")


# -- the locked order ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockedOrder:
    """A placed rate-locked order: everything LOCK-5/LOCK-14 fix at acceptance.

    ``amount`` is K in base; ``rate`` the locked rate (ask for BUY, bid for
    SELL); ``mid``/``bid``/``ask`` the operator's rates at acceptance (LOCK-11);
    ``amount_due`` is in the currency the customer pays, ``proceeds`` in the one
    they receive (before the FEE-1 commission, applied at execution, LOCK-15);
    ``deadline`` is aware in Warsaw time; ``exposure_pln`` is the LOCK-12 value.
    """

    pair: CurrencyPair
    side: Side
    amount: Money
    rate: Decimal
    mid: Decimal
    bid: Decimal
    ask: Decimal
    amount_due: Money
    proceeds: Money
    title: str
    placed_at: datetime
    deadline: datetime
    exposure_pln: Money

    @property
    def buy_margin(self) -> Decimal:
        """Mk = mid − bid at acceptance (LOCK-11, LOCK-14)."""
        return self.mid - self.bid

    @property
    def sell_margin(self) -> Decimal:
        """Ms = ask − mid at acceptance (LOCK-11, LOCK-14)."""
        return self.ask - self.mid


_LIMIT_CONDITIONS_NOT_MET = Money("10000.00", "PLN")
_LIMIT_CONDITIONS_MET = Money("100000.00", "PLN")


@dataclass(frozen=True, slots=True)
class LockLimits:
    """LOCK-12, ``003`` pkt 23: 10 000 PLN until the customer meets all the
    service's conditions (verified customer and sender account), then 100 000 PLN."""

    conditions_not_met: Money = _LIMIT_CONDITIONS_NOT_MET
    conditions_met: Money = _LIMIT_CONDITIONS_MET

    def for_customer(self, conditions_met: bool) -> Money:
        return self.conditions_met if conditions_met else self.conditions_not_met


DEFAULT_LOCK_LIMITS = LockLimits()


def check_lock_limit(
    unpaid_orders: Iterable[LockedOrder],
    new_exposure: Money,
    *,
    conditions_met: bool,
    limits: LockLimits = DEFAULT_LOCK_LIMITS,
) -> Money:
    """LOCK-12: refuse when placed-and-unpaid orders plus the new one exceed the limit.

    The limit applies to a single order and to the sum (pkt 24); reaching it
    exactly is allowed. Returns the exposure including the new order.
    """
    total = sum((o.exposure_pln for o in unpaid_orders), new_exposure)
    limit = limits.for_customer(conditions_met)
    if total > limit:
        raise LockLimitExceeded(limit, total)
    return total


def check_service_open(hours: ServiceHours, now: datetime) -> None:
    """LOCK-13: placing is allowed only in the hours of basic exchange orders."""
    if not hours.is_open(now):
        raise ServiceClosed(f"orders cannot be placed at {to_warsaw(now):%Y-%m-%d %H:%M} (Warsaw)")


def place_locked_order(
    quote: LockQuote,
    side: Side,
    amount: Money,
    title: str,
    now: datetime,
    *,
    unpaid_orders: Iterable[LockedOrder] = (),
    conditions_met: bool = False,
    pln_per_base: Decimal | None = None,
    service_hours: ServiceHours = DEFAULT_SERVICE_HOURS,
    limits: LockLimits = DEFAULT_LOCK_LIMITS,
) -> LockedOrder:
    """LOCK-3..6, 12, 13: accept the quote's rate and fix the order, or refuse.

    ``now`` is when placing ends; the rate is the quote's even if the market
    moved since (LOCK-3). ``title`` is the unique transfer title the app
    generated (LOCK-5). ``unpaid_orders`` are the customer's placed and not
    yet paid locked orders (LOCK-12).
    """
    check_service_open(service_hours, now)
    quote.check_valid(now)
    if not normalize_title(title):
        raise InvalidLockOrder("a locked order needs a transfer title")
    pair, rate = quote.pair, quote.rate_for(side)
    k = base_amount(pair, side, rate, amount)
    yields = proceeds(pair, side, k, rate)
    if not yields:
        raise InvalidLockOrder(f"{amount} is too small for an order on {pair}")
    exposure = exposure_pln(pair, k, rate, pln_per_base)
    check_lock_limit(unpaid_orders, exposure, conditions_met=conditions_met, limits=limits)
    return LockedOrder(
        pair=pair,
        side=side,
        amount=k,
        rate=rate,
        mid=quote.mid,
        bid=quote.bid,
        ask=quote.ask,
        amount_due=amount_due(pair, side, k, rate),
        proceeds=yields,
        title=title,
        placed_at=now,
        deadline=calendar_days_deadline(now, PAYMENT_DAYS, PAYMENT_CUTOFF),
        exposure_pln=exposure,
    )


def normalize_title(title: str) -> str:
    """Titles as banks deliver them: Unicode NFKC, case-folded, all whitespace removed.

    Banks upper-case titles, wrap them at 35 characters (adding line breaks or
    spaces) and pad them; nothing else is forgiven: ``AK-12`` and ``AK12``
    differ. Generated titles should be fixed-length codes so that no title is
    a substring of another.
    """
    return "".join(unicodedata.normalize("NFKC", title).casefold().split())
