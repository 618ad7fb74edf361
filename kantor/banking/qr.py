"""The Polish transfer QR code: the ZBP "2D code" recommendation (DEP-1, PLN only).

Polish banking apps read a QR code whose text is nine fields separated by
``|`` (Związek Banków Polskich, "Rekomendacja — Standard 2D", 2013)::

    NIP|PL|account|amount|recipient|title|reserved1|reserved2|reserved3

=====  ============================  =========================================
field  content                       rule
=====  ============================  =========================================
1      recipient's NIP               10 digits or empty
2      country                       ``PL`` (the standard is domestic only)
3      account                       the 26-digit NRB (the IBAN without PL)
4      amount                        grosze, at least 6 digits (``000000``: the
                                     payer types the amount)
5      recipient's name              at most 20 characters
6      title                         at most 32 characters
7–9    reserved (direct debit id,    empty here
       Invoobill id, reserved)
=====  ============================  =========================================

Decisions: ``|`` and characters outside letters, digits and a little
punctuation are dropped from names and titles (a ``|`` would shift every
field); Polish letters are kept (the standard encodes UTF-8); an amount that
does not fit six digits (over 9 999.99 PLN) is left for the payer to type,
since banks read the field as six digits. The image is an SVG made by
``segno`` with error correction level L, as the recommendation asks.
"""

from __future__ import annotations

import io
import re

from kantor.domain.money import Money

__all__ = ["qr_svg", "zbp_payload"]

_ALLOWED = re.compile(r"[^0-9A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż ,./\\\-@#&*_]")
_MAX_AMOUNT_MINOR = 999_999


def _clean(text: str, width: int) -> str:
    return " ".join(_ALLOWED.sub("", text or "").split())[:width].strip()


def zbp_payload(
    *, account: str, recipient: str, title: str, amount: Money | None = None, nip: str = ""
) -> str:
    """The QR text for a domestic PLN transfer to ``account`` (a PL IBAN or an NRB)."""
    compact = re.sub(r"\s", "", account).upper()
    nrb = compact[2:] if compact.startswith("PL") else compact
    if not re.fullmatch(r"\d{26}", nrb):
        raise ValueError(f"{account!r} is not a Polish account number")
    if amount is not None and amount.currency.code != "PLN":
        raise ValueError("the 2D code carries PLN amounts only")
    minor = amount.minor if amount is not None else 0
    if not 0 <= minor <= _MAX_AMOUNT_MINOR:
        minor = 0
    digits = re.sub(r"\D", "", nip or "")
    fields = [
        digits if len(digits) == 10 else "",
        "PL",
        nrb,
        f"{minor:06d}",
        _clean(recipient, 20),
        _clean(title, 32),
        "",
        "",
        "",
    ]
    return "|".join(fields)


def qr_svg(payload: str, *, scale: int = 4) -> str:
    """An SVG image of the QR code (error correction L, byte mode, UTF-8)."""
    import segno

    code = segno.make_qr(payload, error="l", boost_error=False, encoding="utf-8")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()
