"""The market's configuration: Django settings with the SPEC's defaults.

=====================================  ==============================================
setting                                meaning (default)
=====================================  ==============================================
``KANTOR_MARKET_COMMISSION_RATE``      FEE-1: commission per trade, before the
                                       customer's discount (``"0.002"``)
``KANTOR_MARKET_MIN_TRADE``            MKT-8: minimum trade value per currency,
                                       ``{code: amount}``; a currency not listed
                                       has no minimum beyond one minor unit
                                       (``DEFAULT_MIN_TRADE``)
``KANTOR_MARKET_PRICE_BAND``           MKT-7: the largest deviation of a trade
                                       rate from the mid (``"0.02"``; ``None``
                                       switches the band off)
``KANTOR_MARKET_BATCH_SIZE``           commands a matcher applies per database
                                       transaction (1000)
``KANTOR_MARKET_SNAPSHOT_LEVELS``      MKT-12: price levels per side the matcher
                                       publishes for best_offers (20)
``KANTOR_MARKET_CLOSE_WAIT_SECONDS``   how long ``POST /market_fx/orders/close``
                                       waits for the matcher to apply the cancel
                                       before answering (2.0; 0 answers at once)
``KANTOR_MARKET_WAKE_DIR``             SQLite: where matchers bind their wake-up
                                       sockets and lock files (``var/run``)
=====================================  ==============================================

Decision (MKT-8, the seed names no amounts): a minimum of about 10 PLN in
every major currency. Both currencies of a pair count: an order is refused
when its value is below the minimum of either (2 EUR at 4.30 is 8.60 PLN,
below 10 PLN: refused).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings

from kantor.domain.fees import DEFAULT_COMMISSION_RATE
from kantor.domain.money import Money, currency
from kantor.domain.orderbook_scale import DEFAULT_MAX_DEVIATION

#: MKT-8 default minimums (≈ 10 PLN each, rounded to friendly amounts).
DEFAULT_MIN_TRADE: dict[str, str] = {
    "PLN": "10.00",
    "EUR": "2.00",
    "USD": "2.00",
    "GBP": "2.00",
    "CHF": "2.00",
    "CZK": "50.00",
    "DKK": "15.00",
    "NOK": "25.00",
    "SEK": "25.00",
}


def _setting(name: str, default):
    return getattr(settings, name, default)


def commission_rate() -> Decimal:
    """FEE-1: 0.2% unless the operator configured another rate."""
    return Decimal(str(_setting("KANTOR_MARKET_COMMISSION_RATE", DEFAULT_COMMISSION_RATE)))


def min_trade(code: str) -> Money:
    """MKT-8: the minimum trade value in ``code`` (zero when none is configured)."""
    table = _setting("KANTOR_MARKET_MIN_TRADE", DEFAULT_MIN_TRADE) or {}
    cur = currency(code)
    amount = table.get(cur.code)
    return Money(str(amount), cur) if amount is not None else Money.zero(cur)


def price_band() -> Decimal | None:
    """MKT-7: the allowed deviation from the mid, or None when the band is off."""
    value = _setting("KANTOR_MARKET_PRICE_BAND", DEFAULT_MAX_DEVIATION)
    return None if value in (None, "") else Decimal(str(value))


def batch_size() -> int:
    return max(1, int(_setting("KANTOR_MARKET_BATCH_SIZE", 1000)))


def snapshot_levels() -> int:
    return max(1, int(_setting("KANTOR_MARKET_SNAPSHOT_LEVELS", 20)))


def snapshot_interval() -> float:
    """MKT-12: the least time between two publications of a pair's book (seconds)."""
    return max(0.0, float(_setting("KANTOR_MARKET_SNAPSHOT_INTERVAL", 0.1)))


def close_wait_seconds() -> float:
    return max(0.0, float(_setting("KANTOR_MARKET_CLOSE_WAIT_SECONDS", 2.0)))


def wake_dir() -> Path:
    default = Path(settings.VAR_DIR) / "run"
    return Path(_setting("KANTOR_MARKET_WAKE_DIR", default))
