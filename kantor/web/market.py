"""The panel's market page (MKT-1..12, FEE-1, FEE-2, DOC-1): a pair's public book and
last trades, placing an order (reviewed, then confirmed) and cancelling one, the
customer's own trades with their proofs.

Thin: ``OrderForm`` checks what was typed, ``kantor.market.actions`` decides
(``preview_order`` for the review, ``place_order``, ``cancel_order`` — the
same actions as the API), ``kantor.market.queries`` reads. Refusals become
messages on the form (``refusals``); matching happens later, in the pair's
matcher, so a new order first shows among the active orders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kantor.api.formats import parse_ts
from kantor.customers.models import Customer
from kantor.domain.fees import trade_commission
from kantor.domain.money import Money, currency, round_customer_receives
from kantor.ledger.queries import customer_balance
from kantor.market import actions, conf, queries
from kantor.market.models import BuySell, Order, OrderStatus
from kantor.market.pairs import MarketPair, market_pair
from kantor.market.validation import OrderRequest
from kantor.rates.errors import NoRateForPair, PairNotOffered
from kantor.rates.queries import mid_at, offered_pairs

from .forms import OrderForm
from .refusals import REFUSED, cancel_refusal, order_refusal
from .templatetags.kantor import money, rate, side_label

#: What the page shows: price levels per side, last trades, the customer's orders and trades.
BOOK_LEVELS = 10
TRADES = 12
ACTIVE_ORDERS = 50
CLOSED_ORDERS = 10
MY_TRADES = 20
#: The channel recorded on orders placed here (history's ``orderedBy``).
ORDERED_BY = "WEB"


@dataclass(frozen=True)
class Review:
    """What the customer confirms: the order, its MKT-2 cover, the outcome at the limit."""

    pair: str
    side: str
    volume: Money
    limit_price: Decimal
    reserved: Money
    receives: Money
    commission: Money
    commission_percent: Decimal
    submit_id: str

    @property
    def net(self) -> Money:
        return self.receives - self.commission


def _customer(request: HttpRequest) -> Customer | None:
    return getattr(request.user, "customer", None)


def _market(pair: str) -> MarketPair:
    try:
        return market_pair(pair)
    except PairNotOffered:
        raise Http404(_("This currency pair is not traded.")) from None


def _commission_percent(customer: Customer) -> Decimal:
    """FEE-1: the rate an order placed now is charged, after the customer's discount."""
    percent = conf.commission_rate() * (1 - Decimal(customer.fee_discount or 0)) * 100
    return (
        percent.to_integral_value()
        if percent == percent.to_integral_value()
        else percent.normalize()
    )


def _review(customer: Customer, request: OrderRequest) -> Review:
    """FEE-1 at the limit rate: what the order receives there and the commission on it."""
    pair, volume, rate = request.pair, request.volume, request.limit_price
    bought = currency(request.bought_currency)
    if volume.currency == bought:
        receives = volume
    else:  # a budget in the quote currency buys base; base sold brings the quote currency
        convert = pair.base_amount if request.side == BuySell.BUY else pair.quote_amount
        receives = Money(round_customer_receives(convert(volume.amount, rate), bought), bought)
    fee_rate = conf.commission_rate()
    commission = trade_commission(receives, fee_rate, Decimal(customer.fee_discount or 0))
    return Review(
        pair=pair.code,
        side=request.side,
        volume=volume,
        limit_price=rate,
        reserved=request.reservation,
        receives=receives,
        commission=commission,
        commission_percent=_commission_percent(customer),
        submit_id=str(uuid.uuid4()),
    )


