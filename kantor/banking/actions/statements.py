"""Importing a bank statement file: one atomic action (DEP-2, DEP-6, WD-4).

1. The file is parsed whole (camt.053, MT940 or the staff CSV, recognised by
   content): a malformed file is refused with the line or element at fault
   and nothing is written.
2. Every statement must be of a known client account in its currency;
   otherwise the file is refused whole (``UNKNOWN_ACCOUNT``).
3. In one transaction, with the client accounts' rows locked (so that two
   imports of the same file queue up instead of racing), each entry is
   stored under its unique ``(account, bank reference)``: an entry seen before
   is counted as a duplicate and books nothing (DEP-2). A new entry is
   processed by direction:

   * incoming — a payout coming back (WD-4), else a transfer to assign,
     identify and book, hold or refund (``deposits.receive_credit``);
   * outgoing — a sent payout confirmed (WD-4), else left for staff
     (``unmatched``: a bank fee, a reversal…), booking nothing.

The summary counts each outcome; ``kantor statement import`` prints it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kantor.core import audit

from ..errors import StatementRefused
from ..models import (
    BankEntry,
    DepositStatus,
    EntryKind,
    OperatorAccount,
    PayoutKind,
    StatementImport,
)
from ..statements import (
    Statement,
    StatementError,
    StatementLine,
    parse_camt053,
    parse_csv,
    parse_mt940,
)
from .intake import receive_credit
from .payouts import match_outgoing, match_return, returned_refund_to_suspense

__all__ = ["FORMATS", "ImportSummary", "detect_format", "import_statement"]

FORMATS = {"camt053": parse_camt053, "mt940": parse_mt940, "csv": parse_csv}


@dataclass
class ImportSummary:
    import_id: int | None = None
    format: str = ""
    statements: int = 0
    entries: int = 0
    #: Credited to customers (DEP-3).
    booked: int = 0
    #: Waiting for staff (DEP-3 first transfers, DEP-5 doubts).
    waiting_for_review: int = 0
    #: Suspense (DEP-6).
    unassigned: int = 0
    #: Refused: to be refunded to the sender (DEP-4).
    refused: int = 0
    #: Seen before: nothing booked (DEP-2).
    duplicates: int = 0
    payouts_settled: int = 0
    payouts_returned: int = 0
    #: Outgoing entries matching no payout: for staff.
    unmatched: int = 0
    ignored: int = 0
    #: AML-2: above the EUR 15 000 equivalent.
    aml_flagged: int = 0
    deposit_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def detect_format(data: bytes) -> str:
    """camt.053 (XML), MT940 (SWIFT fields) or the staff CSV, by content."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt053"
    if head.startswith((b"{1:", b":20:", b"\x01")) or b"\n:20:" in head or b":60F:" in head:
        return "mt940"
    return "csv"


def _parse(data: bytes, fmt: str) -> list[Statement]:
    try:
        return FORMATS[fmt](data)
    except StatementError as exc:
        raise StatementRefused(exc.message, reason=exc.code, line=exc.line, path=exc.path) from None


def _accounts(statements: list[Statement]) -> dict[str, OperatorAccount]:
    ibans = {st.account_iban for st in statements}
    known = {a.iban: a for a in OperatorAccount.objects.filter(iban__in=ibans)}
    for st in statements:
        account = known.get(st.account_iban)
        if account is None:
            raise StatementRefused(
                f"{st.account_iban} is not a client bank account of the operator",
                reason="UNKNOWN_ACCOUNT",
                path=st.statement_id,
            )
        if account.currency != st.currency:
            raise StatementRefused(
                f"statement {st.statement_id} is in {st.currency}, "
                f"the account {account.iban} in {account.currency}",
                reason="CURRENCY_MISMATCH",
                path=st.statement_id,
            )
    return known


