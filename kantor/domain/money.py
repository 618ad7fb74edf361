"""Money, currencies and currency pairs (MON-1..3).

Amounts are exact ``Decimal`` values in a currency's minor unit. Every rounding
in Kantor goes through one of the named helpers below, so that a reader can see
in whose favour each amount was rounded: what the customer pays is rounded up
(``round_customer_pays``), what the customer receives is rounded down
(``round_customer_receives``). Half-up rounding is used only where a rule names
it (``round_half_up``), never by accident.

This module has no Django imports: it is the vocabulary of the domain core.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import ClassVar

__all__ = [
    "CURRENCIES",
    "DEFAULT_PAIRS",
    "Currency",
    "CurrencyMismatch",
    "CurrencyPair",
    "InvalidAmount",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "currency",
    "parse_amount",
    "round_customer_pays",
    "round_customer_receives",
    "round_half_up",
]

#: Decimal context used for intermediate products (amount × rate): 34 digits is
#: far beyond any amount we hold, so the only rounding is the explicit one.
MONEY_CONTEXT = decimal.Context(prec=34, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation])


class MoneyError(ValueError):
    """Base class for money-domain errors; ``code`` is a stable machine key."""

    code = "INVALID_AMOUNT"


class UnknownCurrency(MoneyError):
    code = "CURRENCY_NOT_SUPPORTED"


class CurrencyMismatch(MoneyError):
    code = "CURRENCY_MISMATCH"


class InvalidAmount(MoneyError):
    code = "INVALID_AMOUNT"


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency with the number of decimals the operator publishes.

    MON-1: JPY and HUF have exponent 0 in ISO 4217, but an operator may publish
    them with 2 decimals; ``minor_units`` is the published exponent.
    """

    code: str
    minor_units: int
    name: str = ""

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    def to_minor(self, amount: Decimal) -> int:
        """Exact conversion to integer minor units; refuses sub-minor amounts."""
        scaled = amount.scaleb(self.minor_units)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(
                f"{amount} has more than {self.minor_units} decimals for {self.code}"
            )
        return int(scaled)

    def from_minor(self, minor: int) -> Decimal:
        return Decimal(minor).scaleb(-self.minor_units).quantize(self.quantum)

    def __str__(self) -> str:
        return self.code


#: Currencies the platform knows. The set of currencies actually offered is
#: configured by the operator (pairs in the rates app); this is the catalogue.
CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("PLN", 2, "złoty"),
        Currency("EUR", 2, "euro"),
        Currency("USD", 2, "US dollar"),
        Currency("GBP", 2, "pound sterling"),
        Currency("CHF", 2, "Swiss franc"),
        Currency("CZK", 2, "Czech koruna"),
        Currency("DKK", 2, "Danish krone"),
        Currency("NOK", 2, "Norwegian krone"),
        Currency("SEK", 2, "Swedish krona"),
        Currency("JPY", 2, "yen"),
        Currency("HUF", 2, "forint"),
        Currency("AUD", 2, "Australian dollar"),
        Currency("CAD", 2, "Canadian dollar"),
    )
}


def currency(code: str | Currency) -> Currency:
    """Look a currency up by its ISO code (case-insensitive)."""
    if isinstance(code, Currency):
        return code
    try:
        return CURRENCIES[str(code).strip().upper()]
    except KeyError:
        raise UnknownCurrency(f"currency {code!r} is not supported") from None


def parse_amount(text: str | Decimal | int) -> Decimal:
    """Parse a decimal amount from user input; floats are refused (MON-1)."""
    if isinstance(text, float):  # pragma: no cover - defensive, floats never reach here
        raise InvalidAmount("binary floats are not money")
    if isinstance(text, Decimal):
        value = text
    else:
        raw = str(text).strip().replace(" ", "").replace("\u00a0", "")
        try:
            value = Decimal(raw)
        except decimal.InvalidOperation:
            raise InvalidAmount(f"{text!r} is not a decimal amount") from None
    if not value.is_finite():
        raise InvalidAmount(f"{text!r} is not a finite amount")
    return value


def _quantize(value: Decimal, cur: Currency, rounding: str) -> Decimal:
    return value.quantize(cur.quantum, rounding=rounding, context=MONEY_CONTEXT)


def round_customer_pays(value: Decimal, cur: Currency | str) -> Decimal:
    """MON-2: an amount the customer pays (or the platform reserves) — round up."""
    return _quantize(value, currency(cur), ROUND_CEILING)


def round_customer_receives(value: Decimal, cur: Currency | str) -> Decimal:
    """MON-2: an amount the customer receives — round down."""
    return _quantize(value, currency(cur), ROUND_FLOOR)


