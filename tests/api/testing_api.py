"""A test-only API built with the production framework: a real submitting
endpoint (a donation booked in the real ledger) that proves ``submit``
(submitId, dryRun, duplicates, races), and endpoints that fail on purpose."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from ninja import Field, Form, Schema

from kantor.api.auth import Signature, caller_customer, secured
from kantor.api.envelope import Envelope, SubmitEnvelope, ok
from kantor.api.errors import ApiError, ErrorKey
from kantor.api.framework import make_api
from kantor.api.idempotency import SubmitContext, SubmitForm, submit
from kantor.customers.models import ApiRole
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind
from kantor.ledger.operations import Operation
from kantor.ledger.posting import Posting, credit, debit, post
from kantor.ledger.queries import customer_balance

api = make_api(title="test", version="test", namespace="api-test", description="tests only")

#: Called inside the operation, after the Submission row is written (race tests).
before_execute: list[Callable[[], None]] = []


class DonationForm(SubmitForm):
    currency: str
    volume: str = Field(pattern=r"^[0-9]{1,12}([.][0-9]{2})?$")


class DonationResult(Schema):
    transferId: str
    feeAmount: str
    feeCurrency: str


@api.post(
    "/donate",
    response=SubmitEnvelope[DonationResult],
    **secured(
        ApiRole.ADMIN,
        ApiRole.TRANSFER_INTERNAL,
        signature=Signature.UNLESS_DRY_RUN,
        submitting=True,
    ),
)
def donate(request: HttpRequest, form: Form[DonationForm]):
    customer = caller_customer(request)
    money = Money(form.volume, form.currency)

    def preview(ctx: SubmitContext) -> dict:
        if customer_balance(customer, money.currency.code).available < money:
            raise ApiError(ErrorKey.INSUFFICIENT_FUNDS)
        return {"transferId": "", "feeAmount": "0.00", "feeCurrency": money.currency.code}

    def execute(ctx: SubmitContext) -> dict:
        for hook in before_execute:
            hook()
        tx = post(
            Posting(
                idempotency_key=ctx.idempotency_key,
                kind="test_donation",
                entries=[
                    debit(
                        accounts.available(customer, money.currency.code), money, Operation.OTHER
                    ),
                    credit(
                        accounts.operator_account(AccountKind.FEE_INCOME, money.currency.code),
                        money,
                    ),
                ],
                submit_id=ctx.submit_id,
                ordered_by=ctx.ordered_by,
                details={"title": "donation"},
            )
        )
        return {"transferId": str(tx.pk), "feeAmount": "0.00", "feeCurrency": money.currency.code}

    return submit(request, form, execute=execute, preview=preview)


class Nothing(Schema):
    pass


@api.get("/boom", response=Envelope[Nothing], **secured(ApiRole.ADMIN, ApiRole.READER))
def boom(request: HttpRequest):
    raise RuntimeError("an internal error the client must never see")


@api.get("/undeclared", response=Envelope[Nothing])
def undeclared(request: HttpRequest):
    return ok({})
