"""/transfer/iban and /transfer: withdrawals through the API (API-1, API-3, WD-1..4).

``POST /transfer/iban`` takes the reference's form. API-3: the destination
must be one of the caller's own defined, verified accounts in that currency
(BANK-1, BANK-2) — any other account is refused with INVALID_ACCOUNT_NUMBER
(``errorData`` ``reason``: ACCOUNT_NOT_DEFINED, ACCOUNT_NOT_VERIFIED or
ACCOUNT_CURRENCY_MISMATCH). ``dryRun=true`` answers the fee (WD-3) and checks
that the transfer could be made now; nothing is reserved.

Decisions where the reference leaves room:

* ``feeCurrency`` is the transfer's currency (WD-3 converts the PLN fee
  into it), so a USD payout answers a USD fee although the reference lists
  only EUR and PLN.
* ``faster=true`` is refused (INVALID_ARGUMENTS): the operator offers no
  express payouts, and silently sending a normal one would mislead.
* ``additionalRemittanceInformation`` is refused when given, as the
  reference says for clients it was not agreed with.
* ``recipientName`` is required and checked for form only: the money goes
  to the account holder the customer defined (BANK-1), whose name the
  payment file carries.
* ``GET /transfer`` finds only the caller's own withdrawals; another
  customer's ``transferId`` is TRANSACTION_NOT_FOUND, like an unknown one.
"""

from __future__ import annotations

import re
import uuid
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Form, Query, Router, Schema

from kantor.banking import actions
from kantor.banking.errors import BankingError
from kantor.banking.models import Withdrawal
from kantor.customers.models import ApiRole, BankAccount
from kantor.domain.money import Money, MoneyError, UnknownCurrency

from ..auth import READ, Signature, caller_customer, secured
from ..envelope import Envelope, SubmitEnvelope, ok
from ..errors import ApiError, ErrorKey
from ..formats import format_amount, format_ts
from ..idempotency import SUBMIT_ID_PATTERN, SubmitContext, SubmitForm, submit

router = Router(tags=["payout"])

_ADDRESS = re.compile(
    r"^[A-Z]{2};[A-Za-zÀ-ž0-9 _.\-]*;[A-Za-zÀ-ž0-9 _.\-]+;[A-Za-zÀ-ž0-9 _.\-]*;"
    r"[A-Za-zÀ-ž0-9 _.\-]*;[A-Za-zÀ-ž0-9 _.\-]*;[A-Za-zÀ-ž0-9 _.\-]*$"
)


class TransferIbanForm(SubmitForm):
    volume: str = Field(pattern=r"^[0-9]{1,12}([.][0-9]{2})?$", examples=["999.00"])
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    title: str = Field("", max_length=112)
    accountNumber: str = Field(max_length=50, examples=["PL71967221037685356996377436"])
    recipientName: str = Field(min_length=1, max_length=90)
    recipientAddress: str | None = Field(None, max_length=90)
    faster: bool = False
    transferCostInstruction: Literal["SENDER_VOLUME", "RECEIVER_VOLUME"]
    additionalRemittanceInformation: str | None = Field(None, max_length=106)
    transferPurpose: (
        Literal[
            "BILLS", "COMMODITY", "DONATION_ENTITY", "DONATION_PERSON", "FAMILY",
            "PREPAYMENT", "SERVICE", "PROPERTY", "OTHER",
        ]
        | None
    ) = None  # fmt: skip
    sourceOfIncome: (
        Literal[
            "SALARY", "SAVINGS", "SCHOLARSHIP", "INSURANCE", "INVESTMENTS", "DONATION",
            "BUSINESS_INCOME", "OTHER",
        ]
        | None
    ) = None  # fmt: skip


class NewTransfer(Schema):
    transferId: str = Field(description="Empty when dryRun=true.")
    feeAmount: str = Field(examples=["3.00"])
    feeCurrency: str = Field(examples=["PLN"])
    transferType: str = Field(examples=["SEPA"])


class TransferQuery(Schema):
    transferId: str | None = Field(None, min_length=36, max_length=36)
    submitId: str | None = Field(None, pattern=SUBMIT_ID_PATTERN)


class TransferStatus(Schema):
    transferId: str
    submitId: str | None = None
    responseTs: str
    transferStatus: Literal["REQUEST_RECEIVED", "SETTLED", "REJECTED", "RETURNED"]
    submittedTs: str | None = None
    settledTs: str | None = None
    returnedTs: str | None = None
    currency: str | None = None
    volume: str | None = None
    transferTitle: str | None = None
    recipientAccount: str | None = None
    recipientName: str | None = None
    returnReason: str | None = None


def _refused(error: BankingError) -> ApiError:
    data = {"reason": error.code, **error.error_data}
    return ApiError(ErrorKey(error.api_key), error.message, data)


