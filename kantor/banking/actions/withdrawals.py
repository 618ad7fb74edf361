"""Withdrawals (WD-1..3), returns to the source account (WD-5) and AML holds (WD-2).

``request_withdrawal`` is the one way a customer's money is ordered out,
whatever the channel (API ``/transfer/iban``, panel, staff CLI): it refuses
with a coded ``BankingError`` or reserves the amount and queues the payout
for the next payment file (``export_payouts``). It runs in the caller's
transaction (plain ``atomic``): the API's ``submit`` wraps it.

Refusals (WD-1, WD-2), each with its code:

* ``ACCOUNT_NOT_DEFINED`` / ``ACCOUNT_CURRENCY_MISMATCH`` /
  ``ACCOUNT_NOT_VERIFIED`` — only to one of the customer's own, active,
  verified (BANK-2) accounts in the same currency (BANK-1);
* ``CUSTOMER_INACTIVE`` — a suspended or terminated customer;
* ``AML_HOLD`` — compliance holds the customer's payouts;
* ``INSUFFICIENT_FUNDS`` — more than the available balance (reserved funds
  are not available, MON-5); decided by the ledger under row locks, so two
  simultaneous withdrawals of the same money cannot both pass;
* ``AMOUNT_TOO_SMALL`` — the WD-3 fee would leave nothing to pay out;
* ``CURRENCY_NOT_SUPPORTED``, ``NO_RATE_FOR_PAIR``, ``FEE_NOT_CONFIGURED``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from kantor.core import audit
from kantor.customers.models import BankAccount, Customer
from kantor.domain.money import Money
from kantor.ledger.posting import InsufficientFunds, post
from kantor.ledger.queries import customer_balance

from .. import postings
from ..aml import check_threshold
from ..errors import BankingError, Code
from ..models import (
    CustomerHold,
    Deposit,
    DepositStatus,
    OperatorAccount,
    Payout,
    PayoutKind,
    Withdrawal,
)
from ..pain001 import transfer_type
from ..queries import active_hold, operator_account, withdrawal_fee_for
from ._common import clean_reason, locked

__all__ = [
    "WithdrawalQuote",
    "place_hold",
    "quote_withdrawal",
    "release_hold",
    "request_withdrawal",
    "return_to_source",
]


@dataclass(frozen=True)
class WithdrawalQuote:
    """What a withdrawal would do (the API's dryRun answer)."""

    volume: Money
    #: Taken from the available balance.
    amount: Money
    fee: Money
    #: Paid out to the account.
    net: Money
    transfer_type: str
    operator_account: OperatorAccount


def _check_customer(customer: Customer) -> None:
    if not customer.can_trade:
        raise BankingError(
            f"the account is {customer.status}: payouts are stopped",
            code=Code.CUSTOMER_INACTIVE,
            error_data={"status": customer.status},
        )
    if active_hold(customer) is not None:
        raise BankingError("payouts are held by compliance; contact support", code=Code.AML_HOLD)


def _check_account(customer: Customer, account: BankAccount | None, money: Money) -> BankAccount:
    if account is None or account.customer_id != customer.pk or not account.is_active:
        raise BankingError(
            "payouts go only to the customer's own defined accounts",
            code=Code.ACCOUNT_NOT_DEFINED,
        )
    if account.currency != money.currency.code:
        raise BankingError(
            f"the account {account.iban} is defined for {account.currency}",
            code=Code.ACCOUNT_CURRENCY_MISMATCH,
            error_data={"accountCurrency": account.currency},
        )
    if not account.verified:
        raise BankingError(
            "the account is not verified yet: its first deposit must pass identification",
            code=Code.ACCOUNT_NOT_VERIFIED,
        )
    return account


def quote_withdrawal(
    customer: Customer,
    bank_account: BankAccount | None,
    money: Money,
    *,
    receiver_volume: bool = False,
    charge_fee: bool = True,
    check_funds: bool = True,
) -> WithdrawalQuote:
    """WD-1..3 without writing anything: the fee and what would be paid out.

    ``receiver_volume`` (the reference's RECEIVER_VOLUME): the account gets
    ``money`` and the fee comes on top; otherwise (SENDER_VOLUME, WD-3) the
    fee is deducted from the amount paid out.
    """
    if not money.is_positive:
        raise BankingError("the amount must be positive", code=Code.INVALID_AMOUNT)
    _check_customer(customer)
    account = _check_account(customer, bank_account, money)
    debtor = operator_account(money.currency.code)
    fee = withdrawal_fee_for(account.iban, money) if charge_fee else Money.zero(money.currency)
    amount, net = (money + fee, money) if receiver_volume else (money, money - fee)
    if not net.is_positive:
        raise BankingError(
            f"the fee {fee} leaves nothing to pay out",
            code=Code.AMOUNT_TOO_SMALL,
            error_data={"fee": str(fee)},
        )
    if check_funds:
        available = customer_balance(customer, money.currency.code).available
        if available < amount:
            raise _insufficient(available)
    return WithdrawalQuote(
        money, amount, fee, net, transfer_type(money.currency.code, account.iban), debtor
    )


def _insufficient(available: Money) -> BankingError:
    return BankingError(
        f"the available balance is {available}",
        code=Code.INSUFFICIENT_FUNDS,
        error_data={"walletBalance": str(available)},
    )


def _existing(idempotency_key: str, customer: Customer) -> Withdrawal | None:
    found = Withdrawal.objects.filter(idempotency_key=idempotency_key).first()
    if found is not None and found.customer_id != customer.pk:
        raise BankingError("this idempotency key was used before", code=Code.IDEMPOTENCY_CONFLICT)
    return found


def _create(
    kind: PayoutKind,
    customer: Customer,
    account: BankAccount,
    quote: WithdrawalQuote,
    *,
    idempotency_key: str,
    title: str,
    submit_id: str,
    ordered_by: str,
    acting_user,
    deposit: Deposit | None = None,
) -> Withdrawal:
    aml = check_threshold(quote.amount, timezone.now())
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                kind=kind,
                customer=customer,
                bank_account=account,
                deposit=deposit,
                operator_account=quote.operator_account,
                currency=quote.volume.currency.code,
                volume_minor=quote.volume.minor,
                amount_minor=quote.amount.minor,
                fee_minor=quote.fee.minor,
                destination_iban=account.iban,
                destination_bic=account.bic,
                recipient_name=account.holder_name[:140],
                recipient_address=_customer_address(customer)[:140],
                title=" ".join(title.split())[:140],
                transfer_type=quote.transfer_type,
                idempotency_key=idempotency_key,
                submit_id=submit_id,
                ordered_by=ordered_by,
                aml_flagged=aml.flagged,
                aml_eur_amount=aml.eur,
                created_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
            post(postings.payout_reserved(payout))
    except IntegrityError:
        found = _existing(idempotency_key, customer)
        if found is None:
            raise
        return found
    except InsufficientFunds as exc:
        raise _insufficient(exc.available) from None
    audit.record(
        f"payout.{kind}",
        acting_user=acting_user,
        obj=payout,
        details={
            "customer_id": customer.pk,
            "amount": str(quote.amount),
            "fee": str(quote.fee),
            "account": account.iban,
            "aml_flagged": aml.flagged,
        },
    )
    return Withdrawal.objects.get(pk=payout.pk)


def _customer_address(customer: Customer) -> str:
    return ", ".join(
        p for p in (customer.street, f"{customer.postal_code} {customer.city}".strip()) if p
    )


@transaction.atomic
def request_withdrawal(
    customer: Customer,
    bank_account: BankAccount,
    money: Money,
    *,
    idempotency_key: str,
    submit_id: str = "",
    ordered_by: str = "",
    acting_user=None,
    title: str = "",
    receiver_volume: bool = False,
) -> Withdrawal:
    """WD-1..3: reserve ``money`` and queue its payout to ``bank_account``.

    The same ``idempotency_key`` again returns the first withdrawal (nothing
    new is booked). Refusals: see the module docstring.
    """
    if not idempotency_key:
        raise BankingError("an idempotency key is required", code=Code.IDEMPOTENCY_CONFLICT)
    if (found := _existing(idempotency_key, customer)) is not None:
        return found
    quote = quote_withdrawal(
        customer, bank_account, money, receiver_volume=receiver_volume, check_funds=False
    )
    return _create(
        PayoutKind.WITHDRAWAL,
        customer,
        bank_account,
        quote,
        idempotency_key=idempotency_key,
        title=title,
        submit_id=submit_id,
        ordered_by=ordered_by,
        acting_user=acting_user,
    )


@transaction.atomic
def return_to_source(
    customer: Customer,
    money: Money,
    *,
    deposit_id: int,
    idempotency_key: str,
    reason: str = "",
    charge_fee: bool = True,
    acting_user=None,
) -> Withdrawal:
    """WD-5: an order cancelled before its funds were exchanged: the funds, already
    back in the customer's available balance, go to the account they came from.

    ``deposit_id`` is the booked deposit that funded the order
    (``BookedDeposit.deposit_id``). The usual refusals apply (an AML hold, a
    suspended customer, insufficient funds): the funds then simply stay
    available. ``charge_fee``: the WD-3 fee is deducted like for any payout
    (the terms' "less the costs of returning"); a flow may waive it.
    """
    if not idempotency_key:
        raise BankingError("an idempotency key is required", code=Code.IDEMPOTENCY_CONFLICT)
    if (found := _existing(idempotency_key, customer)) is not None:
        return found
    deposit = (
        Deposit.objects.filter(pk=deposit_id, customer=customer, status=DepositStatus.BOOKED)
        .select_related("sender_account")
        .first()
    )
    if deposit is None:
        raise BankingError(f"no booked deposit #{deposit_id} of this customer", code=Code.NOT_FOUND)
    if deposit.sender_account is None:
        raise BankingError("the deposit came from no defined account", code=Code.NO_SENDER_ACCOUNT)
    if deposit.currency != money.currency.code:
        raise BankingError(
            f"the deposit was in {deposit.currency}", code=Code.ACCOUNT_CURRENCY_MISMATCH
        )
    quote = quote_withdrawal(
        customer, deposit.sender_account, money, charge_fee=charge_fee, check_funds=False
    )
    title = clean_reason(reason, required=False) or f"ZWROT SRODKOW {deposit.entry.bank_reference}"
    return _create(
        PayoutKind.RETURN_TO_SOURCE,
        customer,
        deposit.sender_account,
        quote,
        idempotency_key=idempotency_key,
        title=title,
        submit_id="",
        ordered_by="system",
        acting_user=acting_user,
        deposit=deposit,
    )


@transaction.atomic
def place_hold(customer: Customer, *, acting_user, reason: str) -> CustomerHold:
    """WD-2, AML-3: stop the customer's payouts until compliance releases them."""
    reason = clean_reason(reason)
    customer = locked(customer)
    hold = active_hold(customer)
    if hold is None:
        hold = CustomerHold.objects.create(
            customer=customer,
            reason=reason,
            placed_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
    audit.record(
        "payout_hold.placed",
        acting_user=acting_user,
        obj=hold,
        details={"customer_id": customer.pk, "reason": reason},
    )
    return hold


@transaction.atomic
def release_hold(customer: Customer, *, acting_user, reason: str) -> CustomerHold:
    """WD-2: compliance lets the customer's payouts go again."""
    reason = clean_reason(reason)
    customer = locked(customer)
    hold = active_hold(customer)
    if hold is None:
        raise BankingError("the customer has no active hold", code=Code.INVALID_STATE)
    CustomerHold.objects.filter(customer=customer, released_at__isnull=True).update(
        released_at=timezone.now(),
        released_by=acting_user if getattr(acting_user, "pk", None) else None,
        release_reason=reason,
    )
    hold.refresh_from_db()
    audit.record(
        "payout_hold.released",
        acting_user=acting_user,
        obj=hold,
        details={"customer_id": customer.pk, "reason": reason},
    )
    return hold