def _page(
    request: HttpRequest,
    customer: Customer,
    market: MarketPair,
    form: OrderForm,
    review: Review | None = None,
) -> HttpResponse:
    pair = market.pair
    try:
        mid = mid_at(pair.code, timezone.now())
    except NoRateForPair:
        mid = None
    book = queries.book(pair, BOOK_LEVELS)
    context = {
        "customer": customer,
        "market": market,
        "pair": pair,
        "pairs": offered_pairs(),
        "form": form,
        "review": review,
        "mid": mid,
        "commission_percent": _commission_percent(customer),
        "book": book,
        "book_ts": parse_ts(book.ts) if book.ts else None,
        "trades": queries.last_trades(pair, TRADES),
        "balances": [customer_balance(customer, c.code) for c in (pair.base, pair.quote)],
        "active_orders": queries.active_orders(customer, limit=ACTIVE_ORDERS),
        "closed_orders": queries.closed_orders(customer, limit=CLOSED_ORDERS),
        "my_trades": queries.customer_trades(customer, pair, MY_TRADES),
    }
    return render(request, "web/market.html", context)


@login_required
@require_safe
def market_home(request: HttpRequest) -> HttpResponse:
    """The first pair the operator offers."""
    pairs = offered_pairs()
    if not pairs:
        raise Http404(_("No currency pair is traded at the moment."))
    return redirect("web:market", pairs[0].code)


@login_required
@require_safe
def market_page(request: HttpRequest, pair: str) -> HttpResponse:
    customer = _customer(request)
    if customer is None:  # staff without a customer account
        return redirect("admin:index")
    market = _market(pair)
    base = market.pair.base.code
    form = OrderForm(market.pair, initial={"side": BuySell.BUY, "volume_currency": base})
    return _page(request, customer, market, form)


@login_required
@require_POST
def place_order(request: HttpRequest, pair: str) -> HttpResponse:
    """MKT-1/2: ``step=review`` shows the cover and the outcome; ``step=confirm`` places."""
    customer = _customer(request)
    if customer is None:
        return redirect("admin:index")
    market = _market(pair)
    form = OrderForm(market.pair, request.POST)
    if not form.is_valid():
        return _page(request, customer, market, form)
    try:
        if request.POST.get("step") == "confirm":
            order = _place(customer, form)
            messages.success(request, _accepted(order))
            return redirect("web:market", market.code)
        review = _review(customer, actions.preview_order(customer, *form.order_args()))
    except REFUSED as exc:
        field, message = order_refusal(exc, market, form.cleaned_data["volume_currency"])
        form.add_error(field, message)
        return _page(request, customer, market, form)
    return _page(request, customer, market, form, review)


def _place(customer: Customer, form: OrderForm) -> Order:
    """Idempotent by the review's ``submit_id``: a second click books nothing twice."""
    submit_id = form.cleaned_data["submit_id"] or str(uuid.uuid4())
    args = form.order_args()
    try:
        return actions.place_order(customer, *args, submit_id=submit_id, ordered_by=ORDERED_BY)
    except IntegrityError:  # the same confirmation, committed a moment ago by a twin request
        return actions.place_order(customer, *args, submit_id=submit_id, ordered_by=ORDERED_BY)


def _accepted(order: Order) -> str:
    return _("Order accepted: %(side)s, amount %(volume)s, limit rate %(rate)s.") % {
        "side": side_label(order),
        "volume": money(order.volume),
        "rate": rate(order.limit_price),
    }


@login_required
@require_POST
def cancel_order(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """MKT-9: the unfilled rest is withdrawn by the matcher, filled parts stand."""
    customer = _customer(request)
    if customer is None:
        return redirect("admin:index")
    try:
        order = actions.cancel_order(order_id, customer=customer)
    except REFUSED as exc:
        messages.error(request, cancel_refusal(exc))
    else:
        messages.success(
            request,
            _("Cancellation accepted: the unfilled part of the order is being withdrawn.")
            if order.status == OrderStatus.ACTIVE
            else _("This order was already closed."),
        )
    back = str(request.POST.get("pair", "")).upper()
    if back.isalpha() and len(back) == 6:
        return redirect("web:market", back)
    return redirect("web:market_home")