def import_statement(
    data: bytes,
    *,
    filename: str = "",
    fmt: str | None = None,
    acting_user=None,
    now: datetime | None = None,
) -> ImportSummary:
    """DEP-2: parse, then book every new entry in one transaction (module docstring)."""
    fmt = fmt or detect_format(data)
    if fmt not in FORMATS:
        raise StatementRefused(f"unknown format {fmt!r}", reason="UNKNOWN_FORMAT")
    statements = _parse(data, fmt)
    return _book_all(data, statements, fmt, filename, acting_user, now or timezone.now())


@transaction.atomic
def _book_all(data, statements, fmt, filename, acting_user, now) -> ImportSummary:
    known = _accounts(statements)
    list(
        OperatorAccount.objects.select_for_update()
        .filter(pk__in=sorted(a.pk for a in known.values()))
        .order_by("pk")
    )
    record = StatementImport.objects.create(
        filename=filename[:300],
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        imported_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    summary = ImportSummary(import_id=record.pk, format=fmt, statements=len(statements))
    for st in statements:
        account = known[st.account_iban]
        for line in st.lines:
            summary.entries += 1
            if BankEntry.objects.filter(
                account_iban=line.account_iban, bank_reference=line.bank_reference
            ).exists():
                summary.duplicates += 1
                continue
            _process(_store(record, account, st, line), summary, now)
    record.summary = summary.as_dict()
    record.save(update_fields=["summary"])
    audit.record(
        "statement.imported",
        acting_user=acting_user,
        obj=record,
        details={k: v for k, v in record.summary.items() if k != "deposit_ids"},
    )
    return summary


def _store(record: StatementImport, account, st: Statement, line: StatementLine) -> BankEntry:
    return BankEntry.objects.create(
        statement_import=record,
        account=account,
        account_iban=line.account_iban,
        bank_reference=line.bank_reference,
        statement_id=st.statement_id[:200],
        direction=line.direction.value,
        currency=line.currency,
        amount_minor=line.money.minor,
        booking_date=line.booking_date,
        value_date=line.value_date,
        counterparty_name=line.counterparty_name[:300],
        counterparty_address=(line.counterparty_address or "")[:300],
        counterparty_account=line.counterparty_account[:64],
        title=line.title,
        returned=line.returned,
        return_reason=(line.return_reason or "")[:100],
        reversal=line.reversal,
        transaction_code=line.transaction_code[:40],
        raw=line.raw,
        kind=EntryKind.IGNORED,
    )


_COUNTERS = {
    DepositStatus.BOOKED: "booked",
    DepositStatus.REVIEW: "waiting_for_review",
    DepositStatus.UNASSIGNED: "unassigned",
    DepositStatus.REFUND_DUE: "refused",
    DepositStatus.REFUNDING: "refused",
    DepositStatus.REFUNDED: "refused",
}


def _process(entry: BankEntry, summary: ImportSummary, now: datetime) -> None:
    if entry.amount_minor == 0:
        summary.ignored += 1
        return
    if not entry.is_credit:
        payout = match_outgoing(entry, now=now)
        entry.kind = EntryKind.PAYOUT_SETTLED if payout else EntryKind.UNMATCHED_DEBIT
        entry.save(update_fields=["kind"])
        if payout:
            summary.payouts_settled += 1
        else:
            summary.unmatched += 1
        return
    payout = match_return(entry, now=now)
    if payout is not None:
        entry.kind = EntryKind.PAYOUT_RETURNED
        entry.save(update_fields=["kind"])
        summary.payouts_returned += 1
        if payout.kind == PayoutKind.REFUND:
            deposit = returned_refund_to_suspense(payout, entry, now=now)
            summary.unassigned += 1
            summary.deposit_ids.append(deposit.pk)
        return
    entry.kind = EntryKind.DEPOSIT
    entry.save(update_fields=["kind"])
    deposit = receive_credit(entry, now=now)
    setattr(
        summary,
        _COUNTERS[DepositStatus(deposit.status)],
        getattr(summary, _COUNTERS[DepositStatus(deposit.status)]) + 1,
    )
    summary.aml_flagged += int(deposit.aml_flagged)
    summary.deposit_ids.append(deposit.pk)
