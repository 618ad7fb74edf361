"""/direct_fx/rates and /direct_fx/exchanges: exchange with the operator (API-1, RATE-1, FX-1).

``buyRate`` is the rate the customer buys the base currency at — the
operator's ask; ``sellRate`` the rate the customer sells at — the operator's
bid. ``ts`` identifies the quote: /direct_fx/exchanges names it back within
``KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS``. The customer's segment picks the
margins (RATE-1).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Form, Query, Router, Schema
from pydantic import BeforeValidator

from kantor.customers.models import ApiRole
from kantor.exchange.actions import exchange_instant, preview_instant
from kantor.exchange.pricing import ExchangePlan
from kantor.exchange.queries import plan_of
from kantor.rates.queries import current_rate

from ..auth import Signature, caller_customer, secured
from ..envelope import Envelope, SubmitEnvelope, ok
from ..formats import format_amount, format_rate, format_ts, parse_ts
from ..idempotency import SubmitContext, SubmitForm, submit
from ..kantor_v1.exchange_errors import translated

router = Router(tags=["direct_fx"])


class FxRate(Schema):
    ts: str = Field(examples=["2018-03-27T09:58:06.945Z"])
    currencyPair: str = Field(examples=["EURPLN"])
    buyRate: str = Field(examples=["4.1234"], description="The customer buys at it (our ask).")
    sellRate: str = Field(examples=["4.0987"], description="The customer sells at it (our bid).")


class FxRateQuery(Schema):
    currencyPair: str = Field(
        description="Base and quote currency with no separator, e.g. EURPLN.",
        examples=["EURPLN"],
    )


@router.get(
    "/direct_fx/rates",
    response=Envelope[FxRate],
    summary="Returns current exchange rate",
    operation_id="getFxRate",
    **secured(ApiRole.ADMIN, ApiRole.DIRECT_FX),
)
def get_fx_rate(request: HttpRequest, query: Query[FxRateQuery]):
    """Unknown or unoffered pair → CURRENCY_NOT_SUPPORTED; none published → NO_RATE_FOR_PAIR."""
    rate = current_rate(query.currencyPair, segment=caller_customer(request).segment)
    return ok(
        {
            "ts": format_ts(rate.ts),
            "currencyPair": rate.pair.code,
            "buyRate": format_rate(rate.ask, rate.pair),
            "sellRate": format_rate(rate.bid, rate.pair),
        }
    )


# -- POST /direct_fx/exchanges (FX-1) ------------------------------------------


def _timestamp(value: object) -> object:
    return parse_ts(value) if isinstance(value, str) else value


class ExchangeForm(SubmitForm):
    currencyPair: str = Field(description="Base and quote currency, no separator: EURPLN.")
    buySell: Literal["BUY", "SELL"] = Field(description="BUY or SELL the base currency.")
    volume: str = Field(
        pattern=r"^[0-9]{1,12}([.][0-9]{2})?$",
        description="Exchange volume, e.g. 999.00, in volumeCurrency (either of the pair).",
    )
    volumeCurrency: str = Field(description="ISO code of the volume's currency.")
    ts: Annotated[datetime, BeforeValidator(_timestamp)] = Field(
        description="The rate's identifier from /direct_fx/rates (valid 10 minutes)."
    )


class ExchangeResult(Schema):
    exchangeId: str = Field(description="Empty when dryRun=true.")
    currencyPair: str
    buySell: str
    rate: str
    ts: str
    soldAmount: str
    soldCurrency: str
    boughtAmount: str = Field(description="Credited to the wallet, net of any commission.")
    boughtCurrency: str
    commissionAmount: str
    commissionCurrency: str


def _exchange_result(plan: ExchangePlan, exchange_id: str = "") -> dict:
    return {
        "exchangeId": exchange_id,
        "currencyPair": plan.pair.code,
        "buySell": plan.direction,
        "rate": format_rate(plan.rate, plan.pair),
        "ts": format_ts(plan.rate_ts) if plan.rate_ts else "",
        "soldAmount": format_amount(plan.sold),
        "soldCurrency": plan.sold.currency.code,
        "boughtAmount": format_amount(plan.bought),
        "boughtCurrency": plan.bought.currency.code,
        "commissionAmount": format_amount(plan.commission),
        "commissionCurrency": plan.commission.currency.code,
    }


@router.post(
    "/direct_fx/exchanges",
    response=SubmitEnvelope[ExchangeResult],
    summary="Requests currency exchange",
    operation_id="newExchange",
    **secured(
        ApiRole.ADMIN, ApiRole.DIRECT_FX, signature=Signature.UNLESS_DRY_RUN, submitting=True
    ),
)
def new_exchange(request: HttpRequest, form: Form[ExchangeForm]):
    """FX-1: exchange available funds at the rate of ``ts`` (one ledger transaction).

    Refusals: an unknown or expired ``ts`` → INVALID_ARGUMENTS (errorData
    ``reason`` UNKNOWN_RATE_TS / QUOTE_EXPIRED: get a new quote); a pair not
    offered or an unknown currency → CURRENCY_NOT_SUPPORTED; not enough
    available funds → INSUFFICIENT_FUNDS; a volume that buys nothing →
    AMOUNT_TOO_SMALL. ``dryRun=true`` answers the same numbers, books nothing.
    """
    args = (form.currencyPair, form.buySell, form.volume, form.volumeCurrency, form.ts)

    @translated
    def execute(ctx: SubmitContext) -> dict:
        exchange = exchange_instant(
            ctx.customer,
            *args,
            submit_id=ctx.submit_id,
            ordered_by=ctx.ordered_by,
            idempotency_key=ctx.idempotency_key,
        )
        return _exchange_result(plan_of(exchange), str(exchange.id))

    @translated
    def preview(ctx: SubmitContext) -> dict:
        return _exchange_result(preview_instant(ctx.customer, *args), "")

    return submit(request, form, execute=execute, preview=preview)
