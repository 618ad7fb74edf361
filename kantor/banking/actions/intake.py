"""Incoming transfers as they arrive: assignment, identification, booking (DEP-2..4, DEP-6).

``receive_credit`` runs inside the statement import for each new incoming
entry. The helpers here (``apply_verdict``, ``book``, ``offer``,
``issue_refund``) are shared with the staff decisions
(``kantor.banking.actions.deposits``): a transfer assigned by staff goes
through the same steps as one assigned by its title.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kantor.customers.models import BankAccount, Customer
from kantor.domain.calendar import business_days_deadline
from kantor.ledger.models import AccountKind
from kantor.ledger.posting import post

from .. import hooks, postings
from ..aml import check_threshold
from ..conf import refund_business_days
from ..errors import BankingError, Code
from ..identification import Verdict, assign, customer_identity, identify
from ..models import BankEntry, Deposit, DepositStatus, Payout, PayoutKind
from ..queries import withdrawal_fee_for
from ._common import at, booking_moment

__all__ = ["HELD_IN", "apply_verdict", "book", "issue_refund", "offer", "receive_credit", "verdict"]

log = logging.getLogger("kantor.banking")

#: Where a deposit's money is held, by status (None: not held by the operator).
HELD_IN = {
    DepositStatus.REVIEW: AccountKind.PENDING_DEPOSITS,
    DepositStatus.UNASSIGNED: AccountKind.SUSPENSE,
    DepositStatus.REFUND_DUE: AccountKind.REFUNDS_PAYABLE,
}


def _deposit_title_owner(title: str) -> int | None:
    return Customer.objects.filter(deposit_title=title).values_list("pk", flat=True).first()


def _other_title_owner(title: str) -> int | None:
    owner = hooks.resolve_title(title)
    return owner.customer_id if owner is not None else None


def _account_owners(iban: str) -> list[int]:
    return list(
        BankAccount.objects.filter(iban=iban, is_active=True).values_list("customer_id", flat=True)
    )


def receive_credit(entry: BankEntry, *, now: datetime) -> Deposit:
    """DEP-2: an incoming transfer: assign it, identify the sender, book or hold it."""
    deposit = Deposit.objects.create(
        entry=entry,
        currency=entry.currency,
        amount_minor=entry.amount_minor,
        received_at=booking_moment(entry, now),
        status=DepositStatus.UNASSIGNED,
    )
    aml = check_threshold(deposit.money, deposit.received_at)
    deposit.aml_flagged, deposit.aml_eur_amount = aml.flagged, aml.eur
    found = assign(
        entry.title,
        entry.counterparty_account,
        deposit_title_owner=_deposit_title_owner,
        resolve_other_title=_other_title_owner,
        account_owners=_account_owners,
    )
    deposit.titles = list(found.titles)
    if found.customer_id is None:
        deposit.review_reason = found.reason
        deposit.save()
        post(at(postings.deposit_received(deposit, AccountKind.SUSPENSE), now))
        return deposit
    deposit.customer = Customer.objects.get(pk=found.customer_id)
    deposit.assigned_by = found.via
    apply_verdict(deposit, verdict(deposit), held_in=None, now=now, acting_user=None)
    return deposit


def verdict(deposit: Deposit) -> Verdict:
    """DEP-3: identify the sender against the assigned customer (``identification.identify``)."""
    entry, customer = deposit.entry, deposit.customer
    sender = entry.counterparty_account
    account = (
        BankAccount.objects.filter(customer=customer, iban=sender, is_active=True).first()
        if sender
        else None
    )
    deposit.sender_account = account
    result = identify(
        identity=customer_identity(customer),
        in_service=customer.can_trade,
        sender_name=entry.counterparty_name,
        sender_address=entry.counterparty_address or None,
        sender_account=sender,
        account_defined=account is not None,
        account_verified=account is not None and account.verified,
    )
    if result.match is not None:
        deposit.match_decision = str(result.match.decision)
        deposit.match_reasons = [str(r) for r in result.match.reasons]
    return result


def apply_verdict(
    deposit: Deposit,
    verdict: Verdict,
    *,
    held_in: AccountKind | None,
    now: datetime,
    acting_user,
) -> None:
    """Move the money where the verdict says; ``held_in`` None: fresh from the bank."""
    deposit.review_reason = verdict.reason
    if verdict.status == DepositStatus.BOOKED:
        book(deposit, held_in=held_in, now=now, acting_user=acting_user)
        return
    target = (
        AccountKind.PENDING_DEPOSITS
        if verdict.status == DepositStatus.REVIEW
        else AccountKind.REFUNDS_PAYABLE
    )
    deposit.status = verdict.status
    if verdict.status == DepositStatus.REFUND_DUE:
        deposit.refund_deadline = business_days_deadline(
            deposit.received_at, refund_business_days()
        )
    deposit.save()
    if held_in is None:
        post(at(postings.deposit_received(deposit, target), now))
    elif held_in != target:
        step = "held" if target == AccountKind.PENDING_DEPOSITS else "refund"
        post(
            at(
                postings.deposit_moved(
                    deposit, held_in, target, step=step, acting_user=acting_user
                ),
                now,
            )
        )
    if verdict.status == DepositStatus.REFUND_DUE:
        issue_refund(deposit, acting_user=acting_user)


def book(deposit: Deposit, *, held_in: AccountKind | None, now: datetime, acting_user) -> None:
    """DEP-3: credit the customer's available balance, then offer it to the hooks."""
    deposit.status = DepositStatus.BOOKED
    deposit.booked_at = now
    deposit.save()
    if held_in is None:
        post(at(postings.deposit_received(deposit, None), now))
    else:
        post(
            at(
                postings.deposit_moved(
                    deposit, held_in, None, step="booked", acting_user=acting_user
                ),
                now,
            )
        )
    offer(deposit)


