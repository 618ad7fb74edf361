"""Validation of customer data (REG-1..3, REG-10) — no database access.

Each ``clean_*`` function takes raw input (strings from a form, the CLI or
the API; dates as ``date`` or ISO text), returns the normalised value and
raises ``InvalidField`` naming the field. ``clean_customer`` validates a
whole registration by *groups* of fields that belong together (the ID
document, the correspondence address...) and reports every failing field at
once (``InvalidData``); an update validates only the groups it touches, so
that a customer whose ID document expired since can still change a phone
number. Contact data (e-mail, phone, addresses) is checked in
``validation_contact``, bank accounts and API keys in ``validation_banking``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import pesel as stdnum_pesel
from stdnum.pl import regon as stdnum_regon

from .errors import ErrorCode, InvalidData, InvalidField
from .models import CustomerKind, IdDocumentType, LegalForm
from .validation_contact import (
    clean_address,
    clean_correspondence_address,
    clean_email,
    clean_phone,
    plain_text,
    required_text,
)

E = ErrorCode

ADULT_AGE = 18

_NAME_RE = re.compile(r"^[^\W\d_]+(?:(?:[ '’.-]|\. )[^\W\d_]+)*\.?$")
_DOC_RE = re.compile(r"^[A-Z0-9]{5,20}$")
_PL_ID_CARD_RE = re.compile(r"^[A-Z]{3}[0-9]{6}$")


def clean_person_name(field: str, value: Any, *, max_length: int = 100) -> str:
    """A person's name: letters, with spaces, hyphens, apostrophes and dots between parts."""
    text = required_text(field, value, max_length)
    if not _NAME_RE.match(text):
        raise InvalidField(field, E.INVALID_NAME, _("a name may contain only letters"))
    return text


def clean_full_name(field: str, value: Any) -> str:
    """REG-3: the representative's first and last name."""
    text = clean_person_name(field, value, max_length=200)
    if len(text.split()) < 2:
        raise InvalidField(field, E.INVALID_NAME, _("give the first and the last name"))
    return text


