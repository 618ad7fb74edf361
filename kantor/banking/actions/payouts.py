"""Payout files, and what later statements say about payouts (WD-4).

``export_payouts`` puts every received payout of a currency into one
ISO 20022 pain.001 file and marks them sent. A later statement confirms each
one (an outgoing entry: settled) or returns it (an incoming entry flagged as
a return, or naming our reference ``WD-000123``): the customer is credited
back. Staff can reject a payout (before or after sending) or enter a return
the statement does not show (yet).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kantor.core import audit
from kantor.ledger.models import AccountKind
from kantor.ledger.posting import post, post_batch

from .. import postings
from ..errors import BankingError, Code
from ..models import (
    CUSTOMER_KINDS,
    BankEntry,
    CustomerHold,
    Deposit,
    DepositStatus,
    EntryKind,
    Payout,
    PayoutBatch,
    PayoutKind,
    PayoutStatus,
    ReviewReason,
)
from ..pain001 import render_pain001
from ._common import at, clean_reason, locked, require_status

__all__ = [
    "book_bank_fee",
    "export_payouts",
    "mark_payout_returned",
    "match_outgoing",
    "match_return",
    "reject_payout",
    "settle_payout",
]

_REFERENCE = re.compile(r"WD[\s-]*(\d{6,12})")


def _referenced(entry: BankEntry, *statuses: str) -> list[Payout]:
    ids = [int(m[1]) for m in _REFERENCE.finditer(entry.title.upper())]
    if not ids:
        return []
    return list(
        Payout.objects.select_for_update()
        .filter(pk__in=ids, currency=entry.currency, status__in=statuses)
        .order_by("pk")
    )


# -- export -----------------------------------------------------------------------


@transaction.atomic
def export_payouts(
    *, currency: str | None = None, acting_user=None, now: datetime | None = None
) -> list[PayoutBatch]:
    """WD-4: one pain.001 file per currency with every received payout; all marked sent.

    Payouts of a customer under an AML hold stay queued (WD-2). The files are
    kept in the database (``PayoutBatch.content``); the CLI writes them out
    after the transaction commits, and can write a batch again.
    """
    now = now or timezone.now()
    held = CustomerHold.objects.filter(released_at__isnull=True).values("customer_id")
    queued = (
        Payout.objects.select_for_update()
        .filter(status=PayoutStatus.REQUEST_RECEIVED)
        .exclude(kind__in=CUSTOMER_KINDS, customer_id__in=held)
        .select_related("operator_account")
        .order_by("pk")
    )
    if currency:
        queued = queued.filter(currency=currency.upper())
    groups: dict[tuple[str, int], list[Payout]] = defaultdict(list)
    for payout in queued:
        groups[(payout.currency, payout.operator_account_id)].append(payout)
    batches = []
    for (cur, _account), payouts in sorted(groups.items()):
        account = payouts[0].operator_account
        batch = PayoutBatch.objects.create(
            operator_account=account,
            currency=cur,
            message_id=f"pending-{now.timestamp()}-{cur}-{account.pk}"[:35],
            file_name="",
            content="",
            sha256="",
            payout_count=len(payouts),
            total_minor=sum(p.net_minor for p in payouts),
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        batch.message_id = f"KANTOR{now:%Y%m%d%H%M%S}B{batch.pk}"[:35]
        batch.file_name = f"pain001-{now:%Y%m%d-%H%M%S}-{cur}-{batch.pk}.xml"
        batch.content = render_pain001(batch.message_id, account, payouts, created_at=now)
        batch.sha256 = hashlib.sha256(batch.content.encode()).hexdigest()
        batch.save()
        post_batch([postings.payout_sent(p, acting_user=acting_user) for p in payouts])
        Payout.objects.filter(pk__in=[p.pk for p in payouts]).update(
            status=PayoutStatus.SENT, sent_at=now, batch=batch
        )
        audit.record(
            "payouts.exported",
            acting_user=acting_user,
            obj=batch,
            details={"currency": cur, "count": len(payouts), "total": str(batch.total)},
        )
        batches.append(batch)
    return batches


# -- what statements say ------------------------------------------------------------


def _settle(payout: Payout, entry: BankEntry | None, now: datetime, acting_user=None) -> None:
    post(at(postings.payout_settled(payout, entry, acting_user=acting_user), now))
    payout.status = PayoutStatus.SETTLED
    payout.settled_at = now
    payout.settlement_entry = entry
    payout.save(update_fields=["status", "settled_at", "settlement_entry"])
    if payout.kind == PayoutKind.REFUND and payout.deposit_id:
        Deposit.objects.filter(pk=payout.deposit_id, status=DepositStatus.REFUNDING).update(
            status=DepositStatus.REFUNDED
        )


def match_outgoing(entry: BankEntry, *, now: datetime) -> Payout | None:
    """WD-4: an outgoing entry confirms a sent payout (by reference, else by a unique
    match of currency, amount and destination); None when nothing matches."""
    candidates = [
        p for p in _referenced(entry, PayoutStatus.SENT) if p.net_minor == entry.amount_minor
    ]
    if not candidates and entry.counterparty_account:
        candidates = list(
            Payout.objects.select_for_update()
            .annotate(net=F("amount_minor") - F("fee_minor"))
            .filter(
                status=PayoutStatus.SENT,
                currency=entry.currency,
                destination_iban=entry.counterparty_account,
                net=entry.amount_minor,
            )
            .order_by("pk")[:2]
        )
    if len(candidates) != 1:
        return None
    payout = candidates[0]
    _settle(payout, entry, now)
    return payout


def _comes_back_from(payout: Payout, entry: BankEntry) -> bool:
    """A return comes from the account the payout went to, or is flagged by the bank.

    Quoting a payout's reference is not enough: anyone can write ``WD-000123``
    in a title, and such a transfer must go through identification (DEP-3) as
    the deposit it is, not be credited to the payout's customer.
    """
    if entry.counterparty_account:
        return _compact(entry.counterparty_account) == _compact(payout.destination_iban)
    return bool(entry.returned)


def _compact(account: str) -> str:
    return "".join(account.split()).upper()


def match_return(entry: BankEntry, *, now: datetime) -> Payout | None:
    """WD-4: an incoming entry that brings a payout back (reference or a flagged return)."""
    open_states = (PayoutStatus.SENT, PayoutStatus.SETTLED, PayoutStatus.RETURNED)
    candidates = _referenced(entry, *open_states)
    if not candidates and entry.returned and entry.counterparty_account:
        candidates = list(
            Payout.objects.select_for_update()
            .filter(
                status__in=(PayoutStatus.SENT, PayoutStatus.SETTLED),
                currency=entry.currency,
                destination_iban=entry.counterparty_account,
                return_entry__isnull=True,
            )
            .order_by("pk")[:2]
        )
    candidates = [
        p
        for p in candidates
        if p.return_entry_id is None
        and entry.amount_minor <= p.net_minor
        and _comes_back_from(p, entry)
    ]
    if len(candidates) != 1:
        return None
    payout = candidates[0]
    if payout.status == PayoutStatus.RETURNED:
        if payout.kind == PayoutKind.REFUND:
            return None  # a refund's return is money for the suspense queue
        # Staff entered this return before the statement showed it: just link it.
        payout.return_entry = entry
        payout.save(update_fields=["return_entry"])
        return payout
    if payout.status == PayoutStatus.SENT:
        _settle(payout, None, now)  # the debit was not recognised; the return proves it
    payout.status = PayoutStatus.RETURNED
    payout.returned_at = now
    payout.return_entry = entry
    payout.return_reason_code = (entry.return_reason or "")[:20]
    payout.reason = entry.title[:1000]
    payout.save()
    if payout.kind == PayoutKind.REFUND:
        return payout  # the caller books the money as an unassigned transfer (DEP-6)
    post(at(postings.payout_returned(payout, entry.money, acting_user=None), now))
    return payout


# -- staff ------------------------------------------------------------------------


@transaction.atomic
def reject_payout(payout: Payout, *, acting_user, reason: str) -> Payout:
    """WD-4: a payout that will not be (or was not) executed: the money comes back —
    to the customer's available balance, or a refund to refunds payable (DEP-4)."""
    reason = clean_reason(reason)
    payout = locked(payout)
    require_status(payout, PayoutStatus.REQUEST_RECEIVED, PayoutStatus.SENT)
    payout.reason = reason
    if payout.status == PayoutStatus.SENT:
        post(postings.payout_unsent(payout, acting_user=acting_user))
    if payout.kind in CUSTOMER_KINDS:
        post(postings.payout_released(payout, acting_user=acting_user))
    payout.status = PayoutStatus.REJECTED
    payout.rejected_at = timezone.now()
    payout.save(update_fields=["status", "rejected_at", "reason"])
    if payout.kind == PayoutKind.REFUND and payout.deposit_id:
        Deposit.objects.filter(pk=payout.deposit_id).update(status=DepositStatus.REFUND_DUE)
    audit.record(
        "payout.rejected",
        acting_user=acting_user,
        obj=payout,
        details={"reason": reason, "amount": str(payout.amount), "kind": payout.kind},
    )
    return payout


