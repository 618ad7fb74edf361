"""ISO 20022 camt.053 bank-to-customer statements (DEP-2).

Written against camt.053.001.02 and tolerant of later versions (.03–.13):
the differences that matter here are handled — entry status as a code or as
``Sts/Cd``, parties as ``Dbtr/Nm`` or ``Dbtr/Pty/Nm``, transaction amounts as
``TxDtls/Amt`` or ``TxDtls/AmtDtls/TxAmt/Amt``.

Hardened parsing: the file is a statement from a bank, but it reaches us
through people and mailboxes. ``defusedxml`` refuses any DTD (so no entity
expansion — billion laughs — and no external entity — XXE) and never touches
the network; the size is capped before parsing.

Only booked entries (``Sts`` ``BOOK``) become lines; pending and information
entries do not move the balance and are skipped. An entry batching several
transactions (several ``TxDtls``) becomes one line per transaction, whose
amounts must add up to the entry's.

``bank_reference``: ``Ntry/AcctSvcrRef``, else ``Ntry/NtryRef``, else the
transaction's ``Refs/AcctSvcrRef`` (a batch's parts without one get
``"{entry ref}/{n}"``); made unique by ``model.assign_references`` with
``Stmt/Id``.

A returned payment (``TxDtls/RtrInf``, or bank transaction code family
``RRCT``/sub-family ``RRTN``) is flagged ``returned`` with the ISO reason code
(``AC04`` closed account, ...): the payouts code acts on it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from kantor.banking.statements.model import (
    Direction,
    Statement,
    StatementError,
    StatementLine,
    assign_references,
    check_balance,
    checked_amount,
    checked_currency,
    normalise_account,
)

__all__ = ["MAX_FILE_BYTES", "parse_camt053"]

MAX_FILE_BYTES = 64 * 1024 * 1024
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
_FIXED_WIDTHS = (35, 70, 140)


class _Doc:
    """Namespace-aware lookups that remember where they are, for error paths."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def q(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{step}" for step in path.split("/"))

    def find(self, el: Element, path: str) -> Element | None:
        return el.find(self.q(path))

    def all(self, el: Element, path: str) -> list[Element]:
        return el.findall(self.q(path))

    def text(self, el: Element, *paths: str) -> str:
        """Text of the first path present (stripped), or ''."""
        for path in paths:
            found = el.find(self.q(path))
            if found is not None and (found.text or "").strip():
                return " ".join((found.text or "").split())
        return ""

    def raw(self, el: Element) -> str:
        """The element as XML, without the ``ns0:`` prefixes ElementTree adds."""
        text = tostring(el, encoding="unicode").replace(f' xmlns:ns0="{self.ns}"', "")
        return re.sub(r"(</?)ns0:", r"\1", text)

    def need(self, el: Element, path: str, where: str) -> Element:
        found = el.find(self.q(path))
        if found is None:
            raise StatementError("MISSING_ELEMENT", f"{path} is missing", path=f"{where}/{path}")
        return found


def parse_camt053(data: bytes) -> list[Statement]:
    """All ``Stmt`` of a camt.053 document, or ``StatementError`` for the whole file."""
    if len(data) > MAX_FILE_BYTES:
        raise StatementError("FILE_TOO_LARGE", f"{len(data)} bytes is over the limit", path="/")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise StatementError(
            "XML_FORBIDDEN", f"DTDs and entities are refused ({exc})", path="/"
        ) from None
    except ParseError as exc:
        line, _col = exc.position
        raise StatementError("XML_MALFORMED", str(exc), line=line) from None
    match = re.fullmatch(r"\{(.*)\}Document", root.tag)
    if not match or not _NAMESPACE.fullmatch(match[1]):
        raise StatementError(
            "UNSUPPORTED_FORMAT", f"{root.tag} is not a camt.053 Document", path="/"
        )
    doc = _Doc(match[1])
    body = doc.need(root, "BkToCstmrStmt", "Document")
    statements = [
        _statement(doc, stmt, f"Document/BkToCstmrStmt/Stmt[{i}]")
        for i, stmt in enumerate(doc.all(body, "Stmt"), start=1)
    ]
    if not statements:
        raise StatementError(
            "NO_STATEMENTS", "no Stmt in the document", path="Document/BkToCstmrStmt"
        )
    return statements


