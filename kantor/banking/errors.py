"""Stable error codes of the banking app (WD-1, WD-2, DEP-2..6).

Every refusal is a ``BankingError`` with an UPPER_SNAKE ``code`` (what the
CLI, the back office and the panel branch on) and ``api_key``, the Walutomat
reference's error key an API client sees (API-1: a Kantor-specific refusal is
reported under the nearest reference key, the precise ``code`` going into
``errorData`` as ``reason``). ``error_data`` holds the values a message
refers to.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

__all__ = ["API_KEYS", "BankingError", "Code", "StatementRefused"]


class Code(StrEnum):
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"  # WD-2: not available (or only reserved)
    AML_HOLD = "AML_HOLD"  # WD-2: compliance holds the customer's payouts
    CUSTOMER_INACTIVE = "CUSTOMER_INACTIVE"  # WD-2: suspended or terminated
    ACCOUNT_NOT_DEFINED = "ACCOUNT_NOT_DEFINED"  # WD-1, BANK-1
    ACCOUNT_NOT_VERIFIED = "ACCOUNT_NOT_VERIFIED"  # WD-1, BANK-2
    ACCOUNT_CURRENCY_MISMATCH = "ACCOUNT_CURRENCY_MISMATCH"  # WD-1
    INVALID_AMOUNT = "INVALID_AMOUNT"
    AMOUNT_TOO_SMALL = "AMOUNT_TOO_SMALL"  # WD-3: the fee would eat the payout
    CURRENCY_NOT_SUPPORTED = "CURRENCY_NOT_SUPPORTED"  # no client account in it
    NO_RATE_FOR_PAIR = "NO_RATE_FOR_PAIR"  # WD-3: the fee cannot be converted
    FEE_NOT_CONFIGURED = "FEE_NOT_CONFIGURED"  # WD-3: no row in the fee table
    FEE_TABLE_INVALID = "FEE_TABLE_INVALID"  # WD-3: ambiguous or invalid rows
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    NOT_FOUND = "NOT_FOUND"
    REASON_REQUIRED = "REASON_REQUIRED"
    NO_SENDER_ACCOUNT = "NO_SENDER_ACCOUNT"  # DEP-4: nowhere to refund to
    UNKNOWN_ACCOUNT = "UNKNOWN_ACCOUNT"  # DEP-2: a statement of no operator account
    STATEMENT_INVALID = "STATEMENT_INVALID"  # DEP-2: the file is refused whole


#: The reference key (kantor.api.errors.ErrorKey) each code is shown under.
API_KEYS: dict[str, str] = {
    Code.INSUFFICIENT_FUNDS: "INSUFFICIENT_FUNDS",
    Code.AML_HOLD: "NOT_AUTHORIZED",
    Code.CUSTOMER_INACTIVE: "NOT_AUTHORIZED",
    Code.ACCOUNT_NOT_DEFINED: "INVALID_ACCOUNT_NUMBER",
    Code.ACCOUNT_NOT_VERIFIED: "INVALID_ACCOUNT_NUMBER",
    Code.ACCOUNT_CURRENCY_MISMATCH: "INVALID_ACCOUNT_NUMBER",
    Code.AMOUNT_TOO_SMALL: "AMOUNT_TOO_SMALL",
    Code.CURRENCY_NOT_SUPPORTED: "CURRENCY_NOT_SUPPORTED",
    Code.NO_RATE_FOR_PAIR: "NO_RATE_FOR_PAIR",
    Code.FEE_NOT_CONFIGURED: "CURRENCY_NOT_SUPPORTED",
    Code.FEE_TABLE_INVALID: "OTHER",
    Code.NOT_FOUND: "TRANSACTION_NOT_FOUND",
}


class BankingError(Exception):
    """Base of every refusal in this app."""

    def __init__(
        self,
        message: str,
        *,
        code: Code | str = Code.INVALID_STATE,
        error_data: Mapping[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        self.api_key = API_KEYS.get(self.code, "INVALID_ARGUMENTS")
        self.error_data = dict(error_data or {})


class StatementRefused(BankingError):
    """DEP-2: a statement file refused as a whole; nothing was booked.

    ``reason`` is the parser's code (``BALANCE_MISMATCH``, ``XML_FORBIDDEN``…)
    or ``UNKNOWN_ACCOUNT``; ``line`` or ``path`` say where the fault is.
    """

    def __init__(
        self, message: str, *, reason: str, line: int | None = None, path: str | None = None
    ):
        data: dict[str, Any] = {"reason": reason}
        if line is not None:
            data["line"] = line
        if path:
            data["path"] = path
        code = Code.UNKNOWN_ACCOUNT if reason == Code.UNKNOWN_ACCOUNT else Code.STATEMENT_INVALID
        super().__init__(message, code=code, error_data=data)
        self.reason = reason
        self.line = line
        self.path = path

    def as_dict(self) -> dict[str, Any]:
        return {"refused": True, "code": self.reason, "message": self.message, **self.error_data}