@transaction.atomic
def mark_payout_returned(
    payout: Payout, *, acting_user, reason: str, reason_code: str = ""
) -> Payout:
    """WD-4: staff enter a return (e.g. from the bank's notice) before a statement shows it.

    The whole net amount is credited back. A refund's return (DEP-4) is money
    of somebody who is not a customer: enter it as a statement line (staff
    CSV) instead, so that it lands in the suspense queue.
    """
    reason = clean_reason(reason)
    payout = locked(payout)
    require_status(payout, PayoutStatus.SENT, PayoutStatus.SETTLED)
    if payout.kind not in CUSTOMER_KINDS:
        raise BankingError(
            "a refund's return is entered as a statement line (kantor statement import)",
            code=Code.INVALID_STATE,
        )
    now = timezone.now()
    if payout.status == PayoutStatus.SENT:
        _settle(payout, None, now, acting_user)
    payout.status = PayoutStatus.RETURNED
    payout.returned_at = now
    payout.reason = reason
    payout.return_reason_code = reason_code[:20]
    payout.save()
    post(postings.payout_returned(payout, payout.net, acting_user=acting_user))
    audit.record(
        "payout.returned",
        acting_user=acting_user,
        obj=payout,
        details={"reason": reason, "code": reason_code, "amount": str(payout.net)},
    )
    return payout


