"""SWIFT MT940 statements as Polish banks export them (DEP-2).

Accepted shapes: with or without the SWIFT envelope (``{1:…}{2:…}{4:`` …
``-}``), mBank's ``\\x01``/``\\x03`` block marks, several statements per file,
CRLF or LF, UTF-8 or a Polish code page (see ``model.decode_text``).

Field ``:86:`` — Polish banks structure it as an optional 3-digit operation
code followed by sub-fields ``<sep>NN``; ``sep`` is ``~`` (ING, mBank, PKO,
Millennium), ``^`` (BNP Paribas), ``<`` (Nordea-era STA) or another single
character, detected from the text. Sub-fields read:

=========================  ==============================================
``00``                     operation description (kept in ``raw``)
``10``                     bank's document number (a reference fallback)
``20``–``26``              title (remittance information)
``32``–``33``, else        counterparty name
``27``–``28``
``29``, ``60``–``63``      counterparty address
``38``                     counterparty IBAN
``30`` + ``31``            sorting code + account number → PL IBAN
                           (``31`` alone: the account as given)
=========================  ==============================================

Parts of one value are joined with no space when the earlier part fills the
27-character sub-field (the bank cut a word), with one space otherwise.
A ``:86:`` without sub-fields is taken whole as the title.

``bank_reference`` (the idempotency key): the ``:61:`` account-servicing
reference (after ``//``); else ``~10``; else the customer reference unless
``NONREF``; made unique by ``model.assign_references`` with the statement id
``"{:20:}/{:28C:}"`` (``"{:20:}/{opening date}"`` without ``:28C:``).

Every statement must balance — ``:60F:`` + entries = ``:62F:`` — or the whole
file is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from kantor.banking.statements.model import (
    Direction,
    Statement,
    StatementError,
    StatementLine,
    assign_references,
    check_balance,
    checked_amount,
    checked_currency,
    decode_text,
    is_iban,
    normalise_account,
    polish_iban,
)

__all__ = ["parse_mt940"]

SUBFIELD_WIDTH = 27
_FIELD = re.compile(r":(\d{2}[A-Z]?):(.*)")
_BALANCE = re.compile(r"([CD])(\d{6})([A-Z]{3})(\d[\d,]*)")
_ENTRY = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d[\d,]*)(?P<type>[A-Z][A-Z0-9]{3})(?P<custref>.*?)(?://(?P<bankref>.*))?"
)
_IGNORED = frozenset({"21", "13", "13D", "34F", "64", "65", "90C", "90D"})
_SEPARATORS = "~^<>?+|"


@dataclass(frozen=True, slots=True)
class _Field:
    tag: str
    lines: tuple[str, ...]
    line_no: int

    @property
    def value(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class _Details:
    title: str = ""
    name: str = ""
    address: str | None = None
    account: str = ""
    document_ref: str = ""


def parse_mt940(data: bytes | str) -> list[Statement]:
    """All statements in an MT940 file, or ``StatementError`` for the whole file."""
    blocks = _blocks(decode_text(data))
    if not blocks:
        raise StatementError("NO_STATEMENTS", "the file holds no MT940 statement", line=1)
    return [_statement(block) for block in blocks]


def _blocks(text: str) -> list[list[_Field]]:
    blocks: list[list[_Field]] = []
    current: list[_Field] | None = None
    tag: str | None = None
    buf: list[str] = []
    start = 0

    def flush() -> None:
        nonlocal tag, buf
        if tag is not None and current is not None:
            current.append(_Field(tag, tuple(buf), start))
        tag, buf = None, []

    for line_no, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.replace("\x01", "").replace("\x03", "").rstrip("\r")
        if "{4:" in line:
            line = line.split("{4:", 1)[1]
        elif line.startswith("{"):
            continue
        if line.strip() in ("", "-", "-}", "}") or line.startswith(("-}", "{5:")):
            if line.strip():
                flush()
                current = None
            continue
        match = _FIELD.match(line)
        if match:
            flush()
            tag, buf, start = match[1], [match[2]], line_no
            if tag == "20":
                current = []
                blocks.append(current)
            elif current is None:
                raise StatementError(
                    "UNEXPECTED_FIELD", f":{tag}: outside a statement", line=line_no
                )
        elif tag is not None:
            buf.append(line)
        else:
            raise StatementError(
                "UNEXPECTED_TEXT", f"{line[:40]!r} is not an MT940 field", line=line_no
            )
    flush()
    return blocks


def _statement(fields: list[_Field]) -> Statement:
    ref = fields[0].value.strip()
    seq = account = opening_field = closing_field = None
    entries: list[tuple[_Field, _Field | None]] = []
    for f in fields[1:]:
        if f.tag in ("25", "25P"):
            account = f
        elif f.tag in ("28", "28C"):
            seq = f.value.strip()
        elif f.tag in ("60F", "60M"):
            opening_field = f
        elif f.tag == "61":
            if opening_field is None or closing_field is not None:
                raise StatementError("UNEXPECTED_FIELD", ":61: outside :60F:…:62F:", line=f.line_no)
            entries.append((f, None))
        elif f.tag == "86":
            if entries and entries[-1][1] is None and closing_field is None:
                entries[-1] = (entries[-1][0], f)
        elif f.tag in ("62F", "62M"):
            closing_field = f
        elif f.tag not in _IGNORED:
            raise StatementError(
                "UNEXPECTED_FIELD", f"field :{f.tag}: is not MT940", line=f.line_no
            )
    last = fields[-1].line_no
    if account is None:
        raise StatementError("MISSING_FIELD", "no :25: account", line=fields[0].line_no)
    if opening_field is None:
        raise StatementError("MISSING_FIELD", "no :60F: opening balance", line=last)
    if closing_field is None:
        raise StatementError("TRUNCATED", "the statement ends without :62F:", line=last)

    iban = _account(account)
    cur, opening, opened = _balance(opening_field)
    close_cur, closing, closed = _balance(closing_field)
    if close_cur != cur:
        raise StatementError(
            "CURRENCY_MISMATCH", f"{close_cur} closing, {cur} opening", line=closing_field.line_no
        )
    statement_id = f"{ref}/{seq}" if seq else f"{ref}/{opened:%Y%m%d}"

    parsed = [_entry(e, d, cur) for e, d in entries]
    keys = assign_references(statement_id, [(p[0], p[1].booking_date) for p in parsed])
    lines = tuple(
        replace(line, bank_reference=key, account_iban=iban)
        for key, (_, line) in zip(keys, parsed, strict=True)
    )
    check_balance(opening, closing, lines, line=closing_field.line_no)
    return Statement(
        statement_id=statement_id,
        account_iban=iban,
        currency=cur,
        opening_balance=opening,
        closing_balance=closing,
        lines=lines,
        opening_date=opened,
        closing_date=closed,
    )


def _account(f: _Field) -> str:
    """``:25:`` as ``PL61…``, ``/PL61…``, a bare NRB, optionally followed by a currency."""
    text = f.lines[0].strip()
    for candidate in (text, re.sub(r"[/ ]?[A-Z]{3}$", "", text)):
        iban = normalise_account(candidate)
        if is_iban(iban):
            return iban
    raise StatementError("INVALID_ACCOUNT", f"{text!r} is not an IBAN", line=f.line_no)


def _yymmdd(text: str, line: int) -> date:
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    try:
        return date(2000 + yy if yy < 80 else 1900 + yy, mm, dd)
    except ValueError:
        raise StatementError("INVALID_DATE", f"{text!r} is not a date", line=line) from None


def _balance(f: _Field) -> tuple[str, Decimal, date]:
    m = _BALANCE.fullmatch(f.value.strip())
    if not m:
        raise StatementError(
            "INVALID_FIELD", f":{f.tag}: {f.value!r} is not a balance", line=f.line_no
        )
    cur = checked_currency(m[3], line=f.line_no)
    amount = checked_amount(m[4], cur, decimal_comma=True, line=f.line_no)
    return cur, (-amount if m[1] == "D" else amount), _yymmdd(m[2], f.line_no)


def _entry(f: _Field, details: _Field | None, cur: str) -> tuple[str | None, StatementLine]:
    """One ``:61:`` (+ ``:86:``); the key and account are filled in by the caller."""
    m = _ENTRY.fullmatch(f.lines[0].strip())
    if not m:
        raise StatementError(
            "INVALID_FIELD", f":61: {f.lines[0]!r} is not an entry", line=f.line_no
        )
    value_date = _yymmdd(m["value"], f.line_no)
    booking_date = value_date
    if m["entry"]:
        booking_date = _entry_date(value_date, m["entry"], f.line_no)
    mark = m["mark"]
    direction = Direction.CREDIT if mark in ("C", "RD", "EC") else Direction.DEBIT
    amount = checked_amount(m["amount"], cur, decimal_comma=True, line=f.line_no)
    info = _details(details) if details else _Details()
    custref = m["custref"].strip()
    ref = (m["bankref"] or "").strip() or info.document_ref
    if not ref and custref.upper() != "NONREF":
        ref = custref
    raw = f":61:{f.value}" + (f"\n:86:{details.value}" if details else "")
    line = StatementLine(
        bank_reference="",
        account_iban="",
        booking_date=booking_date,
        value_date=value_date,
        amount=amount,
        direction=direction,
        currency=cur,
        counterparty_name=info.name,
        counterparty_address=info.address,
        counterparty_account=info.account,
        title=info.title,
        reversal=mark in ("RC", "RD"),
        transaction_code=m["type"],
        raw=raw,
    )
    return ref or None, line


def _entry_date(value_date: date, mmdd: str, line: int) -> date:
    """The booking date's year is the one that puts it nearest the value date."""
    candidates = []
    for year in (value_date.year - 1, value_date.year, value_date.year + 1):
        try:
            candidates.append(date(year, int(mmdd[:2]), int(mmdd[2:])))
        except ValueError:
            continue
    if not candidates:
        raise StatementError("INVALID_DATE", f"{mmdd!r} is not a month and day", line=line)
    return min(candidates, key=lambda d: abs((d - value_date).days))