def _checked(form: TransferIbanForm) -> tuple[Money, str]:
    if form.faster:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS, "Faster transfers are not offered.", {"faster": "true"}
        )
    if form.additionalRemittanceInformation:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "additionalRemittanceInformation is not agreed for this client.",
            {"additionalRemittanceInformation": "not allowed"},
        )
    if form.recipientAddress and not _ADDRESS.match(form.recipientAddress):
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "recipientAddress must be country;province;town;postcode;street;building;flat.",
            {"recipientAddress": form.recipientAddress},
        )
    try:
        money = Money(form.volume, form.currency.upper())
    except MoneyError as exc:
        key = (
            ErrorKey.CURRENCY_NOT_SUPPORTED
            if isinstance(exc, UnknownCurrency)
            else ErrorKey.INVALID_ARGUMENTS
        )
        raise ApiError(key, str(exc), {"currency": form.currency, "volume": form.volume}) from None
    iban = "".join(form.accountNumber.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        raise ApiError(
            ErrorKey.INVALID_ACCOUNT_NUMBER,
            "The account number must be an IBAN with its country code.",
            {"accountNumber": form.accountNumber},
        )
    return money, iban


def _own_account(customer, iban: str) -> BankAccount | None:
    """API-3, BANK-1: the caller's account with this IBAN (the actions check the rest)."""
    return BankAccount.objects.filter(customer=customer, iban=iban).first()


@router.post(
    "/transfer/iban",
    response=SubmitEnvelope[NewTransfer],
    summary="Requests new transfer from wallet where destination account number is provided "
    "in IBAN format",
    operation_id="newTransferIban",
    **secured(ApiRole.ADMIN, ApiRole.TRANSFER_IBAN, signature=Signature.REQUIRED, submitting=True),
)
def new_transfer_iban(request: HttpRequest, form: Form[TransferIbanForm]):
    """WD-1..3: withdraw to one of the caller's own verified accounts."""
    money, iban = _checked(form)
    receiver = form.transferCostInstruction == "RECEIVER_VOLUME"

    def preview(ctx: SubmitContext) -> dict:
        try:
            quote = actions.quote_withdrawal(
                ctx.customer, _own_account(ctx.customer, iban), money, receiver_volume=receiver
            )
        except BankingError as error:
            raise _refused(error) from None
        return {
            "transferId": "",
            "feeAmount": format_amount(quote.fee),
            "feeCurrency": quote.fee.currency.code,
            "transferType": quote.transfer_type,
        }

    def execute(ctx: SubmitContext) -> dict:
        try:
            payout = actions.request_withdrawal(
                ctx.customer,
                _own_account(ctx.customer, iban),
                money,
                idempotency_key=ctx.idempotency_key,
                submit_id=ctx.submit_id,
                ordered_by=ctx.ordered_by,
                title=form.title,
                receiver_volume=receiver,
            )
        except BankingError as error:
            raise _refused(error) from None
        return {
            "transferId": str(payout.transfer_id),
            "feeAmount": format_amount(payout.fee),
            "feeCurrency": payout.currency,
            "transferType": payout.transfer_type,
        }

    return submit(request, form, execute=execute, preview=preview)


@router.get(
    "/transfer",
    response=Envelope[TransferStatus],
    summary="Learn transfer status and details",
    operation_id="getTransfer",
    exclude_none=True,
    **secured(*READ, signature=Signature.REQUIRED),
)
def get_transfer(request: HttpRequest, query: Query[TransferQuery]):
    """WD-4: REQUEST_RECEIVED → SETTLED / REJECTED / RETURNED, as the reference."""
    customer = caller_customer(request)
    transfers = Withdrawal.objects.filter(customer=customer)
    if query.transferId:
        try:
            found = transfers.filter(transfer_id=uuid.UUID(query.transferId)).first()
        except ValueError:
            found = None
    elif query.submitId:
        found = transfers.filter(submit_id=query.submitId).order_by("-id").first()
    else:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "Give transferId or submitId.",
            {"transferId": "required", "submitId": "required"},
        )
    if found is None:
        raise ApiError(ErrorKey.TRANSACTION_NOT_FOUND, "No such transfer.")
    return ok(_status(found))


def _status(payout: Withdrawal) -> dict:
    result = {
        "transferId": str(payout.transfer_id),
        "submitId": payout.submit_id or None,
        "responseTs": format_ts(timezone.now()),
        "transferStatus": payout.api_status,
        "submittedTs": format_ts(payout.created_at),
        "settledTs": format_ts(payout.settled_at) if payout.settled_at else None,
        "returnedTs": format_ts(payout.returned_at) if payout.returned_at else None,
        "currency": payout.currency,
        "volume": format_amount(payout.volume),
        "transferTitle": payout.title,
        "recipientAccount": payout.destination_iban,
        "recipientName": payout.recipient_name,
    }
    if payout.api_status in ("RETURNED", "REJECTED") and payout.reason:
        result["returnReason"] = payout.reason
    return result
