"""Stable error codes of the exchange app (FX-1, FX-2, LOCK-1..15).

Every refusal is an ``ExchangeError`` with an UPPER_SNAKE ``code`` (what the
panel and the CLI branch on) and ``api_key``, the Walutomat reference's error
key an API client sees (API-1: clients branch on the reference's keys, so a
Kantor-specific refusal is reported under the nearest reference key with the
precise ``code`` in ``errorData`` as ``reason``). ``error_data`` holds the
values a message refers to.

The pure rate-lock rules raise their own ``RateLockError`` subclasses
(``kantor.domain.ratelock``); ``API_KEYS`` says which reference key each of
their codes is shown under.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "API_KEYS",
    "AgreementError",
    "ExchangeError",
    "InvalidExchange",
    "NotFound",
    "OrderStateError",
    "QuoteInvalid",
    "api_key_for",
]


class ExchangeError(Exception):
    """Base of every refusal in this app."""

    code = "EXCHANGE_ERROR"
    api_key = "INVALID_ARGUMENTS"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        api_key: str | None = None,
        error_data: Mapping[str, Any] | None = None,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        if api_key is not None:
            self.api_key = api_key
        self.error_data = dict(error_data or {})


class InvalidExchange(ExchangeError):
    """Parameters that cannot make an exchange (wrong currency, too small...)."""

    code = "INVALID_EXCHANGE"


class QuoteInvalid(ExchangeError):
    """FX-1, LOCK-3: the rate identifier (``ts``, ``quoteId``) is unknown or expired."""

    code = "QUOTE_EXPIRED"


class AgreementError(ExchangeError):
    """LOCK-1: no additional agreement, or it cannot be concluded or ended now."""

    code = "NO_RATE_LOCK_AGREEMENT"
    api_key = "NOT_AUTHORIZED"


class OrderStateError(ExchangeError):
    """The order is not in a state that allows this (LOCK-4 irrevocable...)."""

    code = "ORDER_STATE"


class NotFound(ExchangeError):
    code = "NOT_FOUND"
    api_key = "TRANSACTION_NOT_FOUND"


#: Reference keys for codes raised outside this module (domain, rates).
API_KEYS: dict[str, str] = {
    "INVALID_LOCK_ORDER": "INVALID_ARGUMENTS",
    "QUOTE_EXPIRED": "INVALID_ARGUMENTS",
    "SERVICE_CLOSED": "NOT_AUTHORIZED",
    "LOCK_NOT_EXPIRED": "INVALID_ARGUMENTS",
    "LOCK_LIMIT_EXCEEDED": "INVALID_ARGUMENTS",
    "RATE_LOCK_ERROR": "INVALID_ARGUMENTS",
    "NAIVE_DATETIME": "INVALID_ARGUMENTS",
    "INVALID_AMOUNT": "INVALID_ARGUMENTS",
    "CURRENCY_MISMATCH": "INVALID_ARGUMENTS",
}


def api_key_for(exc: BaseException) -> str | None:
    """The reference key for an exception with a stable code, else None."""
    if isinstance(exc, ExchangeError):
        return exc.api_key
    code = getattr(exc, "code", None)
    return API_KEYS.get(code) if isinstance(code, str) else None
