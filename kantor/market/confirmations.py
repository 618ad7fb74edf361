"""MKT-10, DOC-1, DOC-3: e-mails about trades (with the proof) and closed orders.

The ``market.confirmations`` job turns what the matcher committed into outbox
messages; the matcher itself never waits for a PDF or an e-mail provider.
The trade and order rows are the durable source, and progress is kept in
the notifications app, moved in the same transaction as the messages:

* **trades** — per pair, a cursor over ``Trade.id``. One matcher per pair
  commits its batches one after another, so within a pair ids commit in
  increasing order and nothing can appear behind the cursor. Each side of a
  trade gets one message with its proof of purchase and sale attached
  (key ``market.trade:<id>:buyer|seller``).
* **closed orders** (DOC-3 "order filled or cancelled") — per pair, a cursor
  over the command log (``Order.seq``, dense and committed in order) finds
  new orders; those still open are *watched* until a later run sees them
  closed, however they closed (a fill, a cancel, MKT-7, MKT-8, self-match).
  One message per order (key ``market.order_closed:<id>``).

A run repeated or run twice sends nothing twice: keys already in the outbox
are skipped before anything is rendered.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kantor.documents.conf import OperatorIdentity, operator_identity
from kantor.documents.trade_proof import (
    CONTENT_TYPE,
    TradeProof,
    format_rate,
    market_pair_of,
    proof_filename,
    proof_rate,
    render_trade_proof,
    trade_proof,
    trade_sides,
)
from kantor.domain.money import Money
from kantor.notifications import progress
from kantor.notifications.language import customer_language
from kantor.notifications.outbox import Attachment, enqueue, existing_keys

from .models import CloseReason, MarketSequence, Order, OrderStatus, Trade

__all__ = ["confirm_trades", "notify_closed_orders", "order_key", "run", "trade_key"]

SIDES = ("buyer", "seller")
FILLED = (CloseReason.FILLED, CloseReason.EXHAUSTED)


def trades_per_run() -> int:
    """Trades confirmed per pair and run (two PDFs each): ``KANTOR_CONFIRMATIONS_BATCH``."""
    return max(1, int(getattr(settings, "KANTOR_CONFIRMATIONS_BATCH", 20)))


def orders_per_run() -> int:
    return max(1, int(getattr(settings, "KANTOR_CLOSED_ORDERS_BATCH", 200)))


def trade_key(trade: Trade, side: str) -> str:
    return f"market.trade:{trade.pk}:{side}"


def order_key(order: Order) -> str:
    return f"market.order_closed:{order.pk}"


def run(now: datetime | None = None) -> None:
    """The scheduler job: confirm new trades, then tell about closed orders."""
    confirm_trades(now)
    notify_closed_orders(now)


def _pairs() -> list[str]:
    return list(MarketSequence.objects.order_by("pair").values_list("pair", flat=True))


# -- trades (MKT-10, DOC-1) ------------------------------------------------------------


def confirm_trades(now: datetime | None = None, *, limit: int | None = None) -> int:
    """Enqueue both sides' confirmations of trades past each pair's cursor; how many trades."""
    now = now or timezone.now()
    done = 0
    for pair in _pairs():
        with transaction.atomic():
            done += _confirm_pair(pair, now, limit or trades_per_run())
    return done


def _confirm_pair(pair: str, now: datetime, limit: int) -> int:
    cursor = progress.lock_cursor(f"market.trades:{pair}")
    trades = list(
        Trade.objects.filter(pair=pair, pk__gt=cursor.position)
        .select_related("maker__customer", "taker__customer")
        .order_by("pk")[:limit]
    )
    if not trades:
        return 0
    known = existing_keys(trade_key(t, side) for t in trades for side in SIDES)
    operator = operator_identity()
    # Render every PDF before the first write: on SQLite a write takes the
    # database's only write lock, which must not wait for a renderer.
    messages = [
        _trade_message(trade, order, key, operator)
        for trade in trades
        for side, order in zip(SIDES, trade_sides(trade), strict=True)
        if (key := trade_key(trade, side)) not in known
    ]
    for message in messages:
        enqueue(**message, now=now)
    progress.advance(cursor, trades[-1].pk, now)
    return len(trades)


def _trade_message(trade: Trade, order: Order, key: str, operator: OperatorIdentity) -> dict:
    """One side's confirmation, rendered, as ``enqueue``'s arguments."""
    customer = order.customer
    lang = customer_language(customer)
    proof = trade_proof(trade, customer, operator=operator)
    subject, body = _render("market/email/trade_confirmed", lang, _trade_context(proof, lang))
    return {
        "key": key,
        "kind": "market.trade",
        "to": customer.email,
        "subject": subject,
        "body": body,
        "language": lang,
        "customer": customer,
        "attachments": [
            Attachment(proof_filename(proof, lang), CONTENT_TYPE, render_trade_proof(proof, lang))
        ],
    }


def _trade_context(proof: TradeProof, lang: str) -> dict:
    with translation.override(lang):
        rate = proof_rate(proof)
    return {
        "proof": proof,
        "pair": f"{proof.pair.base.code}/{proof.pair.quote.code}",
        "rate": rate,
        "when": proof.executed_at.strftime("%Y-%m-%d %H:%M:%S"),
    }


# -- closed orders (DOC-3) -------------------------------------------------------------


def notify_closed_orders(now: datetime | None = None, *, limit: int | None = None) -> int:
    """Enqueue an e-mail for each order that closed since the last run; how many."""
    now = now or timezone.now()
    done = 0
    for pair in _pairs():
        with transaction.atomic():
            done += _closed_in_pair(pair, now, limit or orders_per_run())
    return done


def _closed_in_pair(pair: str, now: datetime, limit: int) -> int:
    topic = f"market.open_orders:{pair}"
    cursor = progress.lock_cursor(f"market.orders:{pair}")
    # New orders first, then the watched ones: an order that closes in between
    # is watched from now on and found closed by the next run.
    new = list(
        Order.objects.filter(pair=pair, seq__gt=cursor.position)
        .order_by("seq")
        .values_list("pk", "seq", "status")[:limit]
    )
    closed_watched = list(
        Order.objects.filter(
            pk__in=progress.watched(topic),
            status=OrderStatus.CLOSED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    closed = sorted(
        {*closed_watched, *(pk for pk, _, status in new if status != OrderStatus.ACTIVE)}
    )
    orders = list(Order.objects.filter(pk__in=closed).select_related("customer").order_by("pk"))
    known = existing_keys(order_key(o) for o in orders)
    for order in orders:
        if order_key(order) not in known:
            _enqueue_closed(order, now)
    progress.unwatch(topic, closed_watched)
    progress.watch(topic, (pk for pk, _, status in new if status == OrderStatus.ACTIVE))
    if new:
        progress.advance(cursor, new[-1][1], now)
    return len(orders)


def _enqueue_closed(order: Order, now: datetime) -> None:
    customer = order.customer
    lang = customer_language(customer)
    pair = market_pair_of(order.pair)
    context = {
        "order": order,
        "pair": f"{pair.base.code}/{pair.quote.code}",
        "buying": order.is_buy,
        "filled": order.close_reason in FILLED,
        "reason": order.close_reason,
        "by_operator": bool(order.cancel_reason),
        "net": order.bought - order.commission,
        "released": Money.from_minor(order.released_minor, order.sold_currency),
        "closed_at": order.closed_at,
    }
    with translation.override(lang):
        context["limit"] = format_rate(order.limit_price, pair)
    subject, body = _render("market/email/order_closed", lang, context)
    enqueue(
        key=order_key(order),
        kind="market.order_closed",
        to=customer.email,
        subject=subject,
        body=body,
        language=lang,
        customer=customer,
        now=now,
    )


def _render(template: str, lang: str, context: dict) -> tuple[str, str]:
    """(subject, body): the template's first line is the subject."""
    with translation.override(lang):
        text = render_to_string(f"{template}.{lang}.txt", context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