@transaction.atomic
def settle_payout(payout: Payout, entry: BankEntry, *, acting_user, reason: str) -> Payout:
    """WD-4: staff recognise an unmatched outgoing entry as a sent payout (a bank that
    mangled our reference): the payout is settled by it."""
    reason = clean_reason(reason)
    payout, entry = locked(payout), locked(entry)
    require_status(payout, PayoutStatus.SENT)
    if (
        entry.kind != EntryKind.UNMATCHED_DEBIT
        or entry.resolved_at is not None
        or (entry.currency, entry.amount_minor) != (payout.currency, payout.net_minor)
    ):
        raise BankingError(
            f"{entry} is not an unresolved outgoing entry of {payout.net}",
            code=Code.INVALID_STATE,
        )
    _settle(payout, entry, timezone.now(), acting_user)
    entry.kind = EntryKind.PAYOUT_SETTLED
    entry.resolved_at = timezone.now()
    entry.resolved_by = acting_user if getattr(acting_user, "pk", None) else None
    entry.save(update_fields=["kind", "resolved_at", "resolved_by"])
    audit.record(
        "payout.settled",
        acting_user=acting_user,
        obj=payout,
        details={"reason": reason, "entry": entry.bank_reference},
    )
    return payout


@transaction.atomic
def book_bank_fee(entry: BankEntry, *, acting_user, reason: str) -> BankEntry:
    """An unmatched outgoing entry that staff recognise as the bank's charge."""
    reason = clean_reason(reason)
    entry = locked(entry)
    if entry.kind != EntryKind.UNMATCHED_DEBIT or entry.resolved_at is not None:
        raise BankingError(f"{entry} is not an unresolved outgoing entry", code=Code.INVALID_STATE)
    post(postings.bank_fee(entry, acting_user=acting_user))
    entry.kind = EntryKind.BANK_FEE
    entry.resolved_at = timezone.now()
    entry.resolved_by = acting_user if getattr(acting_user, "pk", None) else None
    entry.save(update_fields=["kind", "resolved_at", "resolved_by"])
    audit.record(
        "bank_entry.fee",
        acting_user=acting_user,
        obj=entry,
        details={"reason": reason, "amount": str(entry.money)},
    )
    return entry


def returned_refund_to_suspense(payout: Payout, entry: BankEntry, *, now: datetime) -> Deposit:
    """DEP-6: a refund that came back is an unassigned transfer for staff."""
    deposit = Deposit.objects.create(
        entry=entry,
        currency=entry.currency,
        amount_minor=entry.amount_minor,
        received_at=now,
        status=DepositStatus.UNASSIGNED,
        review_reason=ReviewReason.RETURNED_REFUND,
        decision_reason=f"returned refund {payout.reference} of deposit #{payout.deposit_id}",
    )
    post(at(postings.deposit_received(deposit, AccountKind.SUSPENSE), now))
    if payout.deposit_id:
        Deposit.objects.filter(pk=payout.deposit_id, status=DepositStatus.REFUNDING).update(
            status=DepositStatus.REFUNDED
        )
    return deposit
