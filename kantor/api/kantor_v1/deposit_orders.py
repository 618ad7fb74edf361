"""/deposit_orders/*: exchange on deposit (API-4; FX-2, MKT-11), Walutomat's conventions.

    POST /deposit_orders                     create: pair, direction, amount, payout account
    GET  /deposit_orders                     the customer's orders, newest first
    GET  /deposit_orders/{orderId}           one order
    POST /deposit_orders/{orderId}/cancel    cancel before the transfer arrives

The answer carries the deposit instructions: the operator's account and the
order's own transfer title. When the transfer with that title is booked the
exchange runs at the operator's rate current then, and the proceeds are paid
out to ``payoutAccountId``. ``indicativeRate`` is only today's rate.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Form, Query, Router, Schema

from kantor.customers.models import ApiRole
from kantor.exchange import actions, queries
from kantor.exchange.errors import NotFound
from kantor.exchange.models import DepositOrder
from kantor.exchange.presenters import deposit_order_view

from ..auth import Signature, caller_customer, secured
from ..envelope import Envelope, SubmitEnvelope, ok
from ..idempotency import SubmitContext, SubmitForm, submit
from .exchange_errors import translated, translating

router = Router(tags=["deposit_orders"])

READ = (ApiRole.ADMIN, ApiRole.READER, ApiRole.DIRECT_FX)
TRADE = (ApiRole.ADMIN, ApiRole.DIRECT_FX)


class CreateForm(SubmitForm):
    currencyPair: str = Field(examples=["EURPLN"])
    buySell: Literal["BUY", "SELL"]
    volume: str = Field(
        pattern=r"^[0-9]{1,12}([.][0-9]{2})?$",
        description="The amount you will transfer, in the currency you sell.",
    )
    volumeCurrency: str
    payoutAccountId: int = Field(description="Your bank account in the currency you buy.")


class DepositOrderOut(Schema):
    orderId: str = Field(description="Empty when dryRun=true.")
    submitId: str | None = None
    status: str
    currencyPair: str
    buySell: str
    volume: str
    volumeCurrency: str
    payoutAccountId: int
    transferTitle: str
    operatorAccount: str
    createdTs: str
    indicativeRate: str | None = None
    exchangeId: str | None = None
    soldAmount: str | None = None
    boughtAmount: str | None = None
    boughtCurrency: str | None = None
    payoutError: str | None = None
    failure: str | None = None
    closedTs: str | None = None


class ListQuery(Schema):
    status: Literal["open", "placed", "executed", "cancelled", "failed"] | None = None
    itemLimit: int = Field(100, ge=1, le=200)


@router.post(
    "/deposit_orders",
    response=SubmitEnvelope[DepositOrderOut],
    summary="Creates an exchange-on-deposit order (FX-2)",
    operation_id="newDepositOrder",
    exclude_none=True,
    **secured(*TRADE, signature=Signature.UNLESS_DRY_RUN, submitting=True),
)
def create(request: HttpRequest, form: Form[CreateForm]):
    args = (form.currencyPair, form.buySell, form.volume, form.volumeCurrency, form.payoutAccountId)

    @translated
    def execute(ctx: SubmitContext) -> dict:
        order = actions.create_deposit_order(
            ctx.customer, *args, submit_id=ctx.submit_id, ordered_by=ctx.ordered_by
        )
        return deposit_order_view(order)

    @translated
    def preview(ctx: SubmitContext) -> dict:
        return deposit_order_view(actions.preview_deposit_order(ctx.customer, *args))

    return submit(request, form, execute=execute, preview=preview)


@router.get(
    "/deposit_orders",
    response=Envelope[list[DepositOrderOut]],
    summary="Returns the customer's exchange-on-deposit orders",
    operation_id="getDepositOrders",
    exclude_none=True,
    **secured(*READ),
)
def list_orders(request: HttpRequest, query: Query[ListQuery]):
    rows = queries.customer_deposit_orders(
        caller_customer(request), status=query.status, limit=query.itemLimit
    )
    return ok([deposit_order_view(o) for o in rows])


def _own(request: HttpRequest, order_id: str) -> DepositOrder:
    order = queries.customer_deposit_order(caller_customer(request), order_id)
    if order is None:
        raise NotFound(f"no deposit order {order_id}", error_data={"orderId": order_id})
    return order


@router.get(
    "/deposit_orders/{orderId}",
    response=Envelope[DepositOrderOut],
    summary="Returns one exchange-on-deposit order",
    operation_id="getDepositOrder",
    exclude_none=True,
    **secured(*READ),
)
def get_order(request: HttpRequest, orderId: str):
    with translating():
        return ok(deposit_order_view(_own(request, orderId)))


@router.post(
    "/deposit_orders/{orderId}/cancel",
    response=Envelope[DepositOrderOut],
    summary="Cancels an exchange-on-deposit order whose transfer has not arrived",
    operation_id="cancelDepositOrder",
    exclude_none=True,
    **secured(*TRADE, signature=Signature.REQUIRED),
)
def cancel(request: HttpRequest, orderId: str):
    with translating():
        return ok(deposit_order_view(actions.cancel_deposit_order(_own(request, orderId))))
