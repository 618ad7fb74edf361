"""Stable error codes of the customers app.

Every refusal is a ``CustomerError`` with an UPPER_SNAKE ``code`` (for the API
and the panel to map) and a message a customer can read, translated (Polish
and English, gettext). Field errors also name the ``field`` (the data key,
e.g. ``pesel``), so a form can put the message next to the right input and
the CLI can name its option.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    INVALID_DATA = "INVALID_DATA"
    REQUIRED = "REQUIRED"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    INVALID_KIND = "INVALID_KIND"
    INVALID_NAME = "INVALID_NAME"
    INVALID_PESEL = "INVALID_PESEL"
    UNDERAGE = "UNDERAGE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_ID_DOCUMENT = "INVALID_ID_DOCUMENT"
    ID_DOCUMENT_EXPIRED = "ID_DOCUMENT_EXPIRED"
    ID_DOCUMENT_DATES = "ID_DOCUMENT_DATES"
    INVALID_NIP = "INVALID_NIP"
    INVALID_REGON = "INVALID_REGON"
    INVALID_LEGAL_FORM = "INVALID_LEGAL_FORM"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_PASSWORD = "INVALID_PASSWORD"  # noqa: S105 - an error code
    INVALID_IBAN = "INVALID_IBAN"
    UNKNOWN_BANK = "UNKNOWN_BANK"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_PUBLIC_KEY = "INVALID_PUBLIC_KEY"
    PUBLIC_KEY_TOO_SHORT = "PUBLIC_KEY_TOO_SHORT"
    INVALID_ROLES = "INVALID_ROLES"
    DUPLICATE_CUSTOMER = "DUPLICATE_CUSTOMER"
    DUPLICATE_BANK_ACCOUNT = "DUPLICATE_BANK_ACCOUNT"
    PROTECTED_FIELD = "PROTECTED_FIELD"
    CUSTOMER_INACTIVE = "CUSTOMER_INACTIVE"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    REASON_REQUIRED = "REASON_REQUIRED"
    ALREADY_DONE = "ALREADY_DONE"
    NOT_FOUND = "NOT_FOUND"
    AMBIGUOUS = "AMBIGUOUS"


class CustomerError(Exception):
    """Base of every refusal in this app."""

    code: ErrorCode = ErrorCode.INVALID_DATA

    def __init__(self, message, *, code: ErrorCode | None = None, field: str | None = None):
        if code is not None:
            self.code = code
        self.field = field
        self.message = message
        super().__init__(str(message))

    def __str__(self) -> str:
        text = str(self.message)
        return f"{self.field}: {text}" if self.field else text


class InvalidField(CustomerError):
    """One field failed validation; ``field`` names it."""

    def __init__(self, field: str, code: ErrorCode, message):
        super().__init__(message, code=code, field=field)


class InvalidData(CustomerError):
    """Several fields failed: ``errors`` holds each; the message lists them all."""

    code = ErrorCode.INVALID_DATA

    def __init__(self, errors: Iterable[InvalidField]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @property
    def by_field(self) -> dict[str, list[InvalidField]]:
        out: dict[str, list[InvalidField]] = {}
        for error in self.errors:
            out.setdefault(error.field or "", []).append(error)
        return out

    @property
    def codes(self) -> set[str]:
        return {str(e.code) for e in self.errors}


class DuplicateCustomer(CustomerError):
    """REG-9: one generic refusal that never says which data matched whom."""

    code = ErrorCode.DUPLICATE_CUSTOMER

    def __init__(self):
        super().__init__(
            _(
                "An account cannot be registered with these data. If you already have "
                "an account, sign in or reset your password; otherwise contact support."
            )
        )


class NotFound(CustomerError):
    code = ErrorCode.NOT_FOUND


class StatusError(CustomerError):
    code = ErrorCode.INVALID_STATUS_TRANSITION
