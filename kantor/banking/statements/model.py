"""What every statement parser returns (DEP-2), whatever the bank's format.

The import code books deposits from ``StatementLine`` values and relies on
three promises made here:

* ``bank_reference`` is the idempotency key (DEP-2: importing the same
  statement twice books nothing twice). It is stable — the same entry in the
  same file, or in a re-sent copy, gives the same key — and unique within a
  statement. Store it with a unique constraint on ``(account_iban,
  bank_reference)``. How each format derives it is documented in its parser;
  the common rule: the bank's own entry reference when the bank gives one
  that is unique in the statement, otherwise
  ``"{statement_id}|{booking date YYYYMMDD}|{position}"`` (+ ``"|{ref}"`` when a
  non-unique reference exists).
* ``amount`` is never negative (the staff CSV refuses zero; a bank may list
  a zero entry) and exact at the currency's minor unit, validated through
  ``kantor.domain.money``; ``direction`` says whether it came in (credit) or
  went out (debit).
* A parser returns whole files or raises ``StatementError`` — never a
  partial list (DEP-6: nothing is lost silently).

No Django imports: parsers are pure functions over bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from kantor.domain.money import Money, MoneyError, currency

__all__ = [
    "Direction",
    "Statement",
    "StatementError",
    "StatementLine",
    "assign_references",
    "check_balance",
    "checked_amount",
    "checked_currency",
    "decode_text",
    "is_iban",
    "normalise_account",
    "polish_iban",
]


class StatementError(ValueError):
    """A statement file refused as a whole.

    ``code`` is a stable machine key (``BALANCE_MISMATCH``, ``XML_FORBIDDEN``,
    ...); ``line`` (text formats) or ``path`` (XML element path) locate the fault.
    """

    def __init__(
        self, code: str, message: str, *, line: int | None = None, path: str | None = None
    ) -> None:
        where = f" (line {line})" if line is not None else f" (at {path})" if path else ""
        super().__init__(f"{code}: {message}{where}")
        self.code = code
        self.message = message
        self.line = line
        self.path = path


class Direction(StrEnum):
    CREDIT = "CRDT"  # money in: a deposit, a returned payout
    DEBIT = "DBIT"  # money out: a payout, a refund, a bank fee


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One booked entry on the operator's account (DEP-2)."""

    bank_reference: str
    account_iban: str
    booking_date: date
    value_date: date
    amount: Decimal
    direction: Direction
    currency: str
    counterparty_name: str = ""
    counterparty_address: str | None = None
    counterparty_account: str = ""
    title: str = ""
    #: camt RtrInf: the bank returned a payment (the payouts code reacts to it).
    returned: bool = False
    return_reason: str | None = None
    #: MT940 RC/RD, camt RvslInd: the entry reverses an earlier one.
    reversal: bool = False
    #: The bank's own transaction code (MT940 :61: type / ~00, camt BkTxCd).
    transaction_code: str = ""
    #: The entry exactly as it stood in the file, for audit.
    raw: str = field(default="", compare=False)

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.direction is Direction.CREDIT else -self.amount


@dataclass(frozen=True, slots=True)
class Statement:
    """One account statement; balances are signed (``None`` for manual CSV entries)."""

    statement_id: str
    account_iban: str
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    lines: tuple[StatementLine, ...]
    opening_date: date | None = None
    closing_date: date | None = None


# -- helpers shared by the parsers ------------------------------------------------


def checked_currency(code: str, *, line: int | None = None, path: str | None = None) -> str:
    try:
        return currency(code).code
    except MoneyError as exc:
        raise StatementError(exc.code, str(exc), line=line, path=path) from None


_AMOUNT = re.compile(r"\d{1,15}(?:\.\d*)?")