def _join(parts: list[str]) -> str:
    out = ""
    for i, part in enumerate(parts):
        if i and len(parts[i - 1]) < SUBFIELD_WIDTH:
            out += " "
        out += part
    return " ".join(out.split())


def _details(f: _Field) -> _Details:
    text = "".join(f.lines)
    head = re.match(r"(\d{3})?", text)
    rest = text[head.end() if head else 0 :]
    sep_match = re.search(rf"([{re.escape(_SEPARATORS)}])\d\d", rest[:4])
    if not sep_match:
        return _Details(title=" ".join(text.split()))
    sep = sep_match[1]
    pieces = re.split(rf"{re.escape(sep)}(\d\d)", rest[sep_match.start() :])
    sub: dict[int, list[str]] = {}
    for number, value in zip(pieces[1::2], pieces[2::2], strict=True):
        sub.setdefault(int(number), []).append(value)

    def take(*numbers: int) -> list[str]:
        return [v for n in numbers for v in sub.get(n, [])]

    name = _join(take(32, 33)) or _join(take(27, 28))
    address = _join(take(29, 60, 61, 62, 63)) or None
    iban = normalise_account("".join(take(38)))
    sort_code = "".join(take(30)).strip()
    number = normalise_account("".join(take(31)))
    if iban:
        account = iban
    elif re.fullmatch(r"\d{8}", sort_code) and re.fullmatch(r"\d{16}", number):
        account = polish_iban(sort_code + number)
    else:
        account = number
    return _Details(
        title=_join(take(20, 21, 22, 23, 24, 25, 26)),
        name=name,
        address=address,
        account=account,
        document_ref="".join(take(10)).strip(),
    )
