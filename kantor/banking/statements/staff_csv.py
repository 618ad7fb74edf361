"""The CSV that staff use to enter bank entries by hand (DEP-2, DEP-6).

For a bank that sends neither camt.053 nor MT940, or an entry seen only on a
paper confirmation. One header row, then one row per entry. Column names are
case-insensitive, in any order; unknown columns are refused (a typo must not
drop a value silently). The delimiter is ``;`` when the header holds one
(Polish Excel), else ``,``; ``\\t`` also works. UTF-8 (with or without BOM)
or cp1250.

===========================  ========  =======================================
column                       needed    value
===========================  ========  =======================================
``account_iban``             yes       the operator account (IBAN)
``reference``                yes       the bank's reference — the idempotency
                                       key; unique in the file
``booking_date``             yes       ``2025-01-31`` or ``31.01.2025``
``value_date``               no        same forms; default: booking date
``direction``                yes       ``C``/``CRDT``/``CREDIT``/``UZNANIE``
                                       or ``D``/``DBIT``/``DEBIT``/``OBCIĄŻENIE``
``amount``                   yes       positive; ``1234.56``, ``1234,56``,
                                       ``1 234,56``, ``1.234,56``, ``1,234.56``
``currency``                 yes       ISO code
``counterparty_name``        no
``counterparty_address``     no
``counterparty_account``     no        IBAN or other account number
``title``                    no        the transfer title
``statement_id``             no        groups rows; default ``CSV-<digest>``
===========================  ========  =======================================

Rows are grouped into one ``Statement`` per (statement id, account,
currency), in order of first appearance; CSV statements have no balances.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime
from decimal import Decimal

from kantor.banking.statements.model import (
    Direction,
    Statement,
    StatementError,
    StatementLine,
    checked_amount,
    checked_currency,
    decode_text,
    is_iban,
    normalise_account,
)

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "parse_csv"]

REQUIRED_COLUMNS = ("account_iban", "reference", "booking_date", "direction", "amount", "currency")
COLUMNS = (
    *REQUIRED_COLUMNS,
    "value_date",
    "counterparty_name",
    "counterparty_address",
    "counterparty_account",
    "title",
    "statement_id",
)
_DIRECTIONS = {
    **dict.fromkeys(("C", "CR", "CRDT", "CREDIT", "UZNANIE"), Direction.CREDIT),
    **dict.fromkeys(("D", "DR", "DBIT", "DEBIT", "OBCIĄŻENIE", "OBCIAZENIE"), Direction.DEBIT),
}
_PLAIN = re.compile(r"\d+(?:[.,]\d+)?")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_COMMA_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_csv(data: bytes | str) -> list[Statement]:
    """Statements from a staff CSV, or ``StatementError`` for the whole file."""
    text = decode_text(data)
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header_line else "\t" if "\t" in header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise StatementError("MALFORMED_ROW", str(exc), line=reader.line_num) from None
    if not rows:
        raise StatementError("NO_STATEMENTS", "the file is empty", line=1)
    header = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in rows[0][1]]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise StatementError(
            "INVALID_HEADER", f"unknown {unknown}, missing {missing}, or a repeated column", line=1
        )
    default_id = "CSV-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    groups: dict[tuple[str, str, str], list[StatementLine]] = {}
    seen: set[str] = set()
    for line_no, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise StatementError(
                "MALFORMED_ROW", f"{len(row)} cells, header has {len(header)}", line=line_no
            )
        cells = {h: " ".join(v.split()) for h, v in zip(header, row, strict=True)}
        entry = _line(cells, line_no, delimiter.join(row))
        if entry.bank_reference in seen:
            raise StatementError(
                "DUPLICATE_REFERENCE", f"{entry.bank_reference!r} repeats", line=line_no
            )
        seen.add(entry.bank_reference)
        key = (cells.get("statement_id") or default_id, entry.account_iban, entry.currency)
        groups.setdefault(key, []).append(entry)
    if not groups:
        raise StatementError("NO_STATEMENTS", "the file has a header but no rows", line=2)
    return [
        Statement(
            statement_id=sid,
            account_iban=iban,
            currency=cur,
            opening_balance=None,
            closing_balance=None,
            lines=tuple(lines),
        )
        for (sid, iban, cur), lines in groups.items()
    ]


def _date(text: str, line: int) -> date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise StatementError("INVALID_DATE", f"{text!r} is not YYYY-MM-DD or DD.MM.YYYY", line=line)


def _amount(text: str, cur: str, line: int) -> Decimal:
    raw = re.sub(r"[\s\u00a0']", "", text)
    if _PLAIN.fullmatch(raw):
        raw = raw.replace(",", ".")
    elif _DOT_THOUSANDS.fullmatch(raw):
        raw = raw.replace(".", "").replace(",", ".")
    elif _COMMA_THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")
    else:
        raise StatementError("INVALID_AMOUNT", f"{text!r} is not a positive amount", line=line)
    amount = checked_amount(raw, cur, decimal_comma=False, line=line)
    if amount <= 0:
        raise StatementError("INVALID_AMOUNT", f"{text!r} is not a positive amount", line=line)
    return amount


def _line(cells: dict[str, str], line_no: int, raw: str) -> StatementLine:
    for column in REQUIRED_COLUMNS:
        if not cells[column]:
            raise StatementError("MISSING_VALUE", f"{column} is empty", line=line_no)
    iban = normalise_account(cells["account_iban"])
    if not is_iban(iban):
        raise StatementError(
            "INVALID_ACCOUNT", f"{cells['account_iban']!r} is not an IBAN", line=line_no
        )
    direction = _DIRECTIONS.get(cells["direction"].upper())
    if direction is None:
        raise StatementError("INVALID_FIELD", f"direction {cells['direction']!r}", line=line_no)
    cur = checked_currency(cells["currency"], line=line_no)
    booked = _date(cells["booking_date"], line_no)
    return StatementLine(
        bank_reference=cells["reference"],
        account_iban=iban,
        booking_date=booked,
        value_date=_date(cells["value_date"], line_no) if cells.get("value_date") else booked,
        amount=_amount(cells["amount"], cur, line_no),
        direction=direction,
        currency=cur,
        counterparty_name=cells.get("counterparty_name", ""),
        counterparty_address=cells.get("counterparty_address") or None,
        counterparty_account=normalise_account(cells.get("counterparty_account", "")),
        title=cells.get("title", ""),
        raw=raw,
    )
