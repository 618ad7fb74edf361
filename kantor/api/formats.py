"""Wire formats of the Walutomat API (API-1): timestamps, amounts, rates.

The reference writes timestamps as UTC ISO 8601 with milliseconds and a ``Z``
(``"2018-03-27T09:58:06.945Z"``), amounts as decimal strings at the
currency's minor unit (``"99.00"``) and, in the account history, amounts with
their currency (``"-432.43 PLN"``). Clients send timestamps with or without
milliseconds (``2018-03-27T09:58:06Z``); both are read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from kantor.domain.money import CurrencyPair, Money

__all__ = ["format_amount", "format_money", "format_rate", "format_ts", "parse_ts"]

# A "+02:00" offset sent unencoded in a query string arrives as " 02:00".
_SPACE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


def format_ts(moment: datetime) -> str:
    """UTC with millisecond precision and ``Z``, as every ``ts`` in the reference."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    """Read an ISO 8601 date-time; a value without an offset is taken as UTC
    (the reference says timestamps are UTC). Raises ValueError."""
    raw = _SPACE_OFFSET.sub(r"+\1", text.strip())
    if not raw or raw[0] in "+-":
        raise ValueError(f"{text!r} is not an ISO 8601 date-time")
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def format_amount(money: Money) -> str:
    """``"99.00"``: the amount at the currency's published decimals (MON-1)."""
    return str(money.amount)


def format_money(money: Money) -> str:
    """``"-432.43 PLN"``: the history's form (reference example of /account/history)."""
    return str(money)


def rate_at_decimals(rate: Decimal, pair: CurrencyPair) -> Decimal:
    """A rate padded to the pair's decimals (MON-3, ``4.1000``); the rates app
    rounds, so a value with more decimals is kept as it is, never re-rounded."""
    padded = rate.quantize(pair.rate_quantum)
    return padded if padded == rate else rate


def format_rate(rate: Decimal, pair: CurrencyPair) -> str:
    """``rate_at_decimals`` as the API writes it (``"4.1000"``)."""
    return str(rate_at_decimals(rate, pair))
