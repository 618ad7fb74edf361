"""Stable error keys of the public API and the panel (API-1).

The keys are the Walutomat reference's ``ErrorType.key`` enum: a client
written for Walutomat branches on them, so they never change. The panel shows
the same keys through ``ErrorKey.message`` (translated), so a rule refused in
the API and in the panel reads the same.

Domain code does not import this module: it raises its own exceptions with a
stable ``code`` attribute (``InsufficientFunds.code == "INSUFFICIENT_FUNDS"``)
and, optionally, ``error_data`` (a mapping of names to strings shown as the
reference's ``errorData``). ``api_error_from`` turns any exception into an
``ApiError``: a code that is an ``ErrorKey`` maps to itself, a few internal
codes map through ``CODE_ALIASES``, anything else is ``OTHER``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = ["CODE_ALIASES", "ApiError", "ErrorKey", "api_error_from", "error_data_of"]


class ErrorKey(StrEnum):
    """The reference's error keys (``ErrorType.key``), in its order."""

    AMOUNT_TOO_SMALL = "AMOUNT_TOO_SMALL"
    API_DISABLED = "API_DISABLED"
    COUNTRY_NOT_SUPPORTED = "COUNTRY_NOT_SUPPORTED"
    CURRENCY_NOT_SUPPORTED = "CURRENCY_NOT_SUPPORTED"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INVALID_ACCOUNT_NUMBER = "INVALID_ACCOUNT_NUMBER"
    INVALID_API_KEY = "INVALID_API_KEY"
    INVALID_ARGUMENTS = "INVALID_ARGUMENTS"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    MISSING_API_KEY = "MISSING_API_KEY"
    MISSING_AUTH_ROLE = "MISSING_AUTH_ROLE"
    MISSING_PUBLIC_KEY = "MISSING_PUBLIC_KEY"
    MISSING_SIGNATURE = "MISSING_SIGNATURE"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    NO_RATE_FOR_PAIR = "NO_RATE_FOR_PAIR"
    OTHER = "OTHER"
    PAYOUT_LIMIT_EXCEEDED = "PAYOUT_LIMIT_EXCEEDED"
    TRANSACTION_NOT_FOUND = "TRANSACTION_NOT_FOUND"
    SOURCE_OF_INCOME_REQUIRED = "SOURCE_OF_INCOME_REQUIRED"
    PURPOSE_REQUIRED = "PURPOSE_REQUIRED"
    TITLE_REQUIRED = "TITLE_REQUIRED"
    AMOUNT_MUST_BE_INTEGER = "AMOUNT_MUST_BE_INTEGER"

    @property
    def message(self) -> str:
        """A short human text for the key (panel and default API description)."""
        return str(_MESSAGES[self])


_MESSAGES = {
    ErrorKey.AMOUNT_TOO_SMALL: _("The amount is below the minimum."),
    ErrorKey.API_DISABLED: _("The API is disabled."),
    ErrorKey.COUNTRY_NOT_SUPPORTED: _("The country is not supported."),
    ErrorKey.CURRENCY_NOT_SUPPORTED: _("The currency or currency pair is not supported."),
    ErrorKey.INSUFFICIENT_FUNDS: _("Insufficient funds."),
    ErrorKey.INVALID_ACCOUNT_NUMBER: _("Invalid account number."),
    ErrorKey.INVALID_API_KEY: _("The API key is unknown or revoked."),
    ErrorKey.INVALID_ARGUMENTS: _("Invalid arguments."),
    ErrorKey.INVALID_SIGNATURE: _("Invalid request signature."),
    ErrorKey.MISSING_API_KEY: _("The X-API-Key header is missing."),
    ErrorKey.MISSING_AUTH_ROLE: _("The API key lacks a role this operation needs."),
    ErrorKey.MISSING_PUBLIC_KEY: _("No public key is registered for this API key."),
    ErrorKey.MISSING_SIGNATURE: _("This operation must be signed (X-API-Signature)."),
    ErrorKey.NOT_AUTHORIZED: _("The account may not use this service."),
    ErrorKey.NO_RATE_FOR_PAIR: _("No rate is available for the currency pair."),
    ErrorKey.OTHER: _("Unexpected error."),
    ErrorKey.PAYOUT_LIMIT_EXCEEDED: _("The payout limit is exceeded."),
    ErrorKey.TRANSACTION_NOT_FOUND: _("Transaction not found."),
    ErrorKey.SOURCE_OF_INCOME_REQUIRED: _("The source of income is required."),
    ErrorKey.PURPOSE_REQUIRED: _("The transfer purpose is required."),
    ErrorKey.TITLE_REQUIRED: _("The title is required."),
    ErrorKey.AMOUNT_MUST_BE_INTEGER: _("The amount must be an integer."),
}

#: Internal domain codes that are not reference keys, and the key a client sees.
CODE_ALIASES: dict[str, ErrorKey] = {
    "INVALID_AMOUNT": ErrorKey.INVALID_ARGUMENTS,
    "CURRENCY_MISMATCH": ErrorKey.INVALID_ARGUMENTS,
    "PAIR_NOT_OFFERED": ErrorKey.CURRENCY_NOT_SUPPORTED,
}


class ApiError(Exception):
    """An error answered in the envelope (HTTP 200, ``success: false``).

    ``error_data`` items are the reference's ``errorData`` (``key``/``value``
    strings); ``description`` may refer to them as ``{key}``.
    """

    def __init__(
        self,
        key: ErrorKey,
        description: str | None = None,
        error_data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        *,
        trace: str | None = None,
    ):
        self.key = ErrorKey(key)
        self.description = description or self.key.message
        self.error_data = _pairs(error_data)
        self.trace = trace
        super().__init__(f"{self.key}: {self.description}")

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "key": str(self.key),
            "description": self.description,
            "errorData": [{"key": k, "value": v} for k, v in self.error_data],
        }
        if self.trace:
            item["trace"] = self.trace
        return item


def _pairs(data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> list[tuple[str, str]]:
    if not data:
        return []
    items = data.items() if isinstance(data, Mapping) else data
    return [(str(k), "" if v is None else str(v)) for k, v in items]


def error_data_of(exc: BaseException) -> list[tuple[str, str]]:
    """``errorData`` for a domain exception: its own ``error_data``, or what the
    reference shows for well-known cases (``walletBalance`` on INSUFFICIENT_FUNDS)."""
    data = getattr(exc, "error_data", None)
    if data:
        return _pairs(data)
    if getattr(exc, "code", None) == ErrorKey.INSUFFICIENT_FUNDS and hasattr(exc, "available"):
        return [("walletBalance", str(exc.available))]
    return []


#: Descriptions used instead of the exception's text where that text names
#: internal things (ledger accounts); the reference's wording.
_DESCRIPTIONS = {
    ErrorKey.INSUFFICIENT_FUNDS: (
        "Requested operation exceeds current wallet balance {walletBalance}"
    ),
}


def api_error_from(exc: BaseException) -> ApiError | None:
    """The envelope error for a domain exception with a stable ``code``, or None
    when the exception carries no code (an internal error: the caller answers
    OTHER with a trace and logs it)."""
    if isinstance(exc, ApiError):
        return exc
    code = getattr(exc, "code", None)
    if not isinstance(code, str):
        return None
    if code in ErrorKey.__members__:
        key = ErrorKey(code)
    elif code in CODE_ALIASES:
        key = CODE_ALIASES[code]
    else:
        return None
    data = error_data_of(exc)
    description = _DESCRIPTIONS.get(key) if data else None
    return ApiError(key, description or str(exc) or None, data)