def offer(deposit: Deposit) -> None:
    """Hand the booked money to other contexts (``hooks.deposit_booked``), same transaction.

    A failing handler must not lose the import: its work is rolled back to a
    savepoint, the money stays available to the customer, and the error is
    kept on the deposit for staff (``kantor deposits reoffer`` retries).
    """
    booked = hooks.BookedDeposit(
        deposit_id=deposit.pk,
        customer_id=deposit.customer_id,
        money=deposit.money,
        description=deposit.entry.title,
        titles=tuple(deposit.titles),
        booked_at=deposit.received_at,
        sender_account_id=deposit.sender_account_id,
        details=postings.payin_details(deposit),
    )
    try:
        with transaction.atomic():
            claimed = hooks.deposit_booked(booked)
    except Exception as exc:  # another context's handler: contained, logged, kept for staff
        log.exception("deposit handler failed for deposit %s", deposit.pk)
        deposit.hook_error = f"{type(exc).__name__}: {exc}"[:2000]
        deposit.save(update_fields=["hook_error"])
        return
    deposit.claimed_by = claimed or ""
    deposit.hook_error = ""
    deposit.save(update_fields=["claimed_by", "hook_error"])


def issue_refund(
    deposit: Deposit, *, acting_user, destination_iban: str = "", recipient_name: str = ""
) -> Payout | None:
    """DEP-4: queue the refund to the sender's account, less the cost of sending it.

    The cost is the WD-3 fee for the destination bank and currency (the table
    is the operator's cost of an interbank transfer, ``002`` §29.2); when no
    cost can be computed (no rate, no row, or a fee table the lookup cannot
    use) the refund is sent whole: a statement import never fails on the
    table. When the cost is not less than the amount, nothing can be sent and
    the amount covers it.
    """
    entry = deposit.entry
    iban = destination_iban or entry.counterparty_account
    if not iban:
        raise BankingError(
            "the bank gave no sender account: name the account to refund to",
            code=Code.NO_SENDER_ACCOUNT,
        )
    money = deposit.money
    try:
        cost = withdrawal_fee_for(iban, money, deposit.received_at)
    except BankingError:
        cost = money.zero(money.currency)
    if cost >= money:
        post(postings.refund_cost_kept(deposit, money, acting_user=acting_user))
        deposit.status = DepositStatus.REFUNDED
        deposit.save()
        return None
    attempt = Payout.objects.filter(deposit=deposit, kind=PayoutKind.REFUND).count() + 1
    aml = check_threshold(money, timezone.now())
    payout = Payout.objects.create(
        kind=PayoutKind.REFUND,
        deposit=deposit,
        operator_account=entry.account,  # back from the account the money is on
        currency=deposit.currency,
        volume_minor=money.minor,
        amount_minor=money.minor,
        fee_minor=cost.minor,
        destination_iban=iban,
        recipient_name=(recipient_name or entry.counterparty_name or "?")[:140],
        recipient_address=(entry.counterparty_address or "")[:140],
        title=f"ZWROT WPLATY Z {entry.booking_date:%d.%m.%Y}",
        idempotency_key=f"refund:{deposit.pk}:{attempt}",
        aml_flagged=aml.flagged,
        aml_eur_amount=aml.eur,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    deposit.status = DepositStatus.REFUNDING
    deposit.save()
    return payout
