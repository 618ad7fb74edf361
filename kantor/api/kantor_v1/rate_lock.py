"""/rate_lock/*: the rate lock before payment (API-4; LOCK-1..15), Walutomat's conventions.

    GET  /rate_lock/agreement              LOCK-1 the additional agreement's state
    POST /rate_lock/agreement              LOCK-1 conclude it (accept the terms)
    POST /rate_lock/agreement/end          LOCK-1 end it (withdrawOpenOrders: LOCK-15)
    POST /rate_lock/quotes                 LOCK-3 start placing: the rates, valid until…
    POST /rate_lock/orders                 LOCK-2..6, 12..14 place (submitId, dryRun)
    GET  /rate_lock/orders                 the customer's locked orders, newest first
    GET  /rate_lock/orders/{orderId}       one order: amount due, title, deadline, outcome

Amounts are decimal strings at the currency's minor unit, rates padded to the
pair's decimals, timestamps UTC with milliseconds (``kantor.api.formats``);
``deadlineLocal`` is the same instant on the Warsaw clock (LOCK-6). Refusals
use the reference's keys with the precise code as errorData ``reason``
(``exchange_errors``).
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Form, Query, Router, Schema

from kantor.customers.models import ApiRole
from kantor.exchange import actions, queries
from kantor.exchange.errors import NotFound
from kantor.exchange.presenters import lock_order_view, lock_preview_view

from ..auth import Signature, caller_customer, secured
from ..envelope import Envelope, SubmitEnvelope, ok
from ..formats import format_rate, format_ts
from ..idempotency import SubmitContext, SubmitForm, submit
from .exchange_errors import translated, translating

router = Router(tags=["rate_lock"])

READ = (ApiRole.ADMIN, ApiRole.READER, ApiRole.DIRECT_FX)
TRADE = (ApiRole.ADMIN, ApiRole.DIRECT_FX)
VOLUME_PATTERN = r"^[0-9]{1,12}([.][0-9]{2})?$"


class Agreement(Schema):
    status: str = Field(description="none, active, ended_by_customer, ended_by_operator, …")
    concludedTs: str | None = None
    endedTs: str | None = None


class EndAgreementForm(Schema):
    withdrawOpenOrders: bool = Field(
        False,
        description="LOCK-15: withdraw from open locked orders too (they are cancelled now "
        "and the damages of LOCK-11 are due); without it, open orders refuse the end.",
    )


class QuoteForm(Schema):
    currencyPair: str = Field(examples=["EURPLN"])


class Quote(Schema):
    quoteId: str
    currencyPair: str
    ts: str = Field(description="The published rates' identifier.")
    quotedTs: str
    validUntil: str = Field(description="Place the order by then (LOCK-3).")
    midRate: str
    buyRate: str = Field(description="The customer buys the base currency at it (our ask).")
    sellRate: str = Field(description="The customer sells the base currency at it (our bid).")
    buyMargin: str = Field(description="Mk = mid − bid (LOCK-11).")
    sellMargin: str = Field(description="Ms = ask − mid (LOCK-11).")


class PlaceForm(SubmitForm):
    quoteId: str
    buySell: Literal["BUY", "SELL"]
    volume: str = Field(pattern=VOLUME_PATTERN, description="In volumeCurrency, e.g. 999.00.")
    volumeCurrency: str = Field(description="Either currency of the quote's pair.")
    payoutAccountId: int | None = Field(
        None, description="Your bank account for the proceeds; omit to keep them on the balance."
    )


class LockOrder(Schema):
    orderId: str = Field(description="Empty when dryRun=true.")
    submitId: str | None = None
    status: str
    currencyPair: str
    buySell: str
    volume: str = Field(description="K, in the base currency.")
    volumeCurrency: str
    rate: str
    midRate: str
    buyRate: str
    sellRate: str
    buyMargin: str
    sellMargin: str
    amountDue: str
    amountDueCurrency: str
    proceeds: str
    proceedsCurrency: str
    transferTitle: str
    operatorAccount: str
    placedTs: str
    deadlineTs: str
    deadlineLocal: str
    payoutAccountId: int | None = None
    paidTs: str | None = None
    executedTs: str | None = None
    exchangeId: str | None = None
    payoutError: str | None = None
    cancelledTs: str | None = None
    cancelReason: str | None = None
    damagesAmount: str | None = None
    damagesOwed: str | None = None
    damagesCurrency: str | None = None


class OrdersQuery(Schema):
    status: Literal["awaiting_payment", "paid_waiting", "executed", "cancelled"] | None = None
    itemLimit: int = Field(100, ge=1, le=200)


def _ts(moment) -> str | None:
    return format_ts(moment) if moment else None


def _agreement(customer) -> dict:
    row = customer.rate_lock_agreements.order_by("-concluded_at").first()
    if row is None:
        return {"status": "none"}
    return {
        "status": row.status,
        "concludedTs": _ts(row.concluded_at),
        "endedTs": _ts(row.ended_at),
    }


@router.get(
    "/rate_lock/agreement",
    response=Envelope[Agreement],
    summary="Returns the rate-lock agreement's state (LOCK-1)",
    operation_id="getRateLockAgreement",
    exclude_none=True,
    **secured(*READ),
)
def get_agreement(request: HttpRequest):
    return ok(_agreement(caller_customer(request)))


@router.post(
    "/rate_lock/agreement",
    response=Envelope[Agreement],
    summary="Concludes the rate-lock agreement by accepting its terms (LOCK-1)",
    operation_id="concludeRateLockAgreement",
    exclude_none=True,
    **secured(*TRADE, signature=Signature.REQUIRED),
)
def conclude(request: HttpRequest):
    with translating():
        customer = caller_customer(request)
        actions.conclude_agreement(customer)
        return ok(_agreement(customer))


@router.post(
    "/rate_lock/agreement/end",
    response=Envelope[Agreement],
    summary="Ends the rate-lock agreement (LOCK-1; withdrawOpenOrders: LOCK-15)",
    operation_id="endRateLockAgreement",
    exclude_none=True,
    **secured(*TRADE, signature=Signature.REQUIRED),
)
def end(request: HttpRequest, form: Form[EndAgreementForm]):
    with translating():
        customer = caller_customer(request)
        actions.end_agreement_by_customer(customer, withdraw_open_orders=form.withdrawOpenOrders)
        return ok(_agreement(customer))


@router.post(
    "/rate_lock/quotes",
    response=Envelope[Quote],
    summary="Starts placing: the operator's current rates, valid for a short window (LOCK-3)",
    operation_id="newRateLockQuote",
    **secured(*TRADE),
)
def new_quote(request: HttpRequest, form: Form[QuoteForm]):
    with translating():
        quote = actions.quote_rate_lock(caller_customer(request), form.currencyPair)
        pair = quote.currency_pair
        return ok(
            {
                "quoteId": str(quote.pk),
                "currencyPair": pair.code,
                "ts": format_ts(quote.rate_ts),
                "quotedTs": format_ts(quote.quoted_at),
                "validUntil": format_ts(quote.expires_at),
                "midRate": format_rate(quote.mid, pair),
                "buyRate": format_rate(quote.ask, pair),
                "sellRate": format_rate(quote.bid, pair),
                "buyMargin": format_rate(quote.mid - quote.bid, pair),
                "sellMargin": format_rate(quote.ask - quote.mid, pair),
            }
        )


@router.post(
    "/rate_lock/orders",
    response=SubmitEnvelope[LockOrder],
    summary="Places a rate-locked order: the quote's rate is accepted, irrevocably (LOCK-2..14)",
    operation_id="newRateLockOrder",
    exclude_none=True,
    **secured(*TRADE, signature=Signature.UNLESS_DRY_RUN, submitting=True),
)
def place(request: HttpRequest, form: Form[PlaceForm]):
    """The answer fixes the amount due, the transfer title, the operator's account and
    the deadline (LOCK-5, LOCK-6); the same arrive by e-mail (LOCK-14). Refusals:
    LOCK_LIMIT_EXCEEDED (LOCK-12, errorData limit/exposure), SERVICE_CLOSED (LOCK-13),
    QUOTE_EXPIRED / UNKNOWN_QUOTE (LOCK-3), NO_RATE_LOCK_AGREEMENT (LOCK-1)."""
    args = (form.quoteId, form.buySell, form.volume, form.volumeCurrency)

    @translated
    def execute(ctx: SubmitContext) -> dict:
        order = actions.place_rate_lock(
            ctx.customer,
            *args,
            payout_account_id=form.payoutAccountId,
            submit_id=ctx.submit_id,
            ordered_by=ctx.ordered_by,
        )
        return lock_order_view(order)

    @translated
    def preview(ctx: SubmitContext) -> dict:
        locked = actions.preview_rate_lock(
            ctx.customer, *args, payout_account_id=form.payoutAccountId
        )
        return lock_preview_view(locked, form.payoutAccountId)

    return submit(request, form, execute=execute, preview=preview)


@router.get(
    "/rate_lock/orders",
    response=Envelope[list[LockOrder]],
    summary="Returns the customer's rate-locked orders, newest first",
    operation_id="getRateLockOrders",
    exclude_none=True,
    **secured(*READ),
)
def list_orders(request: HttpRequest, query: Query[OrdersQuery]):
    rows = queries.customer_lock_orders(
        caller_customer(request), status=query.status, limit=query.itemLimit
    )
    return ok([lock_order_view(o) for o in rows])


@router.get(
    "/rate_lock/orders/{orderId}",
    response=Envelope[LockOrder],
    summary="Returns one rate-locked order",
    operation_id="getRateLockOrder",
    exclude_none=True,
    **secured(*READ),
)
def get_order(request: HttpRequest, orderId: str):
    with translating():
        order = queries.customer_lock_order(caller_customer(request), orderId)
        if order is None:
            raise NotFound(f"no rate-locked order {orderId}", error_data={"orderId": orderId})
        return ok(lock_order_view(order))
