"""Validation of contact data: e-mail, mobile phone, addresses (REG-2, REG-3, REG-8).

No database access; each function returns the normalised value or raises
``InvalidField`` naming the field (``InvalidData`` for a whole address).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .errors import ErrorCode, InvalidData, InvalidField

E = ErrorCode

#: Polish mobile prefixes (UKE numbering plan): REG-8 sends an SMS, so a
#: Polish landline number is refused.
PL_MOBILE_PREFIXES = ("45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")

_PL_POSTAL_RE = re.compile(r"^(\d{2})-?(\d{3})$")
_FOREIGN_POSTAL_RE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")
_E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")


def plain_text(value: Any) -> str:
    return " ".join(str(value or "").split())


def required_text(field: str, value: Any, max_length: int) -> str:
    text = plain_text(value)
    if not text:
        raise InvalidField(field, E.REQUIRED, _("this field is required"))
    if len(text) > max_length:
        raise InvalidField(field, E.INVALID_DATA, _("at most %(n)d characters") % {"n": max_length})
    return text


def clean_country(field: str, value: Any) -> str:
    code = plain_text(value).upper() or "PL"
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise InvalidField(field, E.INVALID_COUNTRY, _("use a two-letter country code, e.g. PL"))
    return code


def clean_postal_code(field: str, value: Any, country: str) -> str:
    """Polish postal codes are NN-NNN (``00001`` is accepted as ``00-001``)."""
    text = required_text(field, value, 12).upper()
    if country == "PL":
        match = _PL_POSTAL_RE.match(text)
        if not match:
            raise InvalidField(
                field, E.INVALID_POSTAL_CODE, _("a Polish postal code has the form NN-NNN")
            )
        return f"{match[1]}-{match[2]}"
    if not _FOREIGN_POSTAL_RE.match(text):
        raise InvalidField(field, E.INVALID_POSTAL_CODE, _("this is not a valid postal code"))
    return text


def clean_email(value: Any) -> str:
    """The e-mail is the login (REG-2, REG-3); stored lower-case so REG-9 can compare."""
    text = required_text("email", value, 254).lower()
    try:
        validate_email(text)
    except ValidationError:
        raise InvalidField(
            "email", E.INVALID_EMAIL, _("this is not a valid e-mail address")
        ) from None
    return text


def clean_phone(value: Any) -> str:
    """A mobile number in E.164 (REG-2, REG-8); 9 digits are a Polish number (+48)."""
    raw = re.sub(r"[\s\-().]", "", str(value or ""))
    if not raw:
        raise InvalidField("phone", E.REQUIRED, _("this field is required"))
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if re.fullmatch(r"\d{9}", raw):
        raw = "+48" + raw
    if not _E164_RE.match(raw):
        raise InvalidField(
            "phone", E.INVALID_PHONE, _("give a mobile number, e.g. +48 600 100 200")
        )
    if raw.startswith("+48") and (len(raw) != 12 or not raw[3:5].startswith(PL_MOBILE_PREFIXES)):
        raise InvalidField(
            "phone", E.INVALID_PHONE, _("this is not a Polish mobile number (we send SMS codes)")
        )
    return raw


def clean_address(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Street, postal code (checked by the country's rule), city, country; every
    failing field is reported."""
    out: dict[str, Any] = {}
    errors: list[InvalidField] = []

    def check(field: str, cleaner: Callable[[], Any]) -> None:
        try:
            out[field] = cleaner()
        except InvalidField as error:
            errors.append(error)

    p = prefix
    check(f"{p}country", lambda: clean_country(f"{p}country", data.get(f"{p}country")))
    check(f"{p}street", lambda: required_text(f"{p}street", data.get(f"{p}street"), 200))
    check(
        f"{p}postal_code",
        lambda: clean_postal_code(
            f"{p}postal_code", data.get(f"{p}postal_code"), out.get(f"{p}country", "")
        ),
    )
    check(f"{p}city", lambda: required_text(f"{p}city", data.get(f"{p}city"), 100))
    if errors:
        raise InvalidData(errors)
    return out


def clean_correspondence_address(data: Mapping[str, Any]) -> dict[str, Any]:
    """Optional (REG-2, REG-3), but whole when given."""
    fields = ("corr_street", "corr_postal_code", "corr_city", "corr_country")
    if not any(plain_text(data.get(f)) for f in fields):
        return dict.fromkeys(fields, "")
    return clean_address(data, "corr_")