def clean_date(field: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = plain_text(value)
    if not text:
        raise InvalidField(field, E.REQUIRED, _("this field is required"))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField(
            field, E.INVALID_DATE, _("not a date; use the form YYYY-MM-DD")
        ) from None


def age_on(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def clean_pesel(value: Any, *, today: date) -> tuple[str, date]:
    """REG-2: the PESEL checksum holds and its birth date makes the customer an adult."""
    raw = required_text("pesel", value, 20)
    try:
        number = stdnum_pesel.validate(raw)
    except StdnumError:
        raise InvalidField(
            "pesel", E.INVALID_PESEL, _("this is not a valid PESEL number")
        ) from None
    birth_date = stdnum_pesel.get_birth_date(number)
    if age_on(birth_date, today) < ADULT_AGE:
        raise InvalidField("pesel", E.UNDERAGE, _("only adults (18 or older) can open an account"))
    return number, birth_date


def polish_id_card_check(number: str) -> bool:
    """The check digit (4th symbol) of a Polish ID card number, e.g. ABA300000."""
    weights = (7, 3, 1, 0, 7, 3, 1, 7, 3)
    values = [int(ch, 36) for ch in number]
    return sum(v * w for v, w in zip(values, weights, strict=True)) % 10 == values[3]


def clean_id_document(data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """REG-2: type, number, issue and expiry dates of a valid (not expired) document.

    A number in the Polish ID card pattern (3 letters + 6 digits) must pass
    the card's check digit; other documents (passports, foreign cards) are
    checked for their form only (5–20 letters and digits).
    """
    doc_type = plain_text(data.get("id_document_type")).lower().replace("-", "_").replace(" ", "_")
    if not doc_type:
        raise InvalidField("id_document_type", E.REQUIRED, _("this field is required"))
    if doc_type not in IdDocumentType.values:
        raise InvalidField(
            "id_document_type",
            E.INVALID_ID_DOCUMENT,
            _("the document type must be one of: %(types)s")
            % {"types": ", ".join(IdDocumentType.values)},
        )
    number = re.sub(r"[\s-]", "", str(data.get("id_document_number") or "")).upper()
    if not number:
        raise InvalidField("id_document_number", E.REQUIRED, _("this field is required"))
    if not _DOC_RE.match(number) or (
        doc_type == IdDocumentType.ID_CARD
        and _PL_ID_CARD_RE.match(number)
        and not polish_id_card_check(number)
    ):
        raise InvalidField(
            "id_document_number", E.INVALID_ID_DOCUMENT, _("this is not a valid document number")
        )
    issued = clean_date("id_document_issued", data.get("id_document_issued"))
    expires = clean_date("id_document_expires", data.get("id_document_expires"))
    if issued > today:
        raise InvalidField(
            "id_document_issued", E.ID_DOCUMENT_DATES, _("the issue date is in the future")
        )
    if expires <= issued:
        raise InvalidField(
            "id_document_expires",
            E.ID_DOCUMENT_DATES,
            _("the expiry date must be after the issue date"),
        )
    if expires < today:
        raise InvalidField(
            "id_document_expires", E.ID_DOCUMENT_EXPIRED, _("the identity document has expired")
        )
    return {
        "id_document_type": doc_type,
        "id_document_number": number,
        "id_document_issued": issued,
        "id_document_expires": expires,
    }


def clean_nip(value: Any) -> str:
    """REG-3: NIP with its checksum (``PL`` prefix, dashes and spaces tolerated)."""
    raw = required_text("nip", value, 20)
    try:
        return stdnum_nip.validate(raw)
    except StdnumError:
        raise InvalidField("nip", E.INVALID_NIP, _("this is not a valid NIP number")) from None


def clean_regon(value: Any) -> str:
    """REG-3: REGON (9 or 14 digits) with its checksum."""
    raw = required_text("regon", value, 20)
    try:
        return stdnum_regon.validate(raw)
    except StdnumError:
        raise InvalidField(
            "regon", E.INVALID_REGON, _("this is not a valid REGON number")
        ) from None


def _fold(text: str) -> str:
    return re.sub(r"[\s.()\-]", "", text.lower())


def _legal_form_aliases() -> dict[str, str]:
    aliases = {_fold("JDG"): LegalForm.JDG.value, _fold("spółka z o.o."): LegalForm.SP_ZOO.value}
    for form in LegalForm:
        abbreviation, _sep, name = str(form.label).partition(" (")
        aliases[_fold(form.value)] = form.value
        aliases[_fold(abbreviation)] = form.value
        if name:
            aliases[_fold(name.rstrip(")"))] = form.value
    return aliases


#: Accepted spellings of each legal form: the code, the abbreviation, the name.
LEGAL_FORM_ALIASES: dict[str, str] = _legal_form_aliases()


def clean_legal_form(value: Any) -> str:
    """REG-3: one of ``LegalForm``, given by code, abbreviation or full name."""
    raw = required_text("legal_form", value, 100)
    form = LEGAL_FORM_ALIASES.get(_fold(raw))
    if form is None:
        raise InvalidField(
            "legal_form",
            E.INVALID_LEGAL_FORM,
            _("unknown legal form; choose one of: %(forms)s")
            % {"forms": ", ".join(str(f.label).partition(" (")[0] for f in LegalForm)},
        )
    return str(form)


# --- whole customers, by groups of fields ---------------------------------

Cleaner = Callable[[Mapping[str, Any], date], dict[str, Any]]
Group = tuple[tuple[str, ...], Cleaner]

_CONTACT: tuple[Group, ...] = (
    (("email",), lambda d, t: {"email": clean_email(d.get("email"))}),
    (("phone",), lambda d, t: {"phone": clean_phone(d.get("phone"))}),
    (("street", "postal_code", "city", "country"), lambda d, t: clean_address(d)),
    (
        ("corr_street", "corr_postal_code", "corr_city", "corr_country"),
        lambda d, t: clean_correspondence_address(d),
    ),
)


def _pesel_group(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    number, birth_date = clean_pesel(data.get("pesel"), today=today)
    return {"pesel": number, "birth_date": birth_date}


INDIVIDUAL_GROUPS: tuple[Group, ...] = (
    (
        ("first_name",),
        lambda d, t: {"first_name": clean_person_name("first_name", d.get("first_name"))},
    ),
    (
        ("last_name",),
        lambda d, t: {"last_name": clean_person_name("last_name", d.get("last_name"))},
    ),
    (("pesel",), _pesel_group),
    (
        ("id_document_type", "id_document_number", "id_document_issued", "id_document_expires"),
        lambda d, t: clean_id_document(d, today=t),
    ),
    *_CONTACT,
)

COMPANY_GROUPS: tuple[Group, ...] = (
    (
        ("company_name",),
        lambda d, t: {"company_name": required_text("company_name", d.get("company_name"), 200)},
    ),
    (("nip",), lambda d, t: {"nip": clean_nip(d.get("nip"))}),
    (("regon",), lambda d, t: {"regon": clean_regon(d.get("regon"))}),
    (("legal_form",), lambda d, t: {"legal_form": clean_legal_form(d.get("legal_form"))}),
    (
        ("representative_name",),
        lambda d, t: {
            "representative_name": clean_full_name(
                "representative_name", d.get("representative_name")
            )
        },
    ),
    *_CONTACT,
)


def groups_for(kind: str) -> tuple[Group, ...]:
    return INDIVIDUAL_GROUPS if kind == CustomerKind.INDIVIDUAL else COMPANY_GROUPS


def fields_for(kind: str) -> frozenset[str]:
    return frozenset(f for fields, _cleaner in groups_for(kind) for f in fields)


def clean_kind(value: Any) -> str:
    kind = plain_text(value).lower()
    if kind not in CustomerKind.values:
        raise InvalidField("kind", E.INVALID_KIND, _("the kind must be 'individual' or 'company'"))
    return kind


def clean_customer(
    data: Mapping[str, Any],
    *,
    today: date,
    kind: str | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, Any]:
    """REG-1..3: validate a customer's data and return it normalised.

    Without ``only``: a registration — every group of the kind is checked and
    keys that do not belong to the kind are refused (a typo must not be lost
    silently). With ``only``: an update — only the groups touching those
    fields are checked (``data`` then holds the merged old and new values).
    """
    errors: list[InvalidField] = []
    if kind is None:
        try:
            kind = clean_kind(data.get("kind"))
        except InvalidField as error:
            raise InvalidData([error]) from None
    allowed = fields_for(kind)
    touched = set(only) if only is not None else None
    if touched is None:
        for key in sorted(set(data) - allowed - {"kind", "password"}):
            if data[key] not in (None, ""):
                errors.append(
                    InvalidField(
                        key,
                        E.UNKNOWN_FIELD,
                        _("this field does not apply to this kind of customer"),
                    )
                )
    clean: dict[str, Any] = {}
    for fields, cleaner in groups_for(kind):
        if touched is not None and not touched & set(fields):
            continue
        try:
            clean.update(cleaner(data, today))
        except InvalidField as error:
            errors.append(error)
        except InvalidData as several:
            errors.extend(several.errors)
    if errors:
        raise InvalidData(errors)
    return clean