def _statement(doc: _Doc, stmt: Element, where: str) -> Statement:
    statement_id = doc.text(stmt, "Id")
    if not statement_id:
        raise StatementError("MISSING_ELEMENT", "Stmt/Id is missing", path=f"{where}/Id")
    acct = doc.need(stmt, "Acct", where)
    iban = normalise_account(doc.text(acct, "Id/IBAN", "Id/Othr/Id"))
    if not iban:
        raise StatementError(
            "INVALID_ACCOUNT", "no account identification", path=f"{where}/Acct/Id"
        )
    balances = {}
    for i, bal in enumerate(doc.all(stmt, "Bal"), start=1):
        code = doc.text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        balances.setdefault(code, (bal, f"{where}/Bal[{i}]"))
    opening = balances.get("OPBD") or balances.get("PRCD")
    closing = balances.get("CLBD")
    if opening is None or closing is None:
        raise StatementError(
            "MISSING_ELEMENT",
            "opening (OPBD/PRCD) and CLBD balances are required",
            path=f"{where}/Bal",
        )
    opening_amt = doc.find(opening[0], "Amt")
    cur = doc.text(acct, "Ccy") or (opening_amt.get("Ccy", "") if opening_amt is not None else "")
    cur = checked_currency(cur, path=f"{where}/Acct/Ccy")
    open_amount, opened = _balance(doc, *opening, cur)
    close_amount, closed = _balance(doc, *closing, cur)

    pending: list[tuple[str | None, StatementLine]] = []
    for i, ntry in enumerate(doc.all(stmt, "Ntry"), start=1):
        pending.extend(_entry(doc, ntry, f"{where}/Ntry[{i}]", cur))
    keys = assign_references(statement_id, [(ref, line.booking_date) for ref, line in pending])
    lines = tuple(
        replace(line, bank_reference=key, account_iban=iban)
        for key, (_, line) in zip(keys, pending, strict=True)
    )
    check_balance(open_amount, close_amount, lines, path=closing[1])
    return Statement(
        statement_id=statement_id,
        account_iban=iban,
        currency=cur,
        opening_balance=open_amount,
        closing_balance=close_amount,
        lines=lines,
        opening_date=opened,
        closing_date=closed,
    )


def _amount(doc: _Doc, el: Element, path: str, where: str, cur: str) -> Decimal:
    amt = doc.need(el, path, where)
    if checked_currency(amt.get("Ccy", ""), path=f"{where}/{path}/@Ccy") != cur:
        raise StatementError(
            "CURRENCY_MISMATCH", f"{amt.get('Ccy')} on a {cur} account", path=f"{where}/{path}"
        )
    return checked_amount(amt.text or "", cur, decimal_comma=False, path=f"{where}/{path}")


def _date(doc: _Doc, el: Element, path: str, where: str) -> date:
    text = doc.text(el, f"{path}/Dt", f"{path}/DtTm")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StatementError(
            "INVALID_DATE", f"{text!r} is not a date", path=f"{where}/{path}"
        ) from None


def _direction(doc: _Doc, el: Element, where: str) -> Direction:
    code = doc.text(el, "CdtDbtInd")
    if code not in ("CRDT", "DBIT"):
        raise StatementError("INVALID_FIELD", f"CdtDbtInd {code!r}", path=f"{where}/CdtDbtInd")
    return Direction(code)


def _balance(doc: _Doc, bal: Element, where: str, cur: str) -> tuple[Decimal, date]:
    amount = _amount(doc, bal, "Amt", where, cur)
    signed = -amount if _direction(doc, bal, where) is Direction.DEBIT else amount
    return signed, _date(doc, bal, "Dt", where)


def _join(parts: list[str]) -> str:
    """Parts of fixed width (35/70/140: a bank cut mid-word) join without a space."""
    parts = [p for p in parts if p.strip()]
    out = ""
    for i, part in enumerate(parts):
        if i and len(parts[i - 1]) not in _FIXED_WIDTHS:
            out += " "
        out += part
    return " ".join(out.split())


