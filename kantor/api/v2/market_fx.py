"""/market_fx/*: the peer-to-peer market through the Walutomat API (API-1, MKT-1..12).

Thin: parse the reference's parameters, call ``kantor.market.actions`` or
``queries``, shape the reference's answers. Decisions where the reference is
silent or loose:

* Amounts and rates are strings (the definitions say ``type: string``; some
  examples show numbers). ``completion`` is a whole percentage, 100 only when
  the order ran its course (filled, or its rest could buy less than one minor
  unit).
* ``currencyPair`` is checked by the market, not by an enum: an unknown or
  unoffered pair is CURRENCY_NOT_SUPPORTED, as the reference's keys say.
* ``POST /orders/close`` accepts the cancel in the pair's command log and
  waits up to ``KANTOR_MARKET_CLOSE_WAIT_SECONDS`` for the matcher to apply
  it, so that the answer normally shows the order CLOSED; if the matcher is
  slower the answer shows it still ACTIVE ("it will be eventually withdrawn",
  the reference). Closing a closed order answers its details again. Its
  signature is optional, as the reference declares.
* Refusals with a Kantor-specific code are answered under the nearest
  reference key with ``errorData`` ``reason`` (e.g. NOT_AUTHORIZED, reason
  FEES_IN_ARREARS for FEE-2).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Form, Query, Router, Schema
from pydantic import BeforeValidator

from kantor.customers.models import ApiRole
from kantor.domain.money import CurrencyPair
from kantor.market import actions, queries
from kantor.market.conf import close_wait_seconds
from kantor.market.errors import MarketError
from kantor.market.models import CloseReason, Order, OrderStatus
from kantor.market.pairs import market_pair
from kantor.market.settlement import fee_fraction

from .. import gateway
from ..auth import Signature, caller_customer, public, secured
from ..envelope import Envelope, SubmitEnvelope, ok, ok_submitted
from ..errors import ApiError, ErrorKey
from ..formats import format_amount, format_rate, format_ts, parse_ts
from ..idempotency import SubmitContext, SubmitForm, submit
from ..orderentry import DECLINED
from ..signing import consume_pending

router = Router(tags=["market_fx"])

MARKET_READ = (ApiRole.ADMIN, ApiRole.READER, ApiRole.MARKET_FX)
MARKET_WRITE = (ApiRole.ADMIN, ApiRole.MARKET_FX)
VOLUME_PATTERN = r"^[0-9]{1,12}([.][0-9]{2})?$"
LIMIT_PRICE_PATTERN = r"^[0-9]{1,2}([.][0-9]{1,4})?$"
PAIR_DESCRIPTION = "Base and quote currency with no separator, e.g. EURPLN."

F = TypeVar("F", bound=Callable[..., Any])


def translated(fn: F) -> F:
    """Market refusals → the reference's key, the precise code as ``reason``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MarketError as exc:
            data = dict(exc.error_data)
            if exc.code != exc.api_key:
                data = {"reason": exc.code, **data}
            raise ApiError(ErrorKey(exc.api_key), str(exc), data) from exc

    return wrapper  # type: ignore[return-value]


def _timestamp(value: object) -> object:
    return parse_ts(value) if isinstance(value, str) else value


# -- schemas --------------------------------------------------------------------------


class OrderDetails(Schema):
    orderId: str
    submitId: str
    submitTs: str
    updateTs: str
    status: Literal["ACTIVE", "CLOSED"]
    completion: int = Field(description="Percent of the volume executed; 100 when done.")
    currencyPair: str
    buySell: Literal["BUY", "SELL"]
    volume: str
    volumeCurrency: str
    limitPrice: str
    soldAmount: str
    soldCurrency: str
    boughtAmount: str = Field(description="Gross: the commission is not deducted.")
    boughtCurrency: str
    commissionAmount: str
    commissionCurrency: str
    commissionRate: str


class NewOrderResult(Schema):
    orderId: str = Field(description="Empty when dryRun=true.")


class NewOrderForm(SubmitForm):
    currencyPair: str = Field(description=PAIR_DESCRIPTION, examples=["EURPLN"])
    buySell: Literal["BUY", "SELL"]
    volume: str = Field(
        pattern=VOLUME_PATTERN, description="Order volume, in volumeCurrency.", examples=["90.00"]
    )
    volumeCurrency: str = Field(description="ISO code: either currency of the pair.")
    limitPrice: str = Field(
        pattern=LIMIT_PRICE_PATTERN,
        description="Highest rate to buy at (BUY), lowest to sell at (SELL).",
        examples=["4.2456"],
    )


class OrderIdQuery(Schema):
    orderId: str = Field(min_length=36, max_length=36)


