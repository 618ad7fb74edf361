"""Writing statements back out: the staff CSV template, fixtures, round trips (DEP-2).

Each renderer writes what its parser reads, so that ``parse(render(x))``
gives back ``x``'s lines — the import code relies on parsers being faithful,
and the round-trip tests prove it. Statements without balances (staff CSV)
are rendered with an opening balance of zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from kantor.banking.statements.model import Direction, Statement, StatementLine
from kantor.banking.statements.staff_csv import COLUMNS

__all__ = ["render_camt053", "render_csv", "render_mt940"]

MT940_WIDTH = 27


def _chunks(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] if text else []


def _balances(st: Statement) -> tuple[Decimal, Decimal, date, date]:
    opening = st.opening_balance if st.opening_balance is not None else Decimal("0.00")
    closing = st.closing_balance
    if closing is None:
        closing = opening + sum((line.signed_amount for line in st.lines), Decimal(0))
    days = [line.booking_date for line in st.lines] or [date(2000, 1, 1)]
    return opening, closing, st.opening_date or min(days), st.closing_date or max(days)


# -- MT940 ------------------------------------------------------------------------


def _mt_amount(value: Decimal) -> str:
    return f"{abs(value):f}".replace(".", ",")


def _mt_balance(tag: str, value: Decimal, day: date, cur: str) -> str:
    return f":{tag}:{'D' if value < 0 else 'C'}{day:%y%m%d}{cur}{_mt_amount(value)}"


def _mt_details(line: StatementLine, sep: str) -> list[str]:
    out = [f":86:020{sep}00{line.transaction_code or 'PRZELEW'}"]

    def put(numbers: Iterable[int], text: str) -> None:
        for number, chunk in zip(numbers, _chunks(text, MT940_WIDTH), strict=False):
            out.append(f"{sep}{number:02d}{chunk}")

    put(range(20, 26), line.title)
    put((32, 33), line.counterparty_name)
    put((29, 60, 61, 62, 63), line.counterparty_address or "")
    account = line.counterparty_account
    if account:
        out.append(f"{sep}{38 if account[:2].isalpha() else 31}{account}")
    return out


def render_mt940(statements: Iterable[Statement], *, separator: str = "~") -> str:
    """Polish-style MT940 (``:86:`` with ``~NN`` sub-fields, or ``^NN``), CRLF lines."""
    out: list[str] = []
    for st in statements:
        opening, closing, opened, closed = _balances(st)
        ref, _, seq = st.statement_id.partition("/")
        out += [f":20:{ref}", f":25:{st.account_iban}", f":28C:{seq or '1'}"]
        out.append(_mt_balance("60F", opening, opened, st.currency))
        for line in st.lines:
            mark = "C" if line.direction is Direction.CREDIT else "D"
            if line.reversal:
                mark = "RD" if line.direction is Direction.CREDIT else "RC"
            code = line.transaction_code if len(line.transaction_code) == 4 else "NTRF"
            out.append(
                f":61:{line.value_date:%y%m%d}{line.booking_date:%m%d}{mark}"
                f"{_mt_amount(line.amount)}{code}NONREF//{line.bank_reference}"
            )
            out += _mt_details(line, separator)
        out.append(_mt_balance("62F", closing, closed, st.currency))
        out.append("-")
    return "\r\n".join(out) + "\r\n"


# -- camt.053 ---------------------------------------------------------------------


def _x(tag: str, text: str, **attrs: str) -> str:
    attr = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<{tag}{attr}>{escape(text)}</{tag}>"


def _camt_balance(code: str, value: Decimal, day: date, cur: str) -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f"{_x('Amt', f'{abs(value):f}', Ccy=cur)}"
        f"<CdtDbtInd>{'DBIT' if value < 0 else 'CRDT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def _camt_party(line: StatementLine, v: int) -> str:
    role = "Dbtr" if line.direction is Direction.CREDIT else "Cdtr"
    party = ""
    if line.counterparty_name:
        party += _x("Nm", line.counterparty_name)
    if line.counterparty_address:
        lines = "".join(_x("AdrLine", a) for a in _chunks(line.counterparty_address, 70))
        party += f"<PstlAdr>{lines}</PstlAdr>"
    out = ""
    if party:
        out += f"<{role}><Pty>{party}</Pty></{role}>" if v >= 8 else f"<{role}>{party}</{role}>"
    account = line.counterparty_account
    if account:
        ident = (
            _x("IBAN", account) if account[:2].isalpha() else f"<Othr>{_x('Id', account)}</Othr>"
        )
        out += f"<{role}Acct><Id>{ident}</Id></{role}Acct>"
    return f"<RltdPties>{out}</RltdPties>" if out else ""


def _camt_code(code: str) -> str:
    parts = code.split("/")
    if len(parts) == 3:
        return (
            f"<BkTxCd><Domn>{_x('Cd', parts[0])}<Fmly>{_x('Cd', parts[1])}"
            f"{_x('SubFmlyCd', parts[2])}</Fmly></Domn></BkTxCd>"
        )
    return f"<BkTxCd><Prtry>{_x('Cd', code)}</Prtry></BkTxCd>" if code else ""


def _camt_entry(line: StatementLine, v: int) -> str:
    status = "<Sts><Cd>BOOK</Cd></Sts>" if v >= 8 else "<Sts>BOOK</Sts>"
    tx = _camt_party(line, v)
    if line.title:
        tx += f"<RmtInf>{''.join(_x('Ustrd', t) for t in _chunks(line.title, 140))}</RmtInf>"
    if line.returned:
        reason = f"<Rsn>{_x('Cd', line.return_reason)}</Rsn>" if line.return_reason else ""
        tx += f"<RtrInf>{reason}<AddtlInf>RETURN</AddtlInf></RtrInf>"
    return (
        f"<Ntry>{_x('Amt', f'{line.amount:f}', Ccy=line.currency)}"
        f"<CdtDbtInd>{line.direction.value}</CdtDbtInd>"
        f"{'<RvslInd>true</RvslInd>' if line.reversal else ''}{status}"
        f"<BookgDt><Dt>{line.booking_date}</Dt></BookgDt><ValDt><Dt>{line.value_date}</Dt></ValDt>"
        f"{_x('AcctSvcrRef', line.bank_reference)}{_camt_code(line.transaction_code)}"
        f"<NtryDtls><TxDtls>{tx}</TxDtls></NtryDtls></Ntry>"
    )


def render_camt053(statements: Iterable[Statement], *, version: str = "02") -> bytes:
    """A camt.053.001.<version> document (UTF-8)."""
    v = int(version)
    body = []
    for st in statements:
        opening, closing, opened, closed = _balances(st)
        body.append(
            f"<Stmt>{_x('Id', st.statement_id)}<CreDtTm>{closed}T23:59:59</CreDtTm>"
            f"<Acct><Id>{_x('IBAN', st.account_iban)}</Id>{_x('Ccy', st.currency)}</Acct>"
            f"{_camt_balance('OPBD', opening, opened, st.currency)}"
            f"{_camt_balance('CLBD', closing, closed, st.currency)}"
            + "".join(_camt_entry(line, v) for line in st.lines)
            + "</Stmt>"
        )
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>KANTOR-RENDER</MsgId><CreDtTm>2000-01-01T00:00:00</CreDtTm></GrpHdr>"
        + "".join(body)
        + "</BkToCstmrStmt></Document>\n"
    ).encode()


# -- staff CSV --------------------------------------------------------------------


def render_csv(statements: Iterable[Statement], *, delimiter: str = ";") -> str:
    """The staff CSV (``staff_csv`` documents the columns); decimal comma with ``;``."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for st in statements:
        for line in st.lines:
            amount = f"{line.amount:f}"
            values = {
                "account_iban": line.account_iban,
                "reference": line.bank_reference,
                "booking_date": line.booking_date.isoformat(),
                "direction": "C" if line.direction is Direction.CREDIT else "D",
                "amount": amount.replace(".", ",") if delimiter == ";" else amount,
                "currency": line.currency,
                "value_date": line.value_date.isoformat(),
                "counterparty_name": line.counterparty_name,
                "counterparty_address": line.counterparty_address or "",
                "counterparty_account": line.counterparty_account,
                "title": line.title,
                "statement_id": st.statement_id,
            }
            writer.writerow([values[c] for c in COLUMNS])
    return buf.getvalue()