def _entry(
    doc: _Doc, ntry: Element, where: str, cur: str
) -> list[tuple[str | None, StatementLine]]:
    status = doc.text(ntry, "Sts/Cd", "Sts") or "BOOK"
    if status != "BOOK":
        return []
    amount = _amount(doc, ntry, "Amt", where, cur)
    direction = _direction(doc, ntry, where)
    booked = _date(doc, ntry, "BookgDt", where)
    valued = _date(doc, ntry, "ValDt", where) if doc.find(ntry, "ValDt") is not None else booked
    entry_ref = doc.text(ntry, "AcctSvcrRef", "NtryRef") or None
    family = doc.text(ntry, "BkTxCd/Domn/Fmly/Cd")
    sub_family = doc.text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd")
    code = "/".join(p for p in (doc.text(ntry, "BkTxCd/Domn/Cd"), family, sub_family) if p)
    code = code or doc.text(ntry, "BkTxCd/Prtry/Cd")
    base = StatementLine(
        bank_reference="",
        account_iban="",
        booking_date=booked,
        value_date=valued,
        amount=amount,
        direction=direction,
        currency=cur,
        title=doc.text(ntry, "AddtlNtryInf"),
        returned=family == "RRCT" or sub_family == "RRTN",
        reversal=doc.text(ntry, "RvslInd").lower() in ("true", "1"),
        transaction_code=code,
        raw=doc.raw(ntry),
    )
    details = [
        (tx, f"{where}/NtryDtls[{i}]/TxDtls[{j}]")
        for i, block in enumerate(doc.all(ntry, "NtryDtls"), start=1)
        for j, tx in enumerate(doc.all(block, "TxDtls"), start=1)
    ]
    if len(details) <= 1:
        line = _with_details(doc, base, *details[0]) if details else base
        tx_ref = doc.text(details[0][0], "Refs/AcctSvcrRef") if details else ""
        return [(entry_ref or tx_ref or None, line)]
    parts: list[tuple[str | None, StatementLine]] = []
    for n, (tx, tx_where) in enumerate(details, start=1):
        tx_amount = _amount(
            doc,
            tx,
            "Amt" if doc.find(tx, "Amt") is not None else "AmtDtls/TxAmt/Amt",
            tx_where,
            cur,
        )
        ref = doc.text(tx, "Refs/AcctSvcrRef") or (f"{entry_ref}/{n}" if entry_ref else None)
        parts.append((ref, _with_details(doc, replace(base, amount=tx_amount), tx, tx_where)))
    total = sum((line.amount for _, line in parts), Decimal(0))
    if total != amount:
        raise StatementError(
            "BATCH_AMOUNT_MISMATCH", f"transactions sum to {total}, entry is {amount}", path=where
        )
    return parts


def _party(doc: _Doc, tx: Element, role: str) -> tuple[str, str | None, str]:
    party = doc.find(tx, f"RltdPties/{role}/Pty")
    if party is None:
        party = doc.find(tx, f"RltdPties/{role}")
    account = normalise_account(
        doc.text(tx, f"RltdPties/{role}Acct/Id/IBAN", f"RltdPties/{role}Acct/Id/Othr/Id")
    )
    if party is None:
        return "", None, account
    address = _join([a.text or "" for a in doc.all(party, "PstlAdr/AdrLine")])
    if not address:
        street = " ".join(
            p for p in (doc.text(party, "PstlAdr/StrtNm"), doc.text(party, "PstlAdr/BldgNb")) if p
        )
        town = " ".join(
            p for p in (doc.text(party, "PstlAdr/PstCd"), doc.text(party, "PstlAdr/TwnNm")) if p
        )
        address = ", ".join(p for p in (street, town, doc.text(party, "PstlAdr/Ctry")) if p)
    return doc.text(party, "Nm"), address or None, account


def _with_details(doc: _Doc, line: StatementLine, tx: Element, where: str) -> StatementLine:
    mine, other = ("Dbtr", "Cdtr") if line.direction is Direction.CREDIT else ("Cdtr", "Dbtr")
    name, address, account = _party(doc, tx, mine)
    if not (name or account or address):
        name, address, account = _party(doc, tx, other)
    remittance = [u.text or "" for u in doc.all(tx, "RmtInf/Ustrd")]
    remittance += [doc.text(s, "CdtrRefInf/Ref") for s in doc.all(tx, "RmtInf/Strd")]
    title = _join(remittance) or line.title
    rtr = doc.find(tx, "RtrInf")
    reason = doc.text(rtr, "Rsn/Cd", "Rsn/Prtry") if rtr is not None else ""
    return replace(
        line,
        counterparty_name=name,
        counterparty_address=address,
        counterparty_account=account,
        title=title,
        returned=line.returned or rtr is not None,
        return_reason=reason or None,
    )
