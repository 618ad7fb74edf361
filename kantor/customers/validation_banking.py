"""Validation of bank accounts (BANK-1) and API keys (API-2) — no database access."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    SchwiftyException,
)

from kantor.api import keys as api_keys
from kantor.domain.money import UnknownCurrency, currency

from .errors import ErrorCode, InvalidField
from .models import ApiRole

E = ErrorCode

#: API-2: Walutomat asks for 4096-bit RSA keys; Kantor accepts 2048 and more.
RECOMMENDED_RSA_BITS = 4096


@dataclass(frozen=True, slots=True)
class IbanInfo:
    """A checked IBAN and what it says about the bank (BANK-1)."""

    iban: str
    country: str
    #: The Polish sorting code (numer rozliczeniowy), 8 digits; "" abroad.
    bank_code: str
    bank_name: str
    bic: str


def clean_iban(value: Any) -> IbanInfo:
    """BANK-1: the IBAN checksum, the country's format and national check digits;
    a Polish IBAN must name a bank in the NBP sorting-code registry."""
    raw = "".join(str(value or "").split()).upper()
    if not raw:
        raise InvalidField("iban", E.REQUIRED, _("this field is required"))
    try:
        iban = IBAN(raw, validate_bban=True)
    except InvalidCountryCode:
        message = _("the IBAN must start with a valid country code, e.g. PL")
        raise InvalidField("iban", E.INVALID_IBAN, message) from None
    except (InvalidChecksumDigits, InvalidBBANChecksum):
        message = _("the IBAN's check digits do not match: check the number for typos")
        raise InvalidField("iban", E.INVALID_IBAN, message) from None
    except SchwiftyException:
        message = _("this is not a valid IBAN for its country (wrong length or format)")
        raise InvalidField("iban", E.INVALID_IBAN, message) from None
    bank = iban.bank
    if iban.country_code == "PL" and bank is None:
        raise InvalidField(
            "iban",
            E.UNKNOWN_BANK,
            _("no Polish bank has the sorting code %(code)s") % {"code": iban.bank_code},
        )
    return IbanInfo(
        iban=str(iban.compact),
        country=iban.country_code,
        bank_code=str(iban.bank_code) if iban.country_code == "PL" else "",
        bank_name=bank.name if bank is not None else "",
        bic=str(iban.bic) if iban.bic is not None else "",
    )


def clean_currency(value: Any) -> str:
    try:
        return currency(str(value or "")).code
    except UnknownCurrency:
        raise InvalidField(
            "currency", E.INVALID_CURRENCY, _("this currency is not supported")
        ) from None


def clean_holder_name(value: Any) -> str:
    """BANK-1: the account holder as the bank knows them (DEP-3 compares it)."""
    text = " ".join(str(value or "").split())
    if not text:
        raise InvalidField("holder_name", E.REQUIRED, _("this field is required"))
    if len(text) < 2 or len(text) > 200 or not any(ch.isalpha() for ch in text):
        raise InvalidField("holder_name", E.INVALID_NAME, _("give the account holder's name"))
    return text


def clean_public_key(value: Any) -> str:
    """API-2: an RSA public key in PEM of at least 2048 bits (4096 recommended).

    Returned re-encoded as SubjectPublicKeyInfo PEM, the form the API's
    signature check loads (``kantor.api.keys.load_public_key``).
    """
    text = str(value or "").strip()
    if not text:
        raise InvalidField("public_key_pem", E.REQUIRED, _("this field is required"))
    if "PRIVATE KEY" in text:
        message = _("this is a private key: keep it secret and upload the public key only")
        raise InvalidField("public_key_pem", E.INVALID_PUBLIC_KEY, message)
    try:
        key = serialization.load_pem_public_key(text.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        message = _("not a public key in PEM format (-----BEGIN PUBLIC KEY-----)")
        raise InvalidField("public_key_pem", E.INVALID_PUBLIC_KEY, message) from None
    if not isinstance(key, RSAPublicKey):
        message = _("the key must be an RSA key (signatures are RSA-SHA256)")
        raise InvalidField("public_key_pem", E.INVALID_PUBLIC_KEY, message)
    if key.key_size < api_keys.MIN_RSA_BITS:
        raise InvalidField(
            "public_key_pem",
            E.PUBLIC_KEY_TOO_SHORT,
            _(
                "the RSA key has %(bits)d bits; at least %(min)d are required "
                "(%(recommended)d recommended)"
            )
            % {
                "bits": key.key_size,
                "min": api_keys.MIN_RSA_BITS,
                "recommended": RECOMMENDED_RSA_BITS,
            },
        )
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    api_keys.load_public_key(pem)  # the API's own check must accept what we store
    return pem


def clean_roles(value: str | Iterable[str] | None) -> list[str]:
    """API-2: at least one role, each one of ``ApiRole``; returned in ApiRole order."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    names = {str(item).strip().lower() for item in items if str(item).strip()}
    if not names:
        raise InvalidField("roles", E.INVALID_ROLES, _("give at least one role"))
    unknown = sorted(names - set(ApiRole.values))
    if unknown:
        raise InvalidField(
            "roles",
            E.INVALID_ROLES,
            _("unknown role(s) %(unknown)s; roles are: %(roles)s")
            % {"unknown": ", ".join(unknown), "roles": ", ".join(ApiRole.values)},
        )
    return [role for role in ApiRole.values if role in names]