class CloseForm(Schema):
    orderId: str = Field(min_length=36, max_length=36)


class ActiveQuery(Schema):
    itemLimit: int = Field(10, ge=1, le=100)
    olderThan: Annotated[datetime, BeforeValidator(_timestamp)] | None = Field(
        None, description="submitTs of the last order of the previous page."
    )


class PairQuery(Schema):
    currencyPair: str = Field(description=PAIR_DESCRIPTION, examples=["EURPLN"])


class DetailedQuery(PairQuery):
    itemLimit: int = Field(
        10, ge=1, description="Price levels per side, from the best (no upper bound)."
    )


class BidAsk(Schema):
    price: str
    volume: str
    valueInOppositeCurrency: str


class BestOffers(Schema):
    ts: str
    currencyPair: str
    bids: list[BidAsk]
    asks: list[BidAsk]


class QuoteItem(Schema):
    volume: str
    valueInOppositeCurrency: str
    ts: str
    own: bool | None = None
    orderId: str | None = None


class BidAskDetailed(BidAsk):
    quotes: list[QuoteItem]
    includesOwn: bool | None = None


class BestOffersDetailed(Schema):
    ts: str
    currencyPair: str
    bids: list[BidAskDetailed]
    asks: list[BidAskDetailed]


# -- shaping --------------------------------------------------------------------------


def _commission_rate(order: Order) -> str:
    num, den = fee_fraction(order.commission_rate, order.fee_discount)
    rate = Decimal(num) / Decimal(den)
    four = rate.quantize(Decimal("0.0001"))
    return str(four if four == rate else rate.normalize())