def checked_amount(
    text: str, cur: str, *, decimal_comma: bool, line: int | None = None, path: str | None = None
) -> Decimal:
    """A non-negative amount in ``cur`` minor units; refuses signs, exponents, floats."""
    raw = text.strip()
    if decimal_comma:
        if "." in raw:
            raise StatementError(
                "INVALID_AMOUNT", f"{text!r} is not an amount", line=line, path=path
            )
        raw = raw.replace(",", ".")
    if not _AMOUNT.fullmatch(raw):
        raise StatementError("INVALID_AMOUNT", f"{text!r} is not an amount", line=line, path=path)
    try:
        return Money(Decimal(raw.rstrip(".") or "0"), cur).amount
    except MoneyError as exc:
        raise StatementError(exc.code, str(exc), line=line, path=path) from None


def is_iban(text: str) -> bool:
    """ISO 13616 shape and mod-97 check (no registry look-up: pure and offline)."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", text):
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def polish_iban(bban: str) -> str:
    """PL IBAN from a 24-digit sorting code + account number (MT940 ~30 + ~31)."""
    check = 98 - int(bban + "252100") % 97
    return f"PL{check:02d}{bban}"


def normalise_account(text: str) -> str:
    """IBAN without spaces when the text is one (a bare 26-digit NRB gets ``PL``).

    Anything else (a foreign BBAN, a card number) is returned cleaned but as is:
    BANK-1 compares it with the customer's defined accounts.
    """
    cleaned = re.sub(r"[\s\-]", "", text.strip().lstrip("/")).upper()
    if re.fullmatch(r"\d{26}", cleaned) and is_iban("PL" + cleaned):
        return "PL" + cleaned
    return cleaned


_POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_TYPOGRAPHY = frozenset("„”“‘’–—«»§°€\u00a0")
_ENCODINGS = ("cp1250", "iso-8859-2", "cp852")


def _plausibility(text: str) -> int:
    """Polish letters count for a decoding; stray letters and symbols against it."""
    score = 0
    for ch in text:
        if ch.isascii():
            if ord(ch) < 32 and ch not in "\r\n\t\x01\x03":
                score -= 3
        elif ch in _POLISH:
            score += 1
        elif ch.isalpha():
            score -= 1
        elif ch not in _TYPOGRAPHY:
            score -= 3
    return score


def decode_text(data: bytes | str) -> str:
    """UTF-8 when the bytes are valid UTF-8, else the Polish code page that fits best.

    Polish banks export cp1250 (most), ISO-8859-2 or cp852 (old DOS-era STA
    files). Valid UTF-8 with non-ASCII bytes is almost never an accident. Of
    the 8-bit pages, the decoding that reads most like Polish wins (ties go to
    cp1250, in that order); cp852 versus cp1250 is a best effort on very short
    texts, where at worst the case of a letter differs.
    """
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        pass
    best: tuple[int, str] | None = None
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text)
    if best is None:
        raise StatementError("INVALID_ENCODING", "the file is neither UTF-8 nor a Polish code page")
    return best[1]


def assign_references(statement_id: str, entries: list[tuple[str | None, date]]) -> list[str]:
    """The idempotency keys of a statement's entries (DEP-2), by the rule above.

    ``entries`` are (bank reference or None, booking date) in statement order.
    """
    counts: dict[str, int] = {}
    for ref, _ in entries:
        if ref:
            counts[ref] = counts.get(ref, 0) + 1
    keys = []
    for position, (ref, booked) in enumerate(entries, start=1):
        if ref and counts[ref] == 1:
            keys.append(ref)
        else:
            key = f"{statement_id}|{booked:%Y%m%d}|{position}"
            keys.append(f"{key}|{ref}" if ref else key)
    return keys


def check_balance(
    opening: Decimal,
    closing: Decimal,
    lines: list[StatementLine] | tuple[StatementLine, ...],
    *,
    line: int | None = None,
    path: str | None = None,
) -> None:
    """Opening balance + credits − debits must equal the closing balance."""
    expected = opening + sum((entry.signed_amount for entry in lines), Decimal(0))
    if expected != closing:
        raise StatementError(
            "BALANCE_MISMATCH",
            f"opening {opening} + entries = {expected}, but the closing balance is {closing}",
            line=line,
            path=path,
        )
