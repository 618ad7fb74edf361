"""Stable error codes of the market (MKT-1..9, FEE-2).

Every refusal is a ``MarketError`` with an UPPER_SNAKE ``code`` (what the CLI,
the back office and tests branch on) and ``api_key``: the Walutomat
reference's key an API client sees (API-1). A code that is itself a reference
key (``AMOUNT_TOO_SMALL``) is answered as it is; a Kantor-specific one is
answered under the nearest reference key with the precise code as
``errorData`` ``reason``. ``error_data`` holds the values a message refers
to. Refusals raised by other apps keep their own codes (the ledger's
``INSUFFICIENT_FUNDS``, the rates app's ``CURRENCY_NOT_SUPPORTED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "AmountTooSmall",
    "FeesInArrears",
    "InvalidOrder",
    "MarketError",
    "MatcherLocked",
    "NotAllowed",
    "OrderNotFound",
    "UnsupportedCurrency",
]


class MarketError(Exception):
    """Base of every refusal of the market app."""

    code = "MARKET_ERROR"
    api_key = "INVALID_ARGUMENTS"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        error_data: Mapping[str, Any] | None = None,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.error_data = dict(error_data or {})


class InvalidOrder(MarketError):
    """MKT-1, MKT-3: parameters that cannot make an order (format, decimals, side)."""

    code = "INVALID_ORDER"


class UnsupportedCurrency(MarketError):
    """MKT-1: the volume currency is not a currency the platform knows."""

    code = "CURRENCY_NOT_SUPPORTED"
    api_key = "CURRENCY_NOT_SUPPORTED"


class AmountTooSmall(MarketError):
    """MKT-8: the order is worth less than the minimum trade value."""

    code = "AMOUNT_TOO_SMALL"
    api_key = "AMOUNT_TOO_SMALL"


class NotAllowed(MarketError):
    """The account may not trade now (suspended, terminated: REG-12, TERM-2)."""

    code = "CUSTOMER_INACTIVE"
    api_key = "NOT_AUTHORIZED"


class FeesInArrears(NotAllowed):
    """FEE-2: a customer owing fees places no new orders until they are paid."""

    code = "FEES_IN_ARREARS"
    #: Whose fees (``require_no_arrears`` sets it: a gateway's group leaves them out).
    customer_id: int | None = None


class OrderNotFound(MarketError):
    """MKT-9: no such order of this customer."""

    code = "ORDER_NOT_FOUND"
    api_key = "TRANSACTION_NOT_FOUND"


class MatcherLocked(MarketError):
    """Another matcher already runs for this pair: two would book trades twice."""

    code = "MATCHER_LOCKED"
    api_key = "OTHER"