def _completion(order: Order) -> int:
    if order.close_reason in (CloseReason.FILLED, CloseReason.EXHAUSTED):
        return 100
    return min(99, order.filled_in_volume_currency * 100 // order.volume_minor)


def order_details(order: Order, pairs: dict[str, CurrencyPair] | None = None) -> dict:
    """The reference's OrderDetails; ``pairs`` caches the pairs' rate decimals."""
    pairs = {} if pairs is None else pairs
    if order.pair not in pairs:
        pairs[order.pair] = market_pair(order.pair, offered_only=False).pair
    pair = pairs[order.pair]
    return {
        "orderId": str(order.order_id),
        "submitId": order.submit_id,
        "submitTs": format_ts(order.submitted_at),
        "updateTs": format_ts(order.updated_at),
        "status": order.status,
        "completion": _completion(order),
        "currencyPair": order.pair,
        "buySell": order.side,
        "volume": format_amount(order.volume),
        "volumeCurrency": order.volume_currency,
        "limitPrice": format_rate(order.limit_price, pair),
        "soldAmount": format_amount(order.sold),
        "soldCurrency": order.sold_currency,
        "boughtAmount": format_amount(order.bought),
        "boughtCurrency": order.bought_currency,
        "commissionAmount": format_amount(order.commission),
        "commissionCurrency": order.bought_currency,
        "commissionRate": _commission_rate(order),
    }


def _level(level, customer_id: int | None = None, detailed: bool = False) -> dict:
    item: dict[str, Any] = {
        "price": str(level.price),
        "volume": format_amount(level.volume),
        "valueInOppositeCurrency": format_amount(level.value),
    }
    if detailed:
        quotes = []
        for q in level.quotes:
            quote: dict[str, Any] = {
                "volume": format_amount(q.volume),
                "valueInOppositeCurrency": format_amount(q.value),
                "ts": q.ts,
            }
            if customer_id is not None and q.customer_id == customer_id:
                quote.update(own=True, orderId=q.order_id)
                item["includesOwn"] = True
            quotes.append(quote)
        item["quotes"] = quotes
    return item


# -- endpoints ------------------------------------------------------------------------

#: POST /orders's access; ``kantor.api.orderentry`` authenticates with the same object.
NEW_ORDER_ACCESS = secured(
    *MARKET_WRITE, signature=Signature.UNLESS_DRY_RUN, submitting=True, defer_signature=True
)
NEW_ORDER_AUTH = NEW_ORDER_ACCESS["auth"]


@router.post(
    "/market_fx/orders",
    response=SubmitEnvelope[NewOrderResult],
    summary="Submits new FX order to market",
    operation_id="newOrder",
    **NEW_ORDER_ACCESS,
)
def new_order(request: HttpRequest, form: Form[NewOrderForm]):
    """MKT-1/2: accept a limit order with its full cover reserved; the pair's
    matcher trades it within milliseconds. Refusals: CURRENCY_NOT_SUPPORTED,
    INSUFFICIENT_FUNDS, AMOUNT_TOO_SMALL (MKT-8), INVALID_ARGUMENTS,
    NOT_AUTHORIZED (reason FEES_IN_ARREARS, FEE-2).

    Orders arriving together are committed in groups (``kantor.api.gateway``;
    under gunicorn the ordinary ones never reach this view: ``kantor.api.orderentry``
    answers them with the same parts); whatever the gateway does not take is
    answered one request at a time, its signature recorded first (API-2)."""
    args = (form.currencyPair, form.buySell, form.volume, form.volumeCurrency, form.limitPrice)
    grouped = not request.META.get(DECLINED)  # order entry's group was refused: alone now
    if not form.dryRun and form.submitId and grouped and gateway.enabled():
        result = gateway.place(request, form.submitId, args)
        if result is not None:
            return ok_submitted(result, duplicate=False)
    consume_pending(request)

    @translated
    def execute(ctx: SubmitContext) -> dict:
        order = actions.place_order(
            ctx.customer, *args, submit_id=ctx.submit_id, ordered_by=ctx.ordered_by
        )
        return {"orderId": str(order.order_id)}

    @translated
    def preview(ctx: SubmitContext) -> dict:
        actions.preview_order(ctx.customer, *args)
        return {"orderId": ""}

    return submit(request, form, execute=execute, preview=preview)


@router.get(
    "/market_fx/orders",
    response=Envelope[list[OrderDetails]],
    summary="Returns the list with an order specified by orderId or empty list if not found.",
    operation_id="findOrders",
    **secured(*MARKET_READ),
)
def find_orders(request: HttpRequest, query: Query[OrderIdQuery]):
    order = queries.find_order(caller_customer(request), query.orderId)
    return ok([order_details(order)] if order else [])


@router.get(
    "/market_fx/orders/active",
    response=Envelope[list[OrderDetails]],
    summary="Returns active orders, ordered by most recently submitted.",
    operation_id="findActiveOrders",
    **secured(*MARKET_READ),
)
def find_active_orders(request: HttpRequest, query: Query[ActiveQuery]):
    rows = queries.active_orders(
        caller_customer(request), limit=query.itemLimit, older_than=query.olderThan
    )
    pairs: dict[str, CurrencyPair] = {}
    return ok([order_details(o, pairs) for o in rows])


@router.post(
    "/market_fx/orders/close",
    response=Envelope[OrderDetails],
    summary="Withdraw order from market",
    operation_id="cancelOrder",
    **secured(*MARKET_WRITE),
)
@translated
def close_order(request: HttpRequest, form: Form[CloseForm]):
    """MKT-9: withdraw the unfilled rest; filled parts stand. An unknown
    orderId → TRANSACTION_NOT_FOUND."""
    order = actions.cancel_order(form.orderId, customer=caller_customer(request))
    return ok(order_details(_await_close(order)))


def _await_close(order: Order) -> Order:
    """Wait (bounded, backing off 1 ms → 50 ms) for the matcher to apply the cancel."""
    deadline = time.monotonic() + close_wait_seconds()
    pause = 0.001
    while order.status == OrderStatus.ACTIVE and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        order.refresh_from_db()
    return order


@router.get(
    "/market_fx/best_offers",
    response=Envelope[BestOffers],
    summary="Returns 10 best bids and asks on currency pair in question",
    operation_id="getBestOffers",
    **public(),
)
@translated
def best_offers(request: HttpRequest, query: Query[PairQuery]):
    """MKT-12: the 10 best price levels per side, as the matcher last published them."""
    book = queries.book(query.currencyPair, 10)
    return ok(
        {
            "ts": book.ts or format_ts(timezone.now()),
            "currencyPair": book.pair.code,
            "bids": [_level(lv) for lv in book.bids],
            "asks": [_level(lv) for lv in book.asks],
        }
    )


@router.get(
    "/market_fx/best_offers/detailed",
    response=Envelope[BestOffersDetailed],
    summary="Returns more detailed list of best bids and asks on currency pair in question",
    operation_id="getBestOffersDetailed",
    exclude_none=True,
    **secured(*MARKET_READ),
)
@translated
def best_offers_detailed(request: HttpRequest, query: Query[DetailedQuery]):
    """MKT-12: ``itemLimit`` levels per side (no upper bound, as in the
    reference) with every offer of each; the caller's own offers carry
    ``own`` and ``orderId``, their levels ``includesOwn``."""
    customer = caller_customer(request)
    book = queries.book(query.currencyPair, query.itemLimit, all_quotes=True)
    return ok(
        {
            "ts": book.ts or format_ts(timezone.now()),
            "currencyPair": book.pair.code,
            "bids": [_level(lv, customer.pk, detailed=True) for lv in book.bids],
            "asks": [_level(lv, customer.pk, detailed=True) for lv in book.asks],
        }
    )
