"""LOCK-14: the e-mail confirming a rate-locked order, in Polish or English.

``003`` pkt 27: right after placing, the customer is told the locked rate,
the other parameters including the margin used, the amount due, the transfer
title, the operator's account number and the exact deadline. The message is
rendered from ``exchange/email/rate_lock_confirmed.<lang>.txt`` and written to
the durable outbox (DOC-3) in the placing transaction: it exists if and only
if the order was placed, and the dispatcher sends it after the commit, with
retries while the provider is down.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from kantor.api.formats import format_rate
from kantor.domain.calendar import to_warsaw
from kantor.domain.titles import display_title
from kantor.notifications.language import customer_language
from kantor.notifications.outbox import enqueue

from . import conf
from .models import RateLockOrder

__all__ = ["rate_lock_confirmation", "send_rate_lock_confirmation"]


def rate_lock_confirmation(order: RateLockOrder, lang: str | None = None) -> tuple[str, str]:
    """(subject, body) of the LOCK-14 e-mail for ``order``."""
    lang = lang or customer_language(order.customer)
    pair = order.currency_pair
    context = {
        "order": order,
        "pair": f"{pair.base.code}/{pair.quote.code}",
        "buying": order.side == "BUY",
        "amount": str(order.amount),
        "rate": format_rate(order.rate, pair),
        "mid": format_rate(order.mid, pair),
        "bid": format_rate(order.bid, pair),
        "ask": format_rate(order.ask, pair),
        "buy_margin": format_rate(order.mid - order.bid, pair),
        "sell_margin": format_rate(order.ask - order.mid, pair),
        "amount_due": str(order.amount_due),
        "proceeds": str(order.proceeds),
        "title": display_title(order.title),
        "operator_account": conf.operator_bank_account(order.due_currency),
        "deadline": to_warsaw(order.deadline),
        "placed_at": to_warsaw(order.placed_at),
        "payout_account": order.payout_account,
    }
    text = render_to_string(f"exchange/email/rate_lock_confirmed.{lang}.txt", context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def send_rate_lock_confirmation(order: RateLockOrder) -> None:
    """LOCK-14: write the confirmation to the outbox, in the placing transaction."""
    customer = order.customer
    lang = customer_language(customer)
    subject, body = rate_lock_confirmation(order, lang)
    enqueue(
        key=f"exchange.rate_lock_confirmation:{order.pk}",
        kind="exchange.rate_lock",
        to=customer.email,
        subject=subject,
        body=body,
        language=lang,
        customer=customer,
    )