def round_half_up(value: Decimal, cur: Currency | str) -> Decimal:
    """Commercial rounding, only where a rule names it (e.g. LOCK-11 damages)."""
    return _quantize(value, currency(cur), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency, always at the currency's minor unit.

    Construction refuses amounts finer than the minor unit: rounding must have
    happened, explicitly, before a value becomes ``Money``.
    """

    amount: Decimal
    currency: Currency

    def __init__(self, amount: Decimal | str | int, cur: Currency | str):
        c = currency(cur)
        value = parse_amount(amount)
        q = value.quantize(c.quantum, context=MONEY_CONTEXT)
        if q != value:
            raise InvalidAmount(f"{value} has more than {c.minor_units} decimals for {c.code}")
        object.__setattr__(self, "amount", q)
        object.__setattr__(self, "currency", c)

    # construction helpers -------------------------------------------------
    @classmethod
    def zero(cls, cur: Currency | str) -> Money:
        return cls(Decimal(0), cur)

    @classmethod
    def from_minor(cls, minor: int, cur: Currency | str) -> Money:
        c = currency(cur)
        return cls(c.from_minor(minor), c)

    @property
    def minor(self) -> int:
        return self.currency.to_minor(self.amount)

    # arithmetic -----------------------------------------------------------
    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} do not mix")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        """The API form: ``"432.43 PLN"``."""
        return f"{self.amount} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency.code}')"


@dataclass(frozen=True, slots=True)
class CurrencyPair:
    """A pair such as EUR/PLN: rates are quote units per 1 base unit (MON-3)."""

    base: Currency
    quote: Currency
    rate_decimals: int = 4

    SEPARATORS: ClassVar[str] = "/_- "

    def __post_init__(self) -> None:
        if self.base == self.quote:
            raise UnknownCurrency(f"a pair needs two currencies, got {self.base}{self.quote}")

    @classmethod
    def parse(cls, text: str, rate_decimals: int = 4) -> CurrencyPair:
        """Accept ``EURPLN``, ``EUR/PLN``, ``eur_pln``."""
        raw = "".join(ch for ch in str(text).strip().upper() if ch not in cls.SEPARATORS)
        if len(raw) != 6 or not raw.isalpha():
            raise UnknownCurrency(f"{text!r} is not a currency pair")
        return cls(currency(raw[:3]), currency(raw[3:]), rate_decimals)

    @property
    def code(self) -> str:
        """Walutomat's form, no separator: ``EURPLN``."""
        return f"{self.base.code}{self.quote.code}"

    @property
    def rate_quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.rate_decimals)

    def __str__(self) -> str:
        return f"{self.base.code}/{self.quote.code}"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CurrencyPair)
            and other.base == self.base
            and other.quote == self.quote
        )

    def __hash__(self) -> int:
        return hash((self.base.code, self.quote.code))

    def other(self, cur: Currency | str) -> Currency:
        c = currency(cur)
        if c == self.base:
            return self.quote
        if c == self.quote:
            return self.base
        raise CurrencyMismatch(f"{c} is not in {self}")

    def check_rate(self, rate: Decimal) -> Decimal:
        """A rate must be positive and use at most the pair's decimals."""
        r = parse_amount(rate)
        if r <= 0:
            raise InvalidAmount(f"rate {rate} must be positive")
        if r.quantize(self.rate_quantum, context=MONEY_CONTEXT) != r:
            raise InvalidAmount(f"rate {rate} has more than {self.rate_decimals} decimals")
        return r.quantize(self.rate_quantum, context=MONEY_CONTEXT)

    def round_rate_down(self, rate: Decimal) -> Decimal:
        return rate.quantize(self.rate_quantum, rounding=ROUND_FLOOR, context=MONEY_CONTEXT)

    def round_rate_up(self, rate: Decimal) -> Decimal:
        return rate.quantize(self.rate_quantum, rounding=ROUND_CEILING, context=MONEY_CONTEXT)

    def quote_amount(self, base_amount: Decimal, rate: Decimal) -> Decimal:
        """base × rate, unrounded; the caller picks the rounding by who pays."""
        return MONEY_CONTEXT.multiply(base_amount, rate)

    def base_amount(self, quote_amount: Decimal, rate: Decimal) -> Decimal:
        """quote ÷ rate, unrounded at 34 significant digits."""
        return MONEY_CONTEXT.divide(quote_amount, rate)


#: MON-3: pairs offered by default (the operator configures the live list).
DEFAULT_PAIRS: tuple[str, ...] = (
    "EURPLN",
    "USDPLN",
    "GBPPLN",
    "CHFPLN",
    "EURUSD",
    "EURGBP",
    "EURCHF",
    "USDCHF",
    "GBPUSD",
)
